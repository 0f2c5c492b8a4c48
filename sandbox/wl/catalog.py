"""Endpoints the CP calls for metadata (contract wl.md §3.4, §3.8; cp.md §11 #1-#4), CP service JWT.

* `GET /api/v2/control-plane/offer-categories?limit&offset` -> {items:[{categoryId,name,activeCount}],count}
* `GET /api/v2/control-plane/entities?limit&offset[&activeOnly][&name][&updatedSince]`
  -> {items:[{entityId,name,activeOffersCount,status,updatedAt}],count}
* `GET /api/v2/control-plane/trader-account` -> {id,name,status,contactEmail,contactPhone,whiteLabelId}
* `POST /api/v2/control-plane/imbalance/signals` -> 202, recorded in cp_imbalance_signal.
Both lists include zero-count rows and are ordered by id (categories) / name (entities); limit <= 1000.
"""
from __future__ import annotations

import datetime as dt
import json

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from . import tokens
from .db import iso
from .errors import ApiError, JSONResponse, int_param, json_body, text_field

MAX = 1000


def _page(request: Request) -> tuple[int, int]:
    q = request.query_params
    return (int_param(q.get("limit"), "limit", minimum=1, maximum=MAX, default=200),
            int_param(q.get("offset"), "offset", minimum=0, default=0))


def _categories(request: Request):
    state = request.app.state.wl
    tokens.cp_claims(request, state)
    limit, offset = _page(request)
    rows = state.db.all(
        "SELECT c.id, c.name, COUNT(o.id) FILTER (WHERE o.active) AS active_count, COUNT(*) OVER () AS total"
        " FROM offer_category c LEFT JOIN offer o ON o.category_id = c.id GROUP BY c.id, c.name"
        " ORDER BY c.id LIMIT %s OFFSET %s", (limit, offset))
    count = rows[0]["total"] if rows else state.db.one("SELECT count(*) AS n FROM offer_category")["n"]
    return JSONResponse({"items": [{"categoryId": r["id"], "name": r["name"], "activeCount": r["active_count"]}
                                   for r in rows], "count": count, "limit": limit, "offset": offset})


def _entities(request: Request):
    state = request.app.state.wl
    tokens.cp_claims(request, state)
    limit, offset = _page(request)
    q = request.query_params
    where, params = [], []
    if q.get("name"):
        where.append("e.name ILIKE %s")
        params.append(f"%{q['name']}%")
    if q.get("updatedSince"):
        try:
            since = dt.datetime.fromisoformat(q["updatedSince"].replace("Z", "+00:00"))
        except ValueError:
            raise ApiError(400, "updatedSince must be an ISO-8601 instant") from None
        where.append("e.updated_at >= %s")
        params.append(since)
    having = " HAVING COUNT(o.id) FILTER (WHERE o.active) > 0" if q.get("activeOnly") in ("true", "1") else ""
    sql = ("SELECT e.id, e.name, e.status, e.updated_at, COUNT(o.id) FILTER (WHERE o.active) AS active_count,"
           " COUNT(*) OVER () AS total FROM entity e LEFT JOIN offer o ON o.entity_id = e.id"
           + (" WHERE " + " AND ".join(where) if where else "")
           + " GROUP BY e.id" + having + " ORDER BY e.name, e.id LIMIT %s OFFSET %s")
    rows = state.db.all(sql, (*params, limit, offset))
    count = rows[0]["total"] if rows else 0
    if not rows and offset:
        count = len(state.db.all("SELECT e.id FROM entity e LEFT JOIN offer o ON o.entity_id = e.id"
                                 + (" WHERE " + " AND ".join(where) if where else "") + " GROUP BY e.id" + having,
                                 tuple(params)))
    return JSONResponse({"items": [{"entityId": r["id"], "name": r["name"], "activeOffersCount": r["active_count"],
                                    "status": r["status"], "updatedAt": iso(r["updated_at"])} for r in rows],
                         "count": count, "limit": limit, "offset": offset})


def _trader(request: Request):
    state = request.app.state.wl
    tokens.cp_claims(request, state)
    row = state.db.one("SELECT * FROM trader_accounts WHERE white_label_id=%s ORDER BY created_at LIMIT 1",
                       (state.cfg.wl_id,))
    if row is None:
        raise ApiError(404, "Trader account not found")
    return JSONResponse({"id": row["id"], "name": row["name"], "status": row["status"],
                         "contactEmail": row["contact_email"], "contactPhone": row["contact_phone"],
                         "whiteLabelId": row["white_label_id"], "correlationId": row["correlation_id"]})


def _imbalance(request: Request, body: dict):
    state = request.app.state.wl
    tokens.cp_claims(request, state)
    action = str(body.get("action") or "").lower()
    if action not in ("block", "unblock"):
        raise ApiError(400, "action must be block or unblock")
    fields = [text_field(body, name) for name in ("sourceId", "targetId", "reason", "initiatedBy")]
    state.db.run("INSERT INTO cp_imbalance_signal (source_id, target_id, action, reason, initiated_by, payload)"
                 " VALUES (%s, %s, %s, %s, %s, %s)",
                 (fields[0], fields[1], action, fields[2], fields[3], json.dumps(body, default=str)))
    return JSONResponse({"ok": True, "action": action}, status_code=202)


async def categories(request: Request):
    return await run_in_threadpool(_categories, request)


async def entities(request: Request):
    return await run_in_threadpool(_entities, request)


async def trader_account(request: Request):
    return await run_in_threadpool(_trader, request)


async def imbalance_signal(request: Request):
    body = await json_body(request, required=True)
    return await run_in_threadpool(_imbalance, request, body)
