"""Manual approval of exporter-pending trades (contract §8.6–§8.8): pending list, approve/reject
through the exporter WL with a peer token, and trade details. All BEARER (any role)."""
from __future__ import annotations

import json
import uuid

from . import dates, db, tokens, trade_details
from .numbers import dec, integer, money, payload_total
from .web import BEARER, ApiError, Req, Routes
from .wl_client import WlUnreachable, call

ROUTES = Routes()

_PENDING_SQL = ("SELECT * FROM cp_telemetry WHERE event_type = 'TRADER_PURCHASE'"
                " AND upper(payload::jsonb ->> 'role') = 'EXPORTER' AND upper(payload::jsonb ->> 'status') = 'PENDING'")


def _names() -> dict:
    return {r["id"]: r["name"] for r in db.all("SELECT id, name FROM cp_white_labels")}


def pending(req: Req):
    exporter, importer = req.q("wlExporter"), req.q("wlImporter")
    since, until = dates.parse_offset(req.q("from")), dates.parse_offset(req.q("to"))
    rows = db.all(_PENDING_SQL + " ORDER BY event_timestamp DESC, date_created DESC")
    decided = {r["trade_id"] for r in db.all("SELECT trade_id FROM cp_trade_approvals")}
    names, seen, items = _names(), set(), []
    for row in rows:
        payload = json.loads(row["payload"])
        trade_id = payload.get("tradeId")
        origin, target = payload.get("originWhiteLabelId"), payload.get("targetWhiteLabelId")
        if trade_id in (None, "") or not origin or not target:
            continue
        trade_id = str(trade_id)
        if trade_id in seen:
            continue
        if (exporter and origin != exporter) or (importer and target != importer) \
                or (since and row["event_timestamp"] < since) or (until and row["event_timestamp"] > until):
            continue
        seen.add(trade_id)
        if trade_id in decided:
            continue
        items.append({"tradeId": trade_id, "externalTradeId": payload.get("externalTradeId"),
                      "originWhiteLabelId": origin, "targetWhiteLabelId": target,
                      "originOfferId": payload.get("originOfferId"),
                      "requestedQuantity": payload.get("requestedQuantity"), "unitPrice": payload.get("unitPrice"),
                      "totalValue": payload_total(payload), "status": payload.get("status"),
                      "eventTimestamp": row["event_timestamp"], "source": "telemetry",
                      "wlExporterName": names.get(origin), "wlImporterName": names.get(target)})
    return {"items": items, "count": len(items)}


def _approval_json(row: dict) -> dict:
    return {"id": row["id"], "tradeId": row["trade_id"], "externalTradeId": row["external_trade_id"],
            "originWhiteLabelId": row["origin_white_label_id"], "targetWhiteLabelId": row["target_white_label_id"],
            "decision": row["decision"], "reason": row["reason"], "statusBefore": row["status_before"],
            "statusAfter": row["status_after"], "decidedByUserId": row["decided_by_user_id"],
            "decidedByRole": row["decided_by_role"], "createdAt": row["date_created"],
            "updatedAt": row["last_updated"]}


def decide(req: Req, approve: bool):
    trade_id = req.path_params["tradeId"]
    reason = req.obj().get("reason")
    reason = None if reason in (None, "") else str(reason)
    if reason is not None and len(reason) > 255:
        raise ApiError(400, "reason must be at most 255 characters")
    with db.tx() as conn:
        if conn.execute("SELECT 1 FROM cp_trade_approvals WHERE trade_id = %s", (trade_id,)).fetchone():
            raise ApiError(409, "trade already decided")
        event = conn.execute(
            _PENDING_SQL + " AND (payload::jsonb ->> 'tradeId' = %s OR payload::jsonb ->> 'externalTradeId' = %s"
            " OR id = %s) ORDER BY event_timestamp DESC, date_created DESC LIMIT 1",
            (trade_id, trade_id, trade_id)).fetchone()
        if not event:
            raise ApiError(400, "pending trade not found")
        payload = json.loads(event["payload"])
        origin, target = payload.get("originWhiteLabelId"), payload.get("targetWhiteLabelId")
        if not origin or not target:
            raise ApiError(400, "trade missing wl identifiers")
        now = dates.now()
        row = conn.execute(
            "INSERT INTO cp_trade_approvals (id, trade_id, external_trade_id, origin_white_label_id,"
            " target_white_label_id, decision, reason, requested_quantity, unit_price, currency, status_before,"
            " decided_by_user_id, decided_by_role, date_created, last_updated)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (trade_id) DO NOTHING RETURNING *",
            (str(uuid.uuid4()), trade_id, payload.get("externalTradeId"), str(origin), str(target),
             "APPROVED" if approve else "REJECTED", reason, integer(payload.get("requestedQuantity")),
             money(dec(payload.get("unitPrice"))), str(payload.get("currency") or "X")[:10],
             str(payload.get("status") or "PENDING"), req.state["admin_user_id"], req.state["admin_user_role"],
             now, now)).fetchone()
        if row is None:  # decided concurrently
            raise ApiError(409, "trade already decided")
        exporter = conn.execute("SELECT * FROM cp_white_labels WHERE id = %s", (origin,)).fetchone()
        if not exporter or not (exporter["gateway_url"] or "").strip():
            raise ApiError(400, "exporter gatewayUrl missing")
        try:
            token = tokens.peer_token(str(target), str(origin), ["trader:purchase"])
        except tokens.PeerTokenError as err:
            raise ApiError(400 if err.status == 400 else 409, err.message) from None
        action = "approve" if approve else "reject"
        body = {"reason": reason} if (not approve and reason is not None) else None
        try:
            response = call("POST", exporter["gateway_url"], f"/api/v2/trader/purchases/{trade_id}/{action}",
                            token=token, body=body, send_json_header=True)
        except WlUnreachable as exc:
            raise ApiError(500, f"exporter call failed: {exc}") from None
        status_after = "CONFIRMED" if approve else "REJECTED"
        row = conn.execute(
            "UPDATE cp_trade_approvals SET status_after = %s, exporter_response_code = %s,"
            " exporter_response_body = %s, last_updated = %s WHERE id = %s RETURNING *",
            (status_after, response.status, response.text, dates.now(), row["id"])).fetchone()
    return {"approval": _approval_json(row),
            "exporter": {"statusCode": response.status, "responseBody": response.text, "statusAfter": status_after}}


def details(req: Req):
    with db.tx() as conn:
        event = trade_details.find_event(conn, req.path_params["tradeId"])
    if not event:
        raise ApiError(400, "trade not found")
    payload = json.loads(event["payload"])
    if not payload.get("originWhiteLabelId") or not payload.get("targetWhiteLabelId"):
        raise ApiError(400, "trade missing wl identifiers")
    wls = {r["id"]: r for r in db.all("SELECT id, name, gateway_url FROM cp_white_labels")}
    out = trade_details.build(event, wls)
    return {k: v for k, v in out.items() if not k.startswith("_")}


for prefix in ("/trades", "/api/v2/trader/purchases"):
    ROUTES.add("GET", f"{prefix}/pending", BEARER)(pending)
    ROUTES.add("POST", f"{prefix}/{{tradeId}}/approve", BEARER)(lambda req: decide(req, True))
    ROUTES.add("POST", f"{prefix}/{{tradeId}}/reject", BEARER)(lambda req: decide(req, False))
for path in ("/trades/{tradeId}/details", "/api/v2/trader/purchases/{tradeId}/details",
             "/api/v2/control-plane/trader/purchases/{tradeId}/details"):
    ROUTES.add("GET", path, BEARER)(details)
