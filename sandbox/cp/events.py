"""The low-level telemetry helpers every CP module may use: writing the CP's own events (nodeId
`control-plane`, contract §8.3) and reading a trade event's key and time (§8.1, §8.2).

The ingest of WL events, which projects trades and raises notifications, sits above (`telemetry.py`).
"""
from __future__ import annotations

import uuid

from . import dates
from .web import dumps

TRADER_PURCHASE = "TRADER_PURCHASE"
OCCURRED_AT_FIELDS = ("settlementAt", "executedAt", "expiresAt", "confirmedAt", "createdAt")


def record(conn, wl_id: str, event_type: str, payload: dict) -> str:
    """Write one CP-originated event (FK to cp_white_labels: an unknown WL raises)."""
    event_id = str(uuid.uuid4())
    now = dates.now()
    conn.execute(
        "INSERT INTO cp_telemetry (id, version, white_label_id, node_id, event_type, payload, event_timestamp,"
        " date_created, last_updated) VALUES (%s, 0, %s, 'control-plane', %s, %s, %s, %s, %s)",
        (event_id, wl_id, event_type, dumps(payload), now, now, now))
    return event_id


def occurred_at(payload: dict, event_ts) -> object:
    """As the real ingest and projection resolve it: the first *truthy* of settlementAt, executedAt, expiresAt,
    confirmedAt, createdAt; a number is epoch milliseconds, a string an ISO-8601 time with offset; anything
    else, an unparseable string included, gives the event time."""
    value = next((payload.get(name) for name in OCCURRED_AT_FIELDS if payload.get(name)), None)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return dates.from_epoch_ms(value)
        except (OverflowError, ValueError):
            return event_ts
    if isinstance(value, str):
        return dates.parse_offset(value) or event_ts
    return event_ts


def trade_key(payload: dict) -> str | None:
    """The projection key: externalTradeId, else tradeId."""
    value = payload.get("externalTradeId") or payload.get("tradeId")
    return None if value in (None, "") else str(value)
