"""Preflight and holds (runbook step 10): the QA buyer, changes to the origin offer at the exporter
(journaled and undone afterwards: support/journal.py), a hold made at the exporter and the importer's checkout. Names beyond the
runbook's come from the stack map (support.wl_sql, support.wl_shapes)."""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from . import wl_shapes, wl_sql
from .expect import expect
from .reset.runbook_steps import peer_token
from .session import Session
from .wait import until
from .wl_shapes import Hold
from .wl_sql import ImportedOffer


def qa_offer(session: Session) -> ImportedOffer:
    """A buyable imported offer not used before in this feature, with its origin offer id."""
    from .trading import fresh_offers

    return fresh_offers(session, 1)[0]


def qa_money(session: Session) -> dict:
    """The QA buyer's X$ and R$ balances and ledger size (SQL on the importer)."""
    account = session.config.qa_account_id
    return {
        "X$": wl_sql.xbalance_of_account(session, account),
        "R$": wl_sql.rbalance_of_account(session, account),
        "extrato": wl_sql.ledger_size(session, account),
    }


def change_origin_offer(session: Session, origin_offer_id: int, *, price: Decimal | None = None,
                        stock: int | None = None) -> None:
    """UPDATE the origin offer at the exporter (wl-01), a change beyond the runbook's statements: through
    the session's journal, which puts price and stock back at the end of the scenario."""
    what = f"oferta de origem {origin_offer_id} no exportador: " + ", ".join(
        part for part in (f"preço {price}" if price is not None else "", f"estoque {stock}" if stock is not None else "")
        if part)
    session.journal.change("exporter", what, wl_sql.restore_origin_offer(session, origin_offer_id),
                           lambda: wl_sql.set_origin_offer(session, origin_offer_id, price=price, stock=stock))


def guard_qa_money(session: Session) -> None:
    """Journal the QA account's X$ and R$ balances before a purchase: a checkout that debits them (the
    in-time checkout, or a refusal that charges by mistake) is topped back up at the end of the
    scenario, like the runbook tops up the bulk buyer; balances that did not move are not written."""
    for statement in wl_sql.restore_money_of_account(session, session.config.qa_account_id):
        session.journal.guard("importer", f"saldos X$/R$ da conta QA {session.config.qa_account_id}", statement)


def importer_trader_id(session: Session) -> str | None:
    response = session.cp_admin.get_trader(session.config.importer_wl_id)
    return response.json().get("id") if response.status_code == 200 else None


def make_hold(session: Session, offer: ImportedOffer) -> Hold:
    """POST /api/v2/trader/purchase/preflight at the exporter with a peer token minted just now."""
    c = session.config
    token = peer_token(session, scopes=("trader:purchase",))
    body = wl_shapes.preflight_request(
        session, origin_offer_id=offer.origin_offer_id, quantity=1, requester_wl_id=c.importer_wl_id,
        requester_trader_id=importer_trader_id(session), client_buyer_masked="qa***@xpory.local",
        expected_unit_price=offer.unit_price)
    answer = expect(session.exporter.preflight(token, body), (200, 201), session, "preflight no exportador")
    return wl_shapes.hold(session, answer)


def wait_hold_expiry(session: Session, hold: Hold) -> None:
    """Poll until the hold's validity (the exporter's clock, in the answer) has passed; the deadline is
    the profile's TTL plus a margin. The validity may be shown cut (to the second, to the millisecond), so
    the hold may live up to one unit of its last digit past it: wait for that to pass too (a whole second
    when the answer shows no fraction of a second: support.wl_shapes.resolution)."""
    expires = hold.expires_at + dt.timedelta(seconds=hold.expires_resolution)
    ttl = session.config.hold_ttl_seconds
    until(lambda: dt.datetime.now(dt.UTC), lambda now: now > expires, timeout=ttl + 5, interval=0.1,
          max_interval=0.5, describe=f"o hold {hold.hold_id} expirar (TTL {ttl:g}s)",
          expected=(expires - dt.datetime.now(dt.UTC)).total_seconds())


def refusal_message(session: Session, entry: str) -> str:
    """The importer's msg for a refused purchase (the map's wl.importer.buy_offer.msg_* entry)."""
    return session.stack_map.value(entry)


def new_idempotency_key() -> str:
    return f"qa-checkout-{uuid.uuid4()}"


def checkout(session: Session, offer: ImportedOffer, hold_id: str | None, key: str | None):
    """The QA account's checkout of an imported offer (its balances journaled first: `guard_qa_money`)."""
    c = session.config
    guard_qa_money(session)
    body = wl_shapes.checkout_request(session, hold_id=hold_id, account_id=c.qa_account_id, token=c.qa_token,
                                      quantity=1)
    return session.importer.checkout(offer.imported_offer_id, key, body)


def importer_trades_for_hold(session: Session, hold_id: str) -> int:
    return wl_sql.importer_trades_for_hold(session, hold_id)
