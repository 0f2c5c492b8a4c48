"""Exporter preflight and holds (contract wl.md §3.6).

`POST /api/v2/trader/purchase/preflight` (peer token, scope trader:purchase) checks the origin offer
before any payment and creates a hold for `settings.hold_ttl_seconds`:
  201 {holdId, unitPrice, expiresAt, status:"HELD", ...}
  200 {status:"REJECTED", reason: OUT_OF_STOCK | OFFER_INACTIVE | PRICE_CHANGED, unitPrice}
Stock is checked before price (a sold-out offer is OUT_OF_STOCK whatever its price). Live holds
reserve stock: available = stock - quantities of unexpired HELD holds.
`GET /api/v2/trader/purchase/holds/{holdId}` tells the importer's checkout whether a hold is alive.
"""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from ..inputs import INT32_MAX
from . import tokens
from .db import iso, money, now
from .errors import ApiError, JSONResponse, int_param, json_body, text_field


def parse_price(value, name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ApiError(400, f"{name} must be numeric")
    try:
        price = Decimal(str(value))
    except InvalidOperation:
        raise ApiError(400, f"{name} must be numeric") from None
    if not price.is_finite() or price < 0:
        raise ApiError(400, f"{name} must be a non-negative number")
    return price


def available(conn, offer_id: int, exclude_hold: str | None = None) -> int:
    row = conn.execute(
        "SELECT o.stock - COALESCE((SELECT SUM(h.quantity) FROM offer_hold h WHERE h.offer_id = o.id"
        " AND h.status = 'HELD' AND h.expires_at > now() AND h.id IS DISTINCT FROM %s), 0) AS available"
        " FROM offer o WHERE o.id = %s", (exclude_hold, offer_id)).fetchone()
    return int(row["available"]) if row else 0


def rejected(reason: str, unit_price, **extra) -> dict:
    return {"status": "REJECTED", "reason": reason, "unitPrice": money(unit_price), **extra}


def requester_of(claims: dict, body: dict) -> str:
    requester = text_field(body, "requesterWlId") or claims.get("wlId")
    if not requester or requester != claims.get("wlId"):
        raise ApiError(403, "requesterWlId does not match the peer token", requesterWlId=requester)
    return requester


def _preflight(request: Request, body: dict):
    state = request.app.state.wl
    claims = tokens.peer_claims(request, state, scope="trader:purchase")
    requester = requester_of(claims, body)
    offer_id = int_param(body.get("originOfferId"), "originOfferId", minimum=1, required=True)
    quantity = int_param(body.get("quantity"), "quantity", minimum=1, default=1, high=INT32_MAX)
    trader, masked = text_field(body, "requesterTraderId"), text_field(body, "clientBuyerMasked")
    if quantity > 100000:
        raise ApiError(400, "quantity is too large")
    expected = parse_price(body.get("expectedUnitPrice", body.get("unitPrice")), "expectedUnitPrice")
    ttl = float(state.cfg.settings.hold_ttl_seconds)
    with state.db.tx() as conn:
        offer = conn.execute("SELECT id, price, stock, active FROM offer WHERE id = %s FOR UPDATE",
                             (offer_id,)).fetchone()
        if offer is None:
            raise ApiError(404, "Offer not found", originOfferId=offer_id)
        if not offer["active"]:
            return JSONResponse(rejected("OFFER_INACTIVE", offer["price"], originOfferId=offer_id))
        free = available(conn, offer_id)
        if free < quantity:
            return JSONResponse(rejected("OUT_OF_STOCK", offer["price"], originOfferId=offer_id,
                                         availableQuantity=max(free, 0)))
        if expected is not None and expected != offer["price"]:
            return JSONResponse(rejected("PRICE_CHANGED", offer["price"], originOfferId=offer_id,
                                         expectedUnitPrice=money(expected)))
        hold_id = str(uuid.uuid4())
        expires = now() + dt.timedelta(seconds=ttl)
        conn.execute(
            "INSERT INTO offer_hold (id, offer_id, requester_wl_id, requester_trader_id, client_buyer_masked,"
            " quantity, unit_price, status, expires_at) VALUES (%s, %s, %s, %s, %s, %s, %s, 'HELD', %s)",
            (hold_id, offer_id, requester, trader, masked,
             quantity, offer["price"], expires))
    return JSONResponse({"holdId": hold_id, "status": "HELD", "unitPrice": money(offer["price"]),
                         "expiresAt": iso(expires, "milliseconds"), "ttlSeconds": ttl, "originOfferId": offer_id,
                         "quantity": quantity}, status_code=201)


async def preflight(request: Request):
    body = await json_body(request, required=True)
    return await run_in_threadpool(_preflight, request, body)


def hold_view(hold: dict) -> dict:
    status = hold["status"]
    if status == "HELD" and hold["expires_at"] <= now():
        status = "EXPIRED"
    return {"holdId": hold["id"], "status": status, "originOfferId": hold["offer_id"], "quantity": hold["quantity"],
            "unitPrice": money(hold["unit_price"]), "expiresAt": iso(hold["expires_at"], "milliseconds"),
            "requesterWlId": hold["requester_wl_id"], "tradeId": hold["trade_id"]}


def _hold(request: Request):
    state = request.app.state.wl
    claims = tokens.peer_claims(request, state, scope="trader:purchase")
    hold_id = request.path_params["hold_id"]
    hold = state.db.one("SELECT * FROM offer_hold WHERE id = %s", (hold_id,))
    if hold is None or hold["requester_wl_id"] != claims.get("wlId"):
        raise ApiError(404, "Hold not found", holdId=hold_id)
    return JSONResponse(hold_view(hold))


async def hold_status(request: Request):
    return await run_in_threadpool(_hold, request)
