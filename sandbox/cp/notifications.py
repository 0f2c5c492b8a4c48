"""Admin notifications (contract §9.2): generated on TRADER_PURCHASE ingest, read per user."""
from __future__ import annotations

import json
import uuid
from decimal import Decimal

from . import dates, db
from .numbers import dec, first, integer, payload_total
from .web import BEARER, ApiError, Req, Routes

ROUTES = Routes()

ALL_ROLES = ("MASTER", "MANAGER", "TRADER")
MANAGERS = ("MASTER", "MANAGER")


def _create(conn, kind: str, title: str, message: str, action_type: str, action_payload: dict,
            trade_id, origin, target, roles) -> None:
    now = dates.now()
    notification_id = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO cp_notifications (id, type, title, message, action_type, action_payload, trade_id,"
        " origin_white_label_id, target_white_label_id, date_created, last_updated, version)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 0)",
        (notification_id, kind, title, message, action_type, json.dumps(action_payload),
         trade_id, origin, target, now, now))
    users = conn.execute("SELECT id FROM cp_users WHERE status = 'active' AND role = ANY(%s)",
                         (list(roles),)).fetchall()
    for user in users:  # recipients: the users that exist at this moment
        conn.execute("INSERT INTO cp_notification_recipients (id, notification_id, user_id, delivered_at,"
                     " date_created, last_updated, version) VALUES (%s, %s, %s, %s, %s, %s, 0)",
                     (str(uuid.uuid4()), notification_id, user["id"], now, now, now))


def _name(conn, wl_id) -> str:
    row = conn.execute("SELECT name FROM cp_white_labels WHERE id = %s", (wl_id,)).fetchone()
    return row["name"] if row else str(wl_id)


def _money(value) -> str:
    return "N/A" if value is None else f"{Decimal(value):.2f}"


def _event_amount(payload: dict) -> Decimal:
    price = dec(payload.get("unitPrice"))
    status = str(payload.get("status") or "").upper()
    qty = (first(integer(payload.get("confirmedQuantity")), integer(payload.get("requestedQuantity")))
           if status == "CONFIRMED" else
           first(integer(payload.get("requestedQuantity")), integer(payload.get("confirmedQuantity"))))
    return price * qty if price is not None and qty is not None else Decimal(0)


def on_trade_event(conn, event_id: str, payload: dict) -> None:
    status = str(payload.get("status") or "").upper()
    role = str(payload.get("role") or "").upper()
    origin, target = str(payload["originWhiteLabelId"]), str(payload["targetWhiteLabelId"])
    trade_id = str(payload.get("tradeId") or payload.get("externalTradeId") or event_id)
    action = {"sourceId": origin, "targetId": target}
    message = f"{_name(conn, origin)} -> {_name(conn, target)} | {_money(payload_total(payload))}"
    for kind, title, action_type, wanted in (
            ("TRADE_NEW", "Novo trade", "OPEN_TRADES", status == "CONFIRMED"),
            ("TRADE_PENDING", "Trade pendente", "OPEN_PENDING_TRADES", status == "PENDING" and role == "EXPORTER")):
        if wanted and not conn.execute("SELECT 1 FROM cp_notifications WHERE type = %s AND trade_id = %s",
                                       (kind, trade_id)).fetchone():
            _create(conn, kind, title, message, action_type, action, trade_id, origin, target, ALL_ROLES)
    if status in ("CONFIRMED", "PENDING"):
        _limits(conn, origin, target, action)


def _limits(conn, origin: str, target: str, action: dict) -> None:
    rel = conn.execute("SELECT limit_amount FROM cp_relationships WHERE source_id = %s AND target_id = %s",
                       (origin, target)).fetchone()
    if not rel or not rel["limit_amount"] or rel["limit_amount"] <= 0:
        return
    rows = conn.execute(
        "SELECT payload FROM cp_telemetry WHERE event_type = 'TRADER_PURCHASE'"
        " AND payload::jsonb ->> 'originWhiteLabelId' = %s AND payload::jsonb ->> 'targetWhiteLabelId' = %s"
        " AND upper(payload::jsonb ->> 'status') IN ('CONFIRMED', 'PENDING')", (origin, target)).fetchall()
    total = sum((_event_amount(json.loads(r["payload"])) for r in rows), Decimal(0))
    limit = Decimal(rel["limit_amount"])
    ratio = total / limit
    if ratio >= 1:
        kind, title = "LIMIT_REACHED", "Limite atingido"
    elif ratio >= Decimal("0.7"):
        kind, title = "LIMIT_WARNING", "Limite proximo"
    else:
        return
    if conn.execute("SELECT 1 FROM cp_notifications WHERE type = %s AND origin_white_label_id = %s"
                    " AND target_white_label_id = %s", (kind, origin, target)).fetchone():
        return  # once ever per (type, origin, target)
    message = (f"{_name(conn, origin)} -> {_name(conn, target)} | {_money(total)} / {_money(limit)}"
               f" ({int(ratio * 100)}%)")
    _create(conn, kind, title, message, "OPEN_RELATIONSHIP", action, None, origin, target, MANAGERS)


def _item(row: dict) -> dict:
    action = None
    if row["action_type"]:
        try:
            payload = json.loads(row["action_payload"]) if row["action_payload"] else None
        except ValueError:
            payload = None
        action = {"type": row["action_type"], "payload": payload}
    return {"id": row["id"], "type": row["type"], "title": row["title"], "message": row["message"],
            "action": action, "tradeId": row["trade_id"], "originWhiteLabelId": row["origin_white_label_id"],
            "targetWhiteLabelId": row["target_white_label_id"], "createdAt": row["date_created"],
            "readAt": row["read_at"]}


@ROUTES.add("GET", "/notifications", BEARER)
def list_notifications(req: Req):
    limit = max(1, min(req.qint("limit", 50) or 50, 200))
    offset = max(0, req.qint("offset", 0) or 0)
    user = req.state["admin_user_id"]
    with db.tx() as conn:
        count = conn.execute("SELECT count(*) AS n FROM cp_notification_recipients WHERE user_id = %s",
                             (user,)).fetchone()["n"]
        rows = conn.execute(
            "SELECT n.*, r.read_at FROM cp_notification_recipients r JOIN cp_notifications n"
            " ON n.id = r.notification_id WHERE r.user_id = %s ORDER BY n.date_created DESC, n.id"
            " LIMIT %s OFFSET %s", (user, limit, offset)).fetchall()
    return {"items": [_item(r) for r in rows], "count": count, "limit": limit, "offset": offset}


@ROUTES.add("GET", "/notifications/unread-count", BEARER)
def unread_count(req: Req):
    row = db.one("SELECT count(*) AS n FROM cp_notification_recipients WHERE user_id = %s AND read_at IS NULL",
                 (req.state["admin_user_id"],))
    return {"count": row["n"]}


@ROUTES.add("POST", "/notifications/{id}/read", BEARER)
def mark_read(req: Req):
    with db.tx() as conn:
        row = conn.execute("SELECT * FROM cp_notification_recipients WHERE notification_id = %s AND user_id = %s"
                           " ORDER BY date_created LIMIT 1 FOR UPDATE",
                           (req.path_params["id"], req.state["admin_user_id"])).fetchone()
        if not row:
            raise ApiError(404, "notification not found")
        read_at = row["read_at"]
        if read_at is None:
            read_at = dates.now()
            conn.execute("UPDATE cp_notification_recipients SET read_at = %s, last_updated = %s WHERE id = %s",
                         (read_at, read_at, row["id"]))
    return {"id": req.path_params["id"], "readAt": read_at}
