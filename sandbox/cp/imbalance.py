"""Imbalance signals (contract §9.3): record, dispatch synchronously to the target WL, acknowledge."""
from __future__ import annotations

import time
import uuid

from . import dates, db
from .validation import MAX_SIZE, Errors, too_long
from .web import CERT, ApiError, Req, Routes, json_response
from .wl_client import WlUnreachable, call_as_wl

ROUTES = Routes()

ATTEMPTS = 3
BACKOFF_S = 0.5


def _json(row: dict) -> dict:
    return {"id": row["id"], "sourceId": row["source_id"], "targetId": row["target_id"], "action": row["action"],
            "reason": row["reason"], "initiatedBy": row["initiated_by"], "updatedBy": row["updated_by"],
            "updatedSource": row["updated_source"], "effectiveFrom": row["effective_from"],
            "effectiveUntil": row["effective_until"], "acknowledged": row["acknowledged"],
            "dispatchStatus": row["dispatch_status"], "dispatchAttempts": row["dispatch_attempts"],
            "dispatchError": row["dispatch_error"]}


def _date(value):
    if value in (None, ""):
        return None
    parsed = dates.parse_offset(value)
    if parsed is None:
        raise ApiError(400, "Invalid date format")
    return parsed


def _opt(value, size: int):
    return None if value is None else str(value)[:size]


@ROUTES.add("POST", "/imbalance/signals", CERT)
def submit(req: Req):
    body = req.obj()
    source = body.get("sourceId") or body.get("src")
    target = body.get("targetId") or body.get("dst")
    if not source or not target:
        raise ApiError(400, "sourceId and targetId are required")
    action = body.get("action")
    if action in (None, ""):
        raise ApiError(400, "action is required")
    action = str(action).strip().lower()
    if action not in ("block", "unblock"):
        raise ApiError(400, "action must be block or unblock")
    by = body.get("updatedBy")
    if by is None:
        by = req.header("x-client-id") or req.header("x-admin-id") or body.get("updated_by") or body.get("initiatedBy")
    origin = body.get("updatedSource") or body.get("updated_source") or body.get("source") \
        or req.header("x-client-source") or req.header("x-source")
    effective_from = _date(body.get("effectiveFrom")) or dates.now()
    effective_until = _date(body.get("effectiveUntil"))
    errors = Errors()  # ImbalanceSignal constraints: ValidationException → 422 in the real controller
    for value, size in ((source, 36), (target, 36), (body.get("reason"), 500), (body.get("initiatedBy"), 120),
                        (by, 120), (origin, 120)):
        errors.check(not too_long(value, size), MAX_SIZE)
    errors.raise_if_any()
    now = dates.now()
    row = db.one(
        "INSERT INTO cp_imbalance_signals (id, version, source_id, target_id, action, reason, initiated_by,"
        " effective_from, effective_until, date_created, last_updated, updated_by, updated_source)"
        " VALUES (%s, 0, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING *",
        (str(uuid.uuid4()), str(source), str(target), action, _opt(body.get("reason"), 500),
         _opt(body.get("initiatedBy"), 120), effective_from, effective_until, now, now, _opt(by, 120),
         _opt(origin, 120)))
    row = _dispatch(row, req.state["correlation_id"])
    return json_response(_json(row), 202)


def _dispatch(row: dict, correlation_id: str) -> dict:
    wl = db.one("SELECT * FROM cp_white_labels WHERE id = %s", (row["target_id"],))
    attempts, error, delivered = 0, None, False
    if not wl:
        error = f"Unknown target WL {row['target_id']}"
    elif not (wl["gateway_url"] or "").strip():
        error = f"Missing gatewayUrl for WL {row['target_id']}"
    else:
        body = {"sourceId": row["source_id"], "targetId": row["target_id"], "action": row["action"],
                "reason": row["reason"], "initiatedBy": row["initiated_by"],
                "effectiveFrom": dates.iso(row["effective_from"]), "effectiveUntil": dates.iso(row["effective_until"])}
        for attempt in range(1, ATTEMPTS + 1):
            attempts = attempt
            try:
                response = call_as_wl("POST", wl, "/api/v2/control-plane/imbalance/signals", body=body,
                                      correlation_id=correlation_id)
                if response.ok:
                    delivered, error = True, None
                    break
                error = f"HTTP {response.status}"
            except WlUnreachable as exc:
                error = str(exc)[:500]
            if attempt < ATTEMPTS:
                time.sleep(BACKOFF_S * attempt)
    now = dates.now()
    if delivered:  # sent, then ImbalanceService.acknowledge(id, 'dispatch')
        return db.one("UPDATE cp_imbalance_signals SET dispatch_status = 'acknowledged', dispatch_attempts = %s,"
                      " dispatched_at = %s, last_dispatch_at = %s, dispatch_error = NULL, acknowledged = true,"
                      " acknowledged_by = 'dispatch', acknowledged_at = %s, updated_by = 'dispatch',"
                      " updated_source = COALESCE(updated_source, 'ack'), last_updated = %s WHERE id = %s"
                      " RETURNING *", (attempts, now, now, now, now, row["id"]))
    return db.one("UPDATE cp_imbalance_signals SET dispatch_status = 'failed', dispatch_attempts = %s,"
                  " last_dispatch_at = %s, dispatch_error = %s, last_updated = %s WHERE id = %s RETURNING *",
                  (attempts, now if attempts else None, (error or "")[:500], now, row["id"]))


@ROUTES.add("POST", "/imbalance/signals/{id}/ack", CERT)
def ack(req: Req):
    body = req.obj()
    by = str(body.get("acknowledgedBy") or req.header("x-client-id") or "unknown")
    errors = Errors()  # acknowledgedBy maxSize 120 (the real controller leaves this ValidationException uncaught: 500)
    errors.check(not too_long(by, 120), MAX_SIZE)
    errors.raise_if_any()
    with db.tx() as conn:
        row = conn.execute("SELECT * FROM cp_imbalance_signals WHERE id = %s FOR UPDATE",
                           (req.path_params["id"],)).fetchone()
        if not row:
            raise ApiError(400, "Signal not found")
        if not row["acknowledged"]:  # ImbalanceService.acknowledge: the acknowledger becomes updatedBy
            now = dates.now()
            row = conn.execute("UPDATE cp_imbalance_signals SET acknowledged = true, acknowledged_by = %s,"
                               " acknowledged_at = %s, dispatch_status = 'acknowledged', updated_by = %s,"
                               " updated_source = COALESCE(updated_source, 'ack'), last_updated = %s"
                               " WHERE id = %s RETURNING *", (by, now, by, now, row["id"])).fetchone()
    return {"id": row["id"], "acknowledged": row["acknowledged"], "acknowledgedBy": row["acknowledged_by"],
            "acknowledgedAt": row["acknowledged_at"], "dispatchStatus": row["dispatch_status"],
            "updatedBy": row["updated_by"], "updatedSource": row["updated_source"]}
