"""The trade projection `cp_trades` (contract §8.2), `GET /trades` (§8.4) and `/trades/backfill` (§8.5)."""
from __future__ import annotations

import json
import uuid

from . import dates, db, events, trade_details
from .coerce import truthy
from .numbers import dec, integer, money
from .web import CERT, Req, Routes, page

ROUTES = Routes()

UPPER = {"status": "status", "settlementStatus": "settlement_status", "eventName": "event_name",
         "approvalMode": "approval_mode", "approvalPath": "approval_path", "pendingReason": "pending_reason"}


def project(conn, payload: dict, event_ts) -> None:
    """Last write wins in ingest order; absent, null or zero values keep the previous value (the
    idempotencyKey too: an event without one keeps the key of an earlier event, never the ingest's fallback)."""
    key = events.trade_key(payload)
    if key is None:
        return
    now = dates.now()
    conn.execute("INSERT INTO cp_trades (id, version, trade_external_id, currency, date_created, last_updated)"
                 " VALUES (%s, 0, %s, 'X', %s, %s) ON CONFLICT (trade_external_id) DO NOTHING",
                 (str(uuid.uuid4()), key, now, now))
    row = conn.execute("SELECT * FROM cp_trades WHERE trade_external_id = %s FOR UPDATE", (key,)).fetchone()
    values: dict = {}
    for field, column in UPPER.items():
        if truthy(payload.get(field)):
            values[column] = str(payload[field]).upper()
    for field, column in (("tradeId", "trade_id"), ("originWhiteLabelId", "origin_white_label_id"),
                          ("targetWhiteLabelId", "target_white_label_id"), ("currency", "currency")):
        if truthy(payload.get(field)):
            values[column] = str(payload[field])
    price = dec(payload.get("unitPrice"))
    if price:
        values["unit_price"] = money(price)
    for field, column in (("requestedQuantity", "requested_quantity"), ("confirmedQuantity", "confirmed_quantity")):
        qty = integer(payload.get(field))
        if qty:
            values[column] = qty
    if truthy(payload.get("idempotencyKey")):
        values["idempotency_key"] = str(payload["idempotencyKey"])
    occurred = values["occurred_at"] = events.occurred_at(payload, event_ts)
    values["last_event_timestamp"] = event_ts
    status = values.get("status", row["status"])
    settlement = values.get("settlement_status", row["settlement_status"])
    event_name = values.get("event_name", row["event_name"])
    # derived timestamps, each set once, from the event's occurredAt (TradeProjectionService)
    if status == "CONFIRMED" and row["confirmed_at"] is None:
        values["confirmed_at"] = occurred
    if (settlement == "SETTLED" or event_name == "TRADE_SETTLED") and row["settled_at"] is None:
        values["settled_at"] = occurred
    if (settlement == "REFUNDED" or event_name == "TRADE_REFUNDED") and row["refunded_at"] is None:
        values["refunded_at"] = occurred
    values["last_updated"] = now
    sets = ", ".join(f"{k} = %s" for k in values)
    conn.execute(f"UPDATE cp_trades SET {sets}, version = version + 1 WHERE id = %s", (*values.values(), row["id"]))


def _total(row: dict):
    price = row["unit_price"]
    qty = row["confirmed_quantity"] if row["status"] == "CONFIRMED" else row["requested_quantity"]
    return money(price * qty) if price is not None and qty is not None else None


def _item(row: dict, names: dict) -> dict:
    return {
        "tradeId": row["trade_id"] or row["trade_external_id"] or row["id"],
        "tradeExternalId": row["trade_external_id"],
        "wlExporter": row["origin_white_label_id"], "wlImporter": row["target_white_label_id"],
        "status": row["status"] or "UNKNOWN",
        "createdAt": row["occurred_at"] or row["last_event_timestamp"] or row["date_created"],
        "unitPrice": row["unit_price"], "requestedQuantity": row["requested_quantity"],
        "confirmedQuantity": row["confirmed_quantity"], "totalValue": _total(row),
        "approvalMode": row["approval_mode"], "approvalPath": row["approval_path"],
        "pendingReason": row["pending_reason"], "settlementStatus": row["settlement_status"],
        "wlExporterName": names.get(row["origin_white_label_id"]),
        "wlImporterName": names.get(row["target_white_label_id"]),
    }


def _in_range(value, low, high) -> bool:
    return value is not None and (low is None or value >= low) and (high is None or value <= high)


@ROUTES.add("GET", "/trades")  # no guard in the real CP (§12.20)
def list_trades(req: Req):
    limit, offset = page(req, 50, 200, zero_means_default=False)  # TradeQueryService: limit 0 is 1
    since = dates.parse_offset(req.q("from", "dateStart", "dateStarts"))
    until = dates.parse_offset(req.q("to", "dateEnd", "dateEnds"))
    source, target = req.q("sourceId", "wlExporter"), req.q("targetId", "wlImporter")
    status = (req.q("status") or "").upper() or None
    client = (req.q("clientName") or "").lower() or None
    low, high = dec(req.q("minValue", "valueMin")), dec(req.q("maxValue", "valueMax"))
    rows = db.all("SELECT * FROM cp_trades WHERE origin_white_label_id IS NOT NULL"
                  " AND target_white_label_id IS NOT NULL"
                  " ORDER BY last_event_timestamp DESC NULLS LAST, date_created DESC")
    wls = {r["id"]: r for r in db.all("SELECT id, name, gateway_url FROM cp_white_labels")}
    names = {k: v["name"] for k, v in wls.items()}
    kept = [r for r in rows
            if (since is None or (r["last_event_timestamp"] and r["last_event_timestamp"] >= since))
            and (until is None or (r["last_event_timestamp"] and r["last_event_timestamp"] <= until))
            and (source is None or r["origin_white_label_id"] == source)
            and (target is None or r["target_white_label_id"] == target)
            and (status is None or (r["status"] or "UNKNOWN") == status)]
    needs_all = client is not None or low is not None or high is not None
    candidates = kept if needs_all else kept[offset:offset + limit]
    enriched = trade_details.enrich_many([r["trade_external_id"] for r in candidates], wls)
    items = []
    for row in candidates:
        item = _item(row, names)
        extra = enriched.get(row["trade_external_id"]) or {}
        # the quantity of the operational totals: confirmedQuantity when truthy, else requestedQuantity
        item.update(trade_details.list_fields(extra, row["confirmed_quantity"] or row["requested_quantity"]))
        items.append(item)
    if needs_all:
        if client is not None:
            items = [i for i in items if client in (i.get("exporterClientName") or "").lower()
                     or client in (i.get("importerClientName") or "").lower()]
        if low is not None or high is not None:
            items = [i for i in items if any(_in_range(dec(i.get(k)), low, high)
                                             for k in ("exporterTotalValue", "importerTotalValue", "totalValue"))]
        count = len(items)
        items = items[offset:offset + limit]
    else:
        count = len(kept)
    return {"items": items, "count": count, "limit": limit, "offset": min(offset, count)}


@ROUTES.add("POST", "/trades/backfill", CERT)
def backfill(req: Req):
    maximum = req.qint("max")
    sql = ("SELECT * FROM cp_telemetry WHERE event_type = 'TRADER_PURCHASE'"
           " ORDER BY event_timestamp, date_created")
    scanned = projected = skipped = 0
    with db.tx() as conn:
        rows = conn.execute(sql + (" LIMIT %s" if maximum and maximum > 0 else ""),
                            (maximum,) if maximum and maximum > 0 else None).fetchall()
        for row in rows:
            scanned += 1
            try:
                payload = json.loads(row["payload"])
            except ValueError:
                payload = None
            if not isinstance(payload, dict) or events.trade_key(payload) is None:
                skipped += 1
                continue
            project(conn, payload, row["event_timestamp"])
            projected += 1
        total = conn.execute("SELECT count(*) AS n FROM cp_trades").fetchone()["n"]
    return {"ok": True, "scanned": scanned, "projected": projected, "skipped": skipped, "totalTrades": total}
