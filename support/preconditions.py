"""Breaking one of the buyer's preconditions on purpose: the three failures the runbook documents for
buy-offer. Each is a change beyond the runbook's statements, made through the session's journal
(support/journal.py): the statement that puts the original back is on disk before the change, and runs
at the end of the scenario (or at the start of the next run, if this one dies first)."""
from __future__ import annotations

from decimal import Decimal

from . import journal, wl_sql
from .queries import RUNBOOK_BUYER
from .session import Session
from .trading import PRIVILEGES_INSERT, xbalance


def low_balance(session: Session, offer_id: int) -> None:
    """X$ balance set below the offer's price: one cent below the imported price when the map knows
    that column, else zero (below any price)."""
    c, db = session.config, session.db
    before = xbalance(session)
    price = wl_sql.imported_unit_price(session, offer_id)
    low = Decimal("0") if price is None else max(Decimal("0"), price - Decimal("0.01"))
    restore = journal.restore_values("xbalance", "id", [{"id": c.buyer_xbalance_id, "value": before}], ("value",))
    session.journal.change("importer", f"saldo X$ do comprador (xbalance {c.buyer_xbalance_id}) abaixo do preço", restore,
                           lambda: db.destructive(db.importer, "UPDATE xbalance SET value=%s WHERE id=%s",
                                                  (low, c.buyer_xbalance_id)))


def no_maturity(session: Session) -> None:
    """The buyer's xtransaction_maturity rows deleted (as the runbook warns can happen)."""
    account = session.config.buyer_account_id
    if not wl_sql.maturity_rows(session, account):
        raise AssertionError("o comprador não tem dados de maturidade para apagar")
    session.journal.change("importer", f"maturidade X$ do comprador {account} apagada",
                           wl_sql.restore_maturity(session, account), lambda: wl_sql.delete_maturity(session, account))


def duplicated_privileges(session: Session) -> None:
    """The runbook's INSERT run again: with MAX(id)+1 it adds a second row for the account."""
    c, db = session.config, session.db
    session.stack_map.require(*RUNBOOK_BUYER)
    before = [r["id"] for r in db.importer.rows("SELECT id FROM account_privileges WHERE account_id=%s",
                                                 (c.buyer_account_id,))]
    restore = journal.restore_keep_only("account_privileges", "account_id", c.buyer_account_id, "id", before)
    session.journal.change("importer", f"privilégios do comprador {c.buyer_account_id} duplicados", restore,
                           lambda: db.destructive(db.importer, PRIVILEGES_INSERT, {"account": c.buyer_account_id}))
    after = db.importer.rows("SELECT id FROM account_privileges WHERE account_id=%s", (c.buyer_account_id,))
    if len(after) < 2:
        raise AssertionError("o INSERT do runbook não duplicou os privilégios (a tabela tem restrição única?)")
