"""Breaking one of the buyer's preconditions on purpose (and putting it back afterwards): the three
failures the runbook documents for buy-offer."""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from . import wl_sql
from .queries import RUNBOOK_BUYER
from .session import Session
from .trading import PRIVILEGES_INSERT, xbalance


def low_balance(session: Session, offer_id: int) -> Callable[[], None]:
    """X$ balance set below the offer's price: one cent below the imported price when the map knows
    that column, else zero (below any price). Returns the undo."""
    c, db = session.config, session.db
    before = xbalance(session)
    price = wl_sql.imported_unit_price(session, offer_id)
    low = Decimal("0") if price is None else max(Decimal("0"), price - Decimal("0.01"))
    db.destructive(db.importer, "UPDATE xbalance SET value=%s WHERE id=%s", (low, c.buyer_xbalance_id))
    return lambda: db.destructive(db.importer, "UPDATE xbalance SET value=%s WHERE id=%s", (before, c.buyer_xbalance_id))


def no_maturity(session: Session) -> Callable[[], None]:
    """The buyer's xtransaction_maturity rows deleted (as the runbook warns can happen); returns the undo."""
    account = session.config.buyer_account_id
    rows = wl_sql.maturity_rows(session, account)
    if not rows:
        raise AssertionError("o comprador não tem dados de maturidade para apagar")
    wl_sql.delete_maturity(session, account)
    return lambda: wl_sql.insert_maturity(session, rows)


def duplicated_privileges(session: Session) -> Callable[[], None]:
    """The runbook's INSERT run again: with MAX(id)+1 it adds a second row for the account; returns the undo."""
    c, db = session.config, session.db
    session.stack_map.require(*RUNBOOK_BUYER)
    before = [r["id"] for r in db.importer.rows("SELECT id FROM account_privileges WHERE account_id=%s",
                                                 (c.buyer_account_id,))]
    db.destructive(db.importer, PRIVILEGES_INSERT, {"account": c.buyer_account_id})
    after = db.importer.rows("SELECT id FROM account_privileges WHERE account_id=%s", (c.buyer_account_id,))
    if len(after) < 2:
        raise AssertionError("o INSERT do runbook não duplicou os privilégios (a tabela tem restrição única?)")
    return lambda: db.destructive(db.importer, "DELETE FROM account_privileges WHERE account_id=%s AND NOT (id = ANY(%s))",
                                  (c.buyer_account_id, before))
