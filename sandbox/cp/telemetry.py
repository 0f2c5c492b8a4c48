"""Telemetry (contract §8.1, §8.3): ingest from the WLs with TRADER_PURCHASE validation and dedupe
(projection, trader confirmation and notifications on top), and the query endpoint.
The CP's own events are written by `events.record`."""
from __future__ import annotations

import hashlib
import json
import uuid

import psycopg

from . import dates, db, notifications, traders, trades
from .events import TRADER_PURCHASE, occurred_at, trade_key
from .numbers import dec
from .validation import fits_integer, fits_numeric, out_of_column
from .web import CERT, ApiError, Req, Routes, json_response, page

ROUTES = Routes()



def _missing(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check_trade_numbers(payload: dict, where: str) -> None:
    """The numbers the projection stores must fit its columns (cp_trades.unit_price numeric(18,2), quantities
    integer); the real CP fails on the database (500, batch rolled back), here 400 naming the field."""
    price = dec(payload.get("unitPrice"))
    if price is not None and not fits_numeric(price, 18, 2):
        raise out_of_column(f"{where}.unitPrice", "cp_trades.unit_price numeric(18,2)")
    for name in ("requestedQuantity", "confirmedQuantity"):
        qty = dec(payload.get(name))
        if qty is not None and not (qty.adjusted() <= 18 and fits_integer(int(qty))):
            raise out_of_column(f"{where}.{name}", f"cp_trades.{name[:-8].lower()}_quantity integer")


def missing_trade_fields(payload: dict) -> list[str]:
    missing = [name for name in ("originWhiteLabelId", "targetWhiteLabelId", "unitPrice")
               if _missing(payload.get(name))]
    if _missing(payload.get("requestedQuantity")) and _missing(payload.get("confirmedQuantity")):
        missing.append("requestedQuantity/confirmedQuantity")
    return missing


def _events(body) -> list:
    if isinstance(body, list):
        events = body
    elif isinstance(body, dict) and isinstance(body.get("events"), list):
        events = body["events"]
    elif isinstance(body, dict) and body:
        events = [body]
    else:
        events = []
    if not events or not all(isinstance(e, dict) for e in events):
        raise ApiError(400, "Request body must contain telemetry event(s)")
    return events


def _dedupe(event_type: str, wl_id: str, node: str, payload: dict, event_ts) -> tuple[str, str]:
    occurred = occurred_at(payload, event_ts)
    ms = dates.epoch_ms(occurred)
    name = payload.get("eventName") or payload.get("status")
    key = payload.get("idempotencyKey")
    if _missing(key):
        key = f"fallback:{trade_key(payload) or 'unknown'}:{name or 'TRADE_STATUS'}:{ms}"
    raw = "|".join(str(x) for x in (event_type, wl_id, node, trade_key(payload) or "", name or "", ms, key))
    return str(key), hashlib.sha256(raw.encode("utf-8")).hexdigest()


@ROUTES.add("POST", "/telemetry/events")  # no guard in the real CP
def ingest(req: Req):
    events = _events(req.json())
    prepared = []
    for number, event in enumerate(events):
        wl_id = event.get("whiteLabelId")
        if _missing(wl_id):
            raise ApiError(400, "whiteLabelId is required on telemetry events")
        event_type = str(event.get("eventType") or "unspecified")
        payload = event.get("payload") if isinstance(event.get("payload"), dict) else {}
        if event_type == TRADER_PURCHASE:  # case-sensitive, as in the real TelemetryIngestService
            missing = missing_trade_fields(payload)
            if missing:
                raise ApiError(400, "TRADER_PURCHASE payload missing fields: " + ", ".join(missing))
            check_trade_numbers(payload, f"events[{number}].payload")
        prepared.append((event, str(wl_id), str(event.get("nodeId") or "unknown"), event_type, payload,
                         dates.parse_flexible(event.get("eventTimestamp")) or dates.now()))
    stored = []
    try:
        with db.tx() as conn:
            for event, wl_id, node, event_type, payload, ts in prepared:
                stored.append(_store(conn, event, wl_id, node, event_type, payload, ts))
    except psycopg.errors.ForeignKeyViolation:
        # Real CP: DataIntegrityViolation → 500 HTML; the whole batch is rolled back.
        raise ApiError(500, "Unknown whiteLabelId on telemetry event (cp_telemetry foreign key); "
                            "batch rejected") from None
    except psycopg.errors.StringDataRightTruncation:
        raise ApiError(500, "Telemetry value too long (whiteLabelId <= 36, nodeId <= 100, "
                            "eventType <= 120, idempotencyKey <= 255); batch rejected") from None
    return json_response({"stored": stored}, 202)


def _store(conn, event: dict, wl_id: str, node: str, event_type: str, payload: dict, ts) -> dict:
    is_trade = event_type == TRADER_PURCHASE
    own_key = None if _missing(payload.get("idempotencyKey")) else str(payload["idempotencyKey"])
    key, fingerprint = _dedupe(event_type, wl_id, node, payload, ts) if is_trade else (own_key, None)
    event_id, now = str(uuid.uuid4()), dates.now()
    row = conn.execute(
        "INSERT INTO cp_telemetry (id, version, white_label_id, node_id, event_type, payload, event_timestamp,"
        " date_created, last_updated, idempotency_key, dedupe_fingerprint)"
        " VALUES (%s, 0, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (dedupe_fingerprint) DO NOTHING RETURNING id, event_type, date_created",
        (event_id, wl_id, node, event_type, json.dumps(payload), ts, now, now, key, fingerprint)).fetchone()
    if row is None:  # duplicate: the existing row, no side effects
        row = conn.execute("SELECT id, event_type, date_created FROM cp_telemetry WHERE dedupe_fingerprint = %s",
                           (fingerprint,)).fetchone()
    else:
        if event_type.lower() == "trader.account.confirmed":
            traders.confirm_from_telemetry(conn, wl_id, event, ts)
        if is_trade:
            trades.project(conn, payload, ts)
            notifications.on_trade_event(conn, row["id"], payload)
    return {"id": row["id"], "eventType": row["event_type"], "receivedAt": row["date_created"]}


def event_json(row: dict) -> dict:
    try:
        payload = json.loads(row["payload"])
    except ValueError:
        payload = {}
    return {"id": row["id"], "whiteLabelId": row["white_label_id"], "nodeId": row["node_id"],
            "eventType": row["event_type"], "eventTimestamp": row["event_timestamp"], "payload": payload,
            "dateCreated": row["date_created"], "lastUpdated": row["last_updated"]}


@ROUTES.add("GET", "/telemetry/events", CERT)
def list_events(req: Req):
    limit, offset = page(req, 50, 200)
    where, params = [], []
    for name, column in (("whiteLabelId", "white_label_id"), ("eventType", "event_type"), ("nodeId", "node_id")):
        if req.q(name):
            where.append(f"{column} = %s")
            params.append(req.q(name))
    for name, op in (("from", ">="), ("to", "<=")):
        if req.q(name):
            parsed = dates.parse_offset(req.q(name))
            if parsed is None:
                raise ApiError(400, "Invalid date format")
            where.append(f"event_timestamp {op} %s")
            params.append(parsed)
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    with db.tx() as conn:
        count = conn.execute(f"SELECT count(*) AS n FROM cp_telemetry {clause}", params).fetchone()["n"]
        rows = conn.execute(f"SELECT * FROM cp_telemetry {clause} ORDER BY event_timestamp DESC, date_created DESC"
                            " LIMIT %s OFFSET %s", (*params, limit, offset)).fetchall()
    return {"items": [event_json(r) for r in rows], "count": count, "limit": limit, "offset": offset}
