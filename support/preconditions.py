"""Breaking one of the buyer's preconditions on purpose (and putting it back afterwards): the three
failures the runbook documents for buy-offer."""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from .session import Session
from .trading import PRIVILEGES_INSERT, xbalance


def low_balance(session: Session, price: Decimal) -> Callable[[], None]:
    """X$ balance set just below the offer's price; returns the undo."""
    c, db = session.config, session.db
    before = xbalance(session)
    db.destructive(db.importer, "UPDATE xbalance SET value=%s WHERE id=%s",
                   (max(Decimal("0"), price - Decimal("0.01")), c.buyer_xbalance_id))
    return lambda: db.destructive(db.importer, "UPDATE xbalance SET value=%s WHERE id=%s", (before, c.buyer_xbalance_id))


def no_maturity(session: Session) -> Callable[[], None]:
    """The buyer's xtransaction_maturity rows deleted (as the runbook warns can happen); returns the undo."""
    c, db = session.config, session.db
    rows = db.importer.rows("SELECT * FROM xtransaction_maturity WHERE account_id=%s", (c.buyer_account_id,))
    if not rows:
        raise AssertionError("o comprador não tem dados de maturidade para apagar")
    db.destructive(db.importer, "DELETE FROM xtransaction_maturity WHERE account_id=%s", (c.buyer_account_id,))
    columns = list(rows[0])

    def undo() -> None:
        placeholders = ", ".join(["%s"] * len(columns))
        for row in rows:
            db.destructive(db.importer, f"INSERT INTO xtransaction_maturity ({', '.join(columns)}) VALUES ({placeholders})",
                           [row[col] for col in columns])

    return undo


def duplicated_privileges(session: Session) -> Callable[[], None]:
    """The runbook's INSERT run again: with MAX(id)+1 it adds a second row for the account; returns the undo."""
    c, db = session.config, session.db
    before = [r["id"] for r in db.importer.rows("SELECT id FROM account_privileges WHERE account_id=%s",
                                                 (c.buyer_account_id,))]
    db.destructive(db.importer, PRIVILEGES_INSERT, {"account": c.buyer_account_id})
    after = db.importer.rows("SELECT id FROM account_privileges WHERE account_id=%s", (c.buyer_account_id,))
    if len(after) < 2:
        raise AssertionError("o INSERT do runbook não duplicou os privilégios (a tabela tem restrição única?)")
    return lambda: db.destructive(db.importer, "DELETE FROM account_privileges WHERE account_id=%s AND NOT (id = ANY(%s))",
                                  (c.buyer_account_id, before))
