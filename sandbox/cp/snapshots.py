"""Offer-category and entity snapshots of an exporter WL (contract §6): list and sync."""
from __future__ import annotations

import uuid

from . import dates, db
from .web import CERT, ApiError, Req, Routes
from .wl_client import WlUnreachable, call_as_wl

ROUTES = Routes()

PAGE = 200


def _int(value, default=0) -> int:
    try:
        return int(value) if value is not None and not isinstance(value, bool) else default
    except (TypeError, ValueError):
        return default


def _str(value) -> str | None:
    return None if value is None else str(value)


KINDS = {
    "categories": dict(
        table="cp_offer_category_snapshots", key="category_id", name="category_name", count="active_count",
        remote="/api/v2/control-plane/offer-categories",
        item=lambda r: {"exporterWlId": r["exporter_wl_id"], "categoryId": r["category_id"],
                        "name": r["category_name"], "activeCount": r["active_count"],
                        "collectedAt": r["collected_at"]},
        parse=lambda i: {"category_id": _str(i.get("categoryId") if i.get("categoryId") is not None else i.get("id")),
                         "category_name": _str(i.get("name") if i.get("name") is not None else i.get("categoryName")),
                         "active_count": _int(i.get("activeCount") if i.get("activeCount") is not None
                                              else i.get("active_count"))}),
    "entities": dict(
        table="cp_entity_snapshots", key="entity_id", name="name", count="active_offers_count",
        remote="/api/v2/control-plane/entities",
        item=lambda r: {"exporterWlId": r["exporter_wl_id"], "entityId": r["entity_id"], "name": r["name"],
                        "activeOffersCount": r["active_offers_count"], "status": r["status"],
                        "updatedAt": r["updated_at"], "collectedAt": r["collected_at"]},
        parse=lambda i: {"entity_id": _str(i.get("entityId") if i.get("entityId") is not None else i.get("id")),
                         "name": _str(i.get("name")),
                         "active_offers_count": _int(i.get("activeOffersCount") if i.get("activeOffersCount")
                                                     is not None else i.get("active_offers_count")),
                         "status": _str(i.get("status")),
                         "updated_at": dates.parse_instant(i.get("updatedAt") or i.get("updated_at"))}),
}


def _list(req: Req, kind: str):
    spec = KINDS[kind]
    wl_id = req.path_params["id"]
    if not db.one("SELECT 1 FROM cp_white_labels WHERE id = %s", (wl_id,)):
        raise ApiError(404, "Unknown white label")
    limit = max(1, min(req.qint("limit", PAGE) or PAGE, 1000))
    offset = max(0, req.qint("offset", 0) or 0)
    where, params = ["exporter_wl_id = %s"], [wl_id]
    if req.q("search"):
        where.append(f"lower({spec['name']}) LIKE %s")
        params.append(f"%{req.q('search').lower()}%")
    if (req.q("activeOnly") or "").lower() == "true":
        where.append(f"{spec['count']} > 0")
    clause = " AND ".join(where)
    with db.tx() as conn:
        count = conn.execute(f"SELECT count(*) AS n FROM {spec['table']} WHERE {clause}", params).fetchone()["n"]
        rows = conn.execute(f"SELECT * FROM {spec['table']} WHERE {clause} ORDER BY {spec['name']}, {spec['key']}"
                            " LIMIT %s OFFSET %s", (*params, limit, offset)).fetchall()
    return {"items": [spec["item"](r) for r in rows], "count": count}


def _fail(status: int, message: str) -> ApiError:
    return ApiError(status, body={"ok": False, "error": message})


def sync(wl_id: str, kind: str, correlation_id: str | None = None) -> dict:
    """Pull every page from the WL and upsert it (rows missing on the WL are never deleted)."""
    spec = KINDS[kind]
    wl = db.one("SELECT * FROM cp_white_labels WHERE id = %s", (wl_id,))
    if not wl:
        raise _fail(404, "Unknown white label")
    if not (wl["gateway_url"] or "").strip():
        raise _fail(400, "Missing gatewayUrl")
    upserted, offset = 0, 0
    while True:
        try:
            response = call_as_wl("GET", wl, f"{spec['remote']}?limit={PAGE}&offset={offset}",
                                  correlation_id=correlation_id or "")
        except WlUnreachable as exc:
            raise _fail(500, f"WL call failed: {exc}") from None
        if not response.ok:
            raise _fail(response.status, f"WL responded with status {response.status}")
        payload = response.json()
        items = payload if isinstance(payload, list) else (
            payload.get("items") if isinstance(payload, dict) and isinstance(payload.get("items"), list) else [])
        total = payload.get("count") if isinstance(payload, dict) else None
        if not items:
            break
        upserted += _upsert(wl_id, spec, items)
        if isinstance(total, (int, float)) and not isinstance(total, bool):
            offset += PAGE
            if offset >= total:
                break
        elif len(items) < PAGE:
            break
        else:
            offset += PAGE
    return {"ok": True, "count": upserted, "wlId": wl_id}


def _upsert(wl_id: str, spec: dict, items: list) -> int:
    count = 0
    now = dates.now()
    with db.tx() as conn:
        for item in items:
            if not isinstance(item, dict):
                continue
            values = spec["parse"](item)
            if values[spec["key"]] in (None, ""):
                continue
            columns = {"id": str(uuid.uuid4()), "exporter_wl_id": wl_id, **values, "collected_at": now,
                       "date_created": now, "last_updated": now}
            names = ", ".join(columns)
            marks = ", ".join(["%s"] * len(columns))
            updates = ", ".join(f"{k} = EXCLUDED.{k}" for k in (*values, "collected_at", "last_updated")
                                if k != spec["key"])
            conn.execute(f"INSERT INTO {spec['table']} ({names}) VALUES ({marks})"
                         f" ON CONFLICT (exporter_wl_id, {spec['key']}) DO UPDATE SET {updates},"
                         f" version = {spec['table']}.version + 1", tuple(columns.values()))
            count += 1
    return count


@ROUTES.add("GET", "/wls/{id}/offer-categories", CERT)
def list_categories(req: Req):
    return _list(req, "categories")


@ROUTES.add("GET", "/wls/{id}/entities", CERT)
def list_entities(req: Req):
    return _list(req, "entities")


@ROUTES.add("POST", "/wls/{id}/offer-categories/sync", CERT)
def sync_categories(req: Req):
    return sync(req.path_params["id"], "categories", req.state["correlation_id"])


@ROUTES.add("POST", "/wls/{id}/entities/sync", CERT)
def sync_entities(req: Req):
    return sync(req.path_params["id"], "entities", req.state["correlation_id"])
