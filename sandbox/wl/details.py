"""`GET /api/v2/control-plane/trader/purchases/{key}/details[?lookup=external]` (CP service JWT).

Lookup: by default `key` is matched against this side's trade id first, then the counterpart's id;
`lookup=external` tries the counterpart's id (`external_trade_id`) first. On both sides
`externalTradeId` of the telemetry is the exporter's trade id, so the CP finds the trade on each side
with the rules of cp.md §8.8. Names are real (entity/account names), never a placeholder.
"""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from . import tokens
from .db import iso, money
from .errors import ApiError, JSONResponse


def find_trade(db, key: str, external: bool) -> dict | None:
    order = "(external_trade_id = %s) DESC, (trade_id = %s) DESC" if external else \
        "(trade_id = %s) DESC, (external_trade_id = %s) DESC"
    return db.one(f"SELECT * FROM cross_wl_trade WHERE trade_id = %s OR external_trade_id = %s ORDER BY {order}"
                  " LIMIT 1", (key, key, key, key))


def view(trade: dict, state) -> dict:
    exporter = trade["role"] == "EXPORTER"
    exporter_trade = trade["trade_id"] if exporter else trade["external_trade_id"]
    offer_price = trade["unit_price"]
    offer_id = trade["origin_offer_id"] if exporter else trade["offer_id"]
    if not exporter and trade["imported_offer_id"]:
        row = state.db.one("SELECT display_price FROM imported_offer WHERE id=%s", (trade["imported_offer_id"],))
        if row:
            offer_price = row["display_price"]
    quantity = trade["confirmed_quantity"] if trade["status"] == "CONFIRMED" else trade["requested_quantity"]
    return {
        "tradeId": trade["trade_id"],
        "externalTradeId": exporter_trade,
        "counterpartTradeId": trade["external_trade_id"],
        "role": trade["role"],
        "status": trade["status"],
        "settlementStatus": trade["settlement_status"],
        "approvalMode": trade["approval_mode"],
        "offer": {"id": offer_id, "name": trade["offer_title"], "price": money(offer_price)},
        "originOfferId": trade["origin_offer_id"],
        "provider": {"name": trade["seller_name"], "cell": trade["seller_cell"], "phone": trade["seller_cell"]},
        "buyer": {"name": trade["buyer_name"], "cell": trade["buyer_cell"], "phone": trade["buyer_cell"],
                  "masked": trade["buyer_masked"]},
        "unitPrice": money(trade["unit_price"]),
        "purchase": {"unitPrice": money(trade["unit_price"]), "value": money(trade["total_price"]),
                     "quantity": quantity},
        "totalPrice": money(trade["total_price"]),
        "requestedQuantity": trade["requested_quantity"],
        "confirmedQuantity": trade["confirmed_quantity"],
        "currency": trade["currency"],
        "originWhiteLabelId": trade["exporter_wl_id"],
        "targetWhiteLabelId": trade["importer_wl_id"],
        "createdAt": iso(trade["created_at"]),
        "decidedAt": iso(trade["decided_at"]),
    }


def _details(request: Request):
    state = request.app.state.wl
    tokens.cp_claims(request, state)
    key = request.path_params["key"]
    external = request.query_params.get("lookup", "").lower() == "external"
    trade = find_trade(state.db, key, external)
    if trade is None:
        raise ApiError(404, "trade not found", tradeId=key)
    return JSONResponse(view(trade, state))


async def trade_details(request: Request):
    return await run_in_threadpool(_details, request)
