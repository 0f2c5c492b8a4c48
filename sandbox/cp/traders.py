"""Trader accounts (contract §5): show, upsert, sync from the WL, confirmation via telemetry."""
from __future__ import annotations

import uuid

from . import dates, db
from .validation import MAX_SIZE, Errors, too_long
from .web import CERT, ApiError, Req, Routes, not_found_empty
from .wl_client import WlUnreachable, call_as_wl

ROUTES = Routes()


def trader_json(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {"id": row["id"], "name": row["name"], "status": row["status"], "contactEmail": row["contact_email"],
            "contactPhone": row["contact_phone"], "issuedAt": row["issued_at"], "confirmedAt": row["confirmed_at"],
            "createdByAdmin": row["created_by_admin"]}


def trader_json_for(conn, wl_id: str) -> dict | None:
    return trader_json(conn.execute("SELECT * FROM cp_trader_accounts WHERE white_label_id = %s",
                                    (wl_id,)).fetchone())


def _status(value, current: str | None) -> str:
    if value is None:
        return current or "active"
    text = str(value).strip().lower()
    if text in ("paused", "inactive"):
        return text
    return "active" if text in ("active", "enabled", "up") else "inactive"


def upsert(conn, wl_id: str, body: dict, admin_id: str | None) -> dict:
    """The upsert of §5.2; raises ApiError on bad input. The WL row is locked first, so two upserts for one WL
    run one after the other (one trader per WL)."""
    conn.execute("SELECT 1 FROM cp_white_labels WHERE id = %s FOR UPDATE", (wl_id,))
    given_id = body.get("id")
    if given_id not in (None, ""):
        other = conn.execute("SELECT white_label_id FROM cp_trader_accounts WHERE id = %s",
                             (str(given_id),)).fetchone()
        if other and other["white_label_id"] != wl_id:
            raise ApiError(400, "Trader id already belongs to another WL")
    name = body.get("name")
    if name is None or not str(name).strip():
        raise ApiError(400, "Trader name is required")
    name = str(name).strip()
    current = conn.execute("SELECT * FROM cp_trader_accounts WHERE white_label_id = %s FOR UPDATE",
                           (wl_id,)).fetchone()
    email, phone = (None if body.get(k) is None else str(body[k]).strip() for k in ("contactEmail", "contactPhone"))
    errors = Errors()
    creator = admin_id if admin_id is not None else body.get("createdByAdmin")
    for value, size in ((name, 120), (email, 150), (phone, 60), (creator, 120)):
        errors.check(not too_long(value, size), MAX_SIZE)
    errors.raise_if_any()
    now = dates.now()
    values = dict(
        name=name, status=_status(body.get("status"), current and current["status"]),
        contact_email=email, contact_phone=phone,
        created_by_admin=admin_id if admin_id is not None else (
            None if body.get("createdByAdmin") is None else str(body["createdByAdmin"])),
        issued_at=dates.parse_flexible(body.get("issuedAt")) or now)
    confirmed = dates.parse_flexible(body.get("confirmedAt")) if body.get("confirmedAt") is not None else None
    if current:
        if confirmed is not None:
            values["confirmed_at"] = confirmed
        sets = ", ".join(f"{k} = %s" for k in values)
        return conn.execute(f"UPDATE cp_trader_accounts SET {sets}, last_updated = %s, version = version + 1"
                            " WHERE id = %s RETURNING *", (*values.values(), now, current["id"])).fetchone()
    # On insert the id is always generated (uuid2 generator, contract §5.2).
    return conn.execute(
        "INSERT INTO cp_trader_accounts (id, version, white_label_id, name, status, contact_email, contact_phone,"
        " created_by_admin, issued_at, confirmed_at, date_created, last_updated)"
        " VALUES (%s, 0, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING *",
        (str(uuid.uuid4()), wl_id, values["name"], values["status"], values["contact_email"],
         values["contact_phone"], values["created_by_admin"], values["issued_at"], confirmed, now, now)).fetchone()


@ROUTES.add("GET", "/wls/{id}/trader", CERT)
def show(req: Req):
    with db.tx() as conn:
        out = trader_json_for(conn, req.path_params["id"])
    if out is None:
        raise not_found_empty()
    return out


def _upsert_route(req: Req):
    body = req.obj()
    with db.tx() as conn:
        if not conn.execute("SELECT 1 FROM cp_white_labels WHERE id = %s", (req.path_params["id"],)).fetchone():
            raise ApiError(404, "Unknown white label")
        return trader_json(upsert(conn, req.path_params["id"], body, req.header("x-admin-id")))


ROUTES.add("POST", "/wls/{id}/trader", CERT)(_upsert_route)
ROUTES.add("PUT", "/wls/{id}/trader", CERT)(_upsert_route)


def _fail(status: int, message: str) -> ApiError:
    return ApiError(status, body={"ok": False, "error": message})


@ROUTES.add("POST", "/wls/{id}/trader/sync", CERT)
def sync(req: Req):
    wl = db.one("SELECT * FROM cp_white_labels WHERE id = %s", (req.path_params["id"],))
    if not wl:
        raise _fail(404, "Unknown white label")
    if not (wl["gateway_url"] or "").strip():
        raise _fail(400, "Missing gatewayUrl")
    try:
        response = call_as_wl("GET", wl, "/api/v2/control-plane/trader-account",
                              correlation_id=req.state["correlation_id"])
    except WlUnreachable as exc:
        raise _fail(500, f"WL call failed: {exc}") from None
    if response.status == 404:
        raise _fail(404, "Trader account not found on WL")
    if not response.ok:
        raise _fail(response.status, f"WL responded with status {response.status}")
    payload = response.json()
    if not isinstance(payload, dict) or payload.get("id") in (None, ""):
        raise _fail(422, "WL payload missing id")
    with db.tx() as conn:
        # TraderAccountController.sync: X-Admin-Id, else X-Client-Id (behind Traefik: proxy-mtls)
        row = upsert(conn, wl["id"], payload, req.header("x-admin-id") or req.header("x-client-id"))
    return {"ok": True, "traderId": row["id"], "wlId": wl["id"]}


def confirm_from_telemetry(conn, wl_id: str, event: dict, event_ts) -> None:
    """`trader.account.confirmed` (§5.4): set confirmedAt when the trader belongs to the event's WL. As in the
    real TraderAccountService.processTelemetry, `cpTraderId` | `traderId` and `confirmedAt` are read from the
    event's top level (the ingest hands it the whole event), not from its payload."""
    trader_id = event.get("cpTraderId") or event.get("traderId")
    if not trader_id:
        return
    given = event.get("confirmedAt")
    confirmed = event_ts if not given else (dates.parse_flexible(given) or dates.now())
    conn.execute("UPDATE cp_trader_accounts SET confirmed_at = %s, last_updated = %s"
                 " WHERE id = %s AND white_label_id = %s", (confirmed, dates.now(), str(trader_id), wl_id))
