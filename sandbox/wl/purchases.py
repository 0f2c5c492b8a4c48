"""Exporter side of a cross-WL purchase (contract wl.md §3.5, §3.7, §5).

* `POST /api/v2/trader/purchase` (peer token, scope trader:purchase, header Idempotency-Key): consumes
  the hold (or checks stock/price when no holdId), takes the stock, records the EXPORTER cross_wl_trade
  and decides by the cached relationship's approval_mode: MANUAL (default) => PENDING, AUTO => CONFIRMED,
  HYBRID => PENDING when a manual rule fires (amount, quantity, first trade, imbalance), else CONFIRMED.
* `GET /api/v2/trader/purchases/pending`, `POST /api/v2/trader/purchases/{tradeId}/approve|reject`.
  Deciding twice => 409. After a decision the exporter notifies the importer (background thread):
  `POST {importer}/api/v2/trader/purchases/{importerTradeId}/decision` with a peer token it mints for
  importer <- exporter (`POST /wls/{exporterId}/peer-token`, scope trader:purchase).
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from decimal import Decimal
from urllib.parse import quote

import httpx
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from ..inputs import INT32_MAX
from ..personality import current as current_personality
from . import ledger, tokens
from .cp_client import CPError
from .db import iso, money, now
from .errors import ApiError, JSONResponse, int_param, json_body, text_field
from .preflight import available, parse_price, rejected, requester_of
from .telemetry import purchase_payload

log = logging.getLogger("xpory.core.controlplane")


def approval_for(conn, exporter: str, importer: str, total: Decimal, quantity: int) -> tuple[str, str, str, str | None]:
    """(status, approvalMode, approvalPath, pendingReason) from cp_relationship_cache."""
    rel = conn.execute("SELECT * FROM cp_relationship_cache WHERE source_white_label_id=%s"
                       " AND target_white_label_id=%s", (exporter, importer)).fetchone()
    mode = ((rel or {}).get("approval_mode") or "MANUAL").upper()
    if mode == "AUTO":
        return "CONFIRMED", "AUTO", "AUTO", None
    if mode == "HYBRID":
        reason = None
        if rel["manual_approval_above_amount"] is not None and total > rel["manual_approval_above_amount"]:
            reason = "AMOUNT_ABOVE_THRESHOLD"
        elif rel["manual_approval_above_qty"] is not None and quantity > rel["manual_approval_above_qty"]:
            reason = "QTY_ABOVE_THRESHOLD"
        elif rel["manual_approval_on_first_trade"] and not conn.execute(
                "SELECT 1 FROM cross_wl_trade WHERE role='EXPORTER' AND importer_wl_id=%s AND exporter_wl_id=%s"
                " LIMIT 1", (importer, exporter)).fetchone():
            reason = "FIRST_TRADE"
        elif rel["manual_approval_on_imbalance"] and rel["limit_amount"]:
            open_total = conn.execute(
                "SELECT COALESCE(SUM(total_price),0) AS t FROM cross_wl_trade WHERE role='EXPORTER'"
                " AND importer_wl_id=%s AND status IN ('PENDING','CONFIRMED')", (importer,)).fetchone()["t"]
            if open_total + total > rel["limit_amount"]:
                reason = "IMBALANCE"
        if reason:
            return "PENDING", "HYBRID", "MANUAL", reason
        return "CONFIRMED", "HYBRID", "AUTO", None
    return "PENDING", "MANUAL", "MANUAL", "MANUAL_APPROVAL"


def _seller_account(conn, entity_id: str) -> dict | None:
    return conn.execute("SELECT id, xbalance_id FROM account WHERE entity_id=%s ORDER BY id LIMIT 1",
                        (entity_id,)).fetchone()


def _settle_seller(conn, trade: dict) -> int | None:
    seller = _seller_account(conn, trade["seller_entity_id"])
    if seller is None or seller["xbalance_id"] is None:
        return None
    return ledger.move(conn, seller["id"], seller["xbalance_id"], Decimal(trade["total_price"]), "SETTLEMENT_CREDIT",
                       trade["trade_id"], f"Venda cross-WL {trade['trade_id']}")


def trade_view(trade: dict) -> dict:
    return {
        "tradeId": trade["trade_id"],
        "externalTradeId": trade["external_trade_id"],
        "role": trade["role"],
        "status": trade["status"],
        "settlementStatus": trade["settlement_status"],
        "approvalMode": trade["approval_mode"],
        "approvalPath": trade["approval_path"],
        "pendingReason": trade["pending_reason"],
        "originWhiteLabelId": trade["exporter_wl_id"],
        "targetWhiteLabelId": trade["importer_wl_id"],
        "originOfferId": trade["origin_offer_id"],
        "offerName": trade["offer_title"],
        "requestedQuantity": trade["requested_quantity"],
        "confirmedQuantity": trade["confirmed_quantity"],
        "unitPrice": money(trade["unit_price"]),
        "totalPrice": money(trade["total_price"]),
        "currency": trade["currency"],
        "buyer": {"name": trade["buyer_name"], "cell": trade["buyer_cell"], "masked": trade["buyer_masked"]},
        "seller": {"name": trade["seller_name"], "cell": trade["seller_cell"]},
        "reason": trade["decision_reason"],
        "createdAt": iso(trade["created_at"]),
        "decidedAt": iso(trade["decided_at"]),
    }


# ----------------------------------------------------------------------------------- purchase
def _purchase(request: Request, body: dict):
    state = request.app.state.wl
    claims = tokens.peer_claims(request, state, scope="trader:purchase")
    key = (request.headers.get("idempotency-key") or "").strip()
    if not key:
        raise ApiError(400, "Idempotency-Key header is required")
    requester = requester_of(claims, body)
    offer_id = int_param(body.get("originOfferId"), "originOfferId", minimum=1, required=True)
    quantity = int_param(body.get("quantity"), "quantity", minimum=1, default=1, high=INT32_MAX)
    expected = parse_price(body.get("expectedUnitPrice", body.get("unitPrice")), "expectedUnitPrice")
    hold_id = text_field(body, "holdId")
    for name in ("importerTradeId", "clientBuyerMasked", "requesterTraderId"):
        text_field(body, name)
    scope = f"exporter-purchase:{requester}"
    replay = ledger.idem_begin(state.db, scope, key, ledger.request_hash(body))
    callback = None if replay is not None else _importer_gateway(state, requester)
    if replay is not None:
        return JSONResponse(replay[1], status_code=replay[0], headers={"Idempotent-Replay": "true"})
    try:
        status_code, answer, trade = _purchase_tx(state, requester, offer_id, quantity, expected, hold_id, key, body,
                                                  callback)
    except Exception:
        ledger.idem_abort(state.db, scope, key)
        raise
    ledger.idem_finish(state.db, scope, key, status_code, answer)
    if trade is not None:
        state.telemetry.emit(purchase_payload(trade, "EXPORTER", source="checkout"))
    return JSONResponse(answer, status_code=status_code)


def _importer_gateway(state, importer: str) -> str | None:
    """The importer's gatewayUrl as the CP holds it (None when the CP cannot tell now: looked up again at callback)."""
    try:
        return state.cp.gateway_url(importer)
    except CPError as exc:
        log.warning("importer gatewayUrl not known yet: %s", exc)
        return None


def _purchase_tx(state, requester, offer_id, quantity, expected, hold_id, key, body, callback):
    exporter = state.cfg.wl_id
    with state.db.tx() as conn:
        offer = conn.execute(
            "SELECT o.*, e.name AS entity_name, e.phone AS entity_phone FROM offer o JOIN entity e ON e.id=o.entity_id"
            " WHERE o.id=%s FOR UPDATE OF o", (offer_id,)).fetchone()
        if offer is None:
            raise ApiError(404, "Offer not found", originOfferId=offer_id)
        rel = conn.execute("SELECT status FROM cp_relationship_cache WHERE source_white_label_id=%s"
                           " AND target_white_label_id=%s", (exporter, requester)).fetchone()
        if rel is not None and rel["status"] and rel["status"] != "active":
            return 200, rejected("RELATIONSHIP_NOT_ACTIVE", offer["price"], originOfferId=offer_id), None
        unit_price = offer["price"]
        if hold_id:
            hold = conn.execute("SELECT * FROM offer_hold WHERE id=%s FOR UPDATE", (hold_id,)).fetchone()
            if hold is None or hold["requester_wl_id"] != requester:
                raise ApiError(404, "Hold not found", holdId=hold_id)
            if hold["offer_id"] != offer_id:
                raise ApiError(409, "Hold belongs to another offer", holdId=hold_id, originOfferId=hold["offer_id"])
            if hold["status"] != "HELD" or hold["expires_at"] <= now():
                return 200, rejected("HOLD_EXPIRED", hold["unit_price"], holdId=hold_id, originOfferId=offer_id), None
            quantity = hold["quantity"]
            unit_price = hold["unit_price"]
            if not offer["active"]:
                return 200, rejected("OFFER_INACTIVE", offer["price"], originOfferId=offer_id), None
            if offer["stock"] < quantity:
                return 200, rejected("OUT_OF_STOCK", offer["price"], originOfferId=offer_id), None
        else:
            if not offer["active"]:
                return 200, rejected("OFFER_INACTIVE", offer["price"], originOfferId=offer_id), None
            if available(conn, offer_id) < quantity:
                return 200, rejected("OUT_OF_STOCK", offer["price"], originOfferId=offer_id), None
            if expected is not None and expected != offer["price"]:
                return 200, rejected("PRICE_CHANGED", offer["price"], originOfferId=offer_id), None
        total = (Decimal(unit_price) * quantity).quantize(Decimal("0.01"))
        status, mode, path, reason = approval_for(conn, exporter, requester, total, quantity)
        trade_id = str(uuid.uuid4())
        buyer = body.get("buyer") if isinstance(body.get("buyer"), dict) else {}
        trade = conn.execute(
            "INSERT INTO cross_wl_trade (trade_id, external_trade_id, role, exporter_wl_id, importer_wl_id,"
            " origin_offer_id, offer_id, offer_title, status, settlement_status, approval_mode, approval_path,"
            " pending_reason, requested_quantity, confirmed_quantity, unit_price, total_price, buyer_name, buyer_cell,"
            " buyer_masked, requester_trader_id, seller_entity_id, seller_name, seller_cell, hold_id,"
            " idempotency_key, callback_url, decided_at, settled_at)"
            " VALUES (%s,%s,'EXPORTER',%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
            " RETURNING *",
            (trade_id, body.get("importerTradeId"), exporter, requester, offer_id, offer_id, offer["title"], status,
             "SETTLED" if status == "CONFIRMED" else "ESCROWED", mode, path, reason, quantity,
             quantity if status == "CONFIRMED" else 0, unit_price, total,
             str(buyer.get("name") or "")[:200] or None, str(buyer.get("cell") or buyer.get("phone") or "")[:40] or None,
             body.get("clientBuyerMasked"), body.get("requesterTraderId"), offer["entity_id"], offer["entity_name"],
             offer["entity_phone"], hold_id, key, callback,  # the CP's gatewayUrl, never the body's callbackUrl
             now() if status == "CONFIRMED" else None, now() if status == "CONFIRMED" else None)).fetchone()
        conn.execute("UPDATE offer SET stock = stock - %s, updated_at = now() WHERE id=%s", (quantity, offer_id))
        if hold_id:
            conn.execute("UPDATE offer_hold SET status='CONSUMED', trade_id=%s WHERE id=%s", (trade_id, hold_id))
        if status == "CONFIRMED":
            credit = _settle_seller(conn, trade)
            trade = conn.execute("UPDATE cross_wl_trade SET settlement_credit_xtransaction_id=%s WHERE id=%s"
                                 " RETURNING *", (credit, trade["id"])).fetchone()
    answer = {
        "tradeId": trade_id,
        "externalTradeId": trade["external_trade_id"],
        "status": status,
        "finalQty": quantity,
        "quantity": quantity,
        "unitPrice": money(unit_price),
        "totalPrice": money(total),
        "currency": "X",
        "approvalMode": mode,
        "approvalPath": path,
        "pendingReason": reason,
        "holdId": hold_id,
        "offer": {"id": offer_id, "name": offer["title"], "price": money(offer["price"])},
        "seller": {"name": offer["entity_name"], "cell": offer["entity_phone"], "entityId": offer["entity_id"]},
        "createdAt": iso(trade["created_at"]),
    }
    return 201, answer, trade


async def purchase(request: Request):
    body = await json_body(request, required=True)
    return await run_in_threadpool(_purchase, request, body)


# ----------------------------------------------------------------------------------- approvals
def _pending(request: Request):
    state = request.app.state.wl
    claims = tokens.peer_claims(request, state, scope="trader:purchase")
    rows = state.db.all("SELECT * FROM cross_wl_trade WHERE role='EXPORTER' AND status='PENDING'"
                        " AND importer_wl_id=%s ORDER BY created_at, id", (claims.get("wlId"),))
    items = [trade_view(r) for r in rows]
    return JSONResponse({"items": items, "count": len(items)})


async def pending(request: Request):
    return await run_in_threadpool(_pending, request)


def _decide(request: Request, body: dict, decision: str):
    state = request.app.state.wl
    claims = tokens.peer_claims(request, state, scope="trader:purchase")
    trade_id = request.path_params["trade_id"]
    reason = body.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise ApiError(400, "reason must be a string")
    reason = (reason or ("MANUAL_REJECT" if decision == "REJECTED" else "MANUAL_APPROVE"))[:255]
    with state.db.tx() as conn:
        trade = conn.execute("SELECT * FROM cross_wl_trade WHERE role='EXPORTER' AND (trade_id=%s OR"
                             " external_trade_id=%s) ORDER BY (trade_id=%s) DESC LIMIT 1 FOR UPDATE",
                             (trade_id, trade_id, trade_id)).fetchone()
        if trade is None or trade["importer_wl_id"] != claims.get("wlId"):
            raise ApiError(404, "trade not found", tradeId=trade_id)
        if trade["status"] != "PENDING":
            raise ApiError(409, "trade already decided", tradeId=trade["trade_id"], status=trade["status"])
        if decision == "CONFIRMED":
            trade = conn.execute(
                "UPDATE cross_wl_trade SET status='CONFIRMED', settlement_status='SETTLED', confirmed_quantity="
                "requested_quantity, decision_reason=%s, decided_at=now(), settled_at=now(), updated_at=now()"
                " WHERE id=%s RETURNING *", (reason, trade["id"])).fetchone()
            credit = _settle_seller(conn, trade)
            trade = conn.execute("UPDATE cross_wl_trade SET settlement_credit_xtransaction_id=%s WHERE id=%s"
                                 " RETURNING *", (credit, trade["id"])).fetchone()
        else:
            conn.execute("UPDATE offer SET stock = stock + %s, updated_at=now() WHERE id=%s",
                         (trade["requested_quantity"], trade["origin_offer_id"]))
            trade = conn.execute(
                "UPDATE cross_wl_trade SET status='REJECTED', settlement_status='REFUNDED', confirmed_quantity=0,"
                " decision_reason=%s, failure_reason=%s, decided_at=now(), settled_at=now(), updated_at=now()"
                " WHERE id=%s RETURNING *", (reason, reason, trade["id"])).fetchone()
    state.telemetry.emit(purchase_payload(trade, "EXPORTER", source="approval"))
    notify_importer(state, trade)
    view = trade_view(trade)
    view["importerNotification"] = "scheduled"
    return JSONResponse(view)


async def approve(request: Request):
    body = await json_body(request)
    return await run_in_threadpool(_decide, request, body, "CONFIRMED")


async def reject(request: Request):
    body = await json_body(request)
    return await run_in_threadpool(_decide, request, body, "REJECTED")


# ----------------------------------------------------------------------------------- importer callback
def notify_importer(state, trade: dict) -> None:
    threading.Thread(target=_notify, args=(state, dict(trade)), name="importer-callback", daemon=True).start()


def _notify(state, trade: dict) -> None:
    """The decision callback goes only to the gatewayUrl the CP holds for the importer, never to a URL the
    purchase body named (that would let any peer make the exporter post wherever it likes)."""
    importer_trade = trade["external_trade_id"]
    if not importer_trade:
        _callback_status(state, trade, "NO_CALLBACK")
        return
    body = {"exporterTradeId": trade["trade_id"], "importerTradeId": importer_trade, "status": trade["status"],
            "reason": trade["decision_reason"], "confirmedQuantity": trade["confirmed_quantity"],
            "decidedAt": iso(trade["decided_at"])}
    delay = 0.3
    for attempt in range(1, 7):
        try:
            base = trade["callback_url"] or state.cp.gateway_url(trade["importer_wl_id"])
            if base is None:
                _callback_status(state, trade, "NO_CALLBACK")
                return
            url = f"{base.rstrip('/')}/api/v2/trader/purchases/{quote(importer_trade, safe='')}/decision"
            token = state.cp.peer_token(trade["importer_wl_id"], ["trader:purchase"])
            r = state.peers.post(url, json=body, headers={"Authorization": f"Bearer {token}"})
            if r.status_code < 300 or r.status_code == 409:
                _callback_status(state, trade, current_personality().callback_delivered.format(status=r.status_code))
                return
            log.warning("importer callback %s -> %s %s", url, r.status_code, r.text[:200])
        except (CPError, httpx.HTTPError) as exc:
            log.warning("importer callback attempt %d failed: %s", attempt, exc)
        time.sleep(delay)  # retry backoff, not a fixed wait for a result
        delay = min(delay * 2, 5.0)
    _callback_status(state, trade, "FAILED")


def _callback_status(state, trade: dict, status: str) -> None:
    try:
        state.db.run("UPDATE cross_wl_trade SET callback_status=%s WHERE id=%s", (status, trade["id"]))
    except Exception as exc:  # the process may be stopping
        log.warning("could not record callback status: %s", exc)
