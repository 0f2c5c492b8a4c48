"""Preflight and holds (runbook step 10): the QA buyer, changes to the origin offer at the exporter
(undone afterwards), a hold made at the exporter and the importer's checkout."""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal

from .expect import expect
from .reset.runbook_steps import peer_token
from .session import Session
from .wait import until


def qa_offer(session: Session) -> dict:
    """A buyable imported offer not used before in this feature, with its origin offer id."""
    from .trading import fresh_offers

    return fresh_offers(session, 1)[0]


def qa_money(session: Session) -> dict:
    """The QA buyer's X$ and R$ balances and ledger size (SQL on the importer)."""
    account = session.config.qa_account_id
    db = session.db.importer
    return {
        "X$": Decimal(db.scalar("SELECT COALESCE(SUM(value),0) AS v FROM xbalance WHERE account_id=%s", (account,))),
        "R$": Decimal(db.scalar("SELECT COALESCE(SUM(value),0) AS v FROM rbalance WHERE account_id=%s", (account,))),
        "extrato": db.scalar("SELECT count(*) AS n FROM xtransaction WHERE account_id=%s", (account,)),
    }


def change_origin_offer(session: Session, origin_offer_id: int, *, price: Decimal | None = None,
                        stock: int | None = None) -> Callable[[], None]:
    """UPDATE the origin offer at the exporter (wl-01); returns the undo."""
    db = session.db
    before = db.exporter.rows("SELECT price, stock FROM offer WHERE id=%s", (origin_offer_id,))
    if not before:
        raise AssertionError(f"a oferta de origem {origin_offer_id} não existe no exportador")
    if price is not None:
        db.destructive(db.exporter, "UPDATE offer SET price=%s WHERE id=%s", (price, origin_offer_id))
    if stock is not None:
        db.destructive(db.exporter, "UPDATE offer SET stock=%s WHERE id=%s", (stock, origin_offer_id))
    old = before[0]
    return lambda: db.destructive(db.exporter, "UPDATE offer SET price=%s, stock=%s WHERE id=%s",
                                  (old["price"], old["stock"], origin_offer_id))


def importer_trader_id(session: Session) -> str | None:
    response = session.cp_admin.get_trader(session.config.importer_wl_id)
    return response.json().get("id") if response.status_code == 200 else None


def make_hold(session: Session, offer: dict) -> dict:
    """POST /api/v2/trader/purchase/preflight at the exporter with a peer token minted just now."""
    c = session.config
    token = peer_token(session, scopes=("trader:purchase",))
    body = {"originOfferId": int(offer["origin_offer_id"]), "quantity": 1, "requesterWlId": c.importer_wl_id,
            "requesterTraderId": importer_trader_id(session), "clientBuyerMasked": "qa***@xpory.local",
            "expectedUnitPrice": float(offer["unit_price"])}
    return expect(session.exporter.preflight(token, body), (200, 201), session, "preflight no exportador")


def wait_hold_expiry(session: Session, hold: dict) -> None:
    """Poll until the hold's expiresAt (the exporter's clock, in the answer) has passed; the deadline is
    the profile's TTL plus a margin. expiresAt comes at second precision, so the hold may live up to
    one second past it: wait for that second to pass too."""
    expires = dt.datetime.fromisoformat(hold["expiresAt"].replace("Z", "+00:00")) + dt.timedelta(seconds=1)
    ttl = session.config.hold_ttl_seconds
    until(lambda: dt.datetime.now(dt.UTC), lambda now: now > expires, timeout=ttl + 5, interval=0.1,
          max_interval=0.5, describe=f"o hold {hold['holdId']} expirar (TTL {ttl:g}s)",
          expected=(expires - dt.datetime.now(dt.UTC)).total_seconds())


def new_idempotency_key() -> str:
    return f"qa-checkout-{uuid.uuid4()}"


def checkout(session: Session, offer: dict, hold_id: str | None, key: str | None):
    c = session.config
    body = {"accountId": c.qa_account_id, "token": c.qa_token, "quantity": 1}
    if hold_id is not None:
        body["holdId"] = hold_id
    return session.importer.checkout(int(offer["imported_offer_id"]), key, body)


def importer_trades_for_hold(session: Session, hold_id: str) -> int:
    return session.db.importer.scalar("SELECT count(*) AS n FROM cross_wl_trade WHERE hold_id=%s", (hold_id,))
