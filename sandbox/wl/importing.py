"""Importer: `POST /api/v2/control-plane/debug/import` (contract wl.md §4.1, §6).

Auth: `Authorization: Bearer <peer token>` (RS256 by kid against the CP JWKS, exp, a peer token with `wlId` =
this importer, i.e. the token the importer minted for itself); otherwise 401 `Invalid Control Plane token`.
Without the scope `offers:sync`: 403 `Missing scope offers:sync`.

Steps: (1) if `cp_policy_cache` / `cp_relationship_cache` are empty, warn `policy.stale` /
`relationships.stale` and refresh them from the CP now; (2) for every configured exporter
(`SANDBOX_EXPORTERS_JSON`), page through its export (limit 500); (3) *discovery*: an exported offer is
discovered only when it is complete (title, description, imageUrl, categoryId, entityId and a positive
price) — incomplete offers are skipped; (4) *eligibility* from the caches: relationship exporter->importer
active, exporter policy export_enabled and visibility (importer in visibility_wls when visibility is on),
importer policy import_enabled, export delay (offer older than export_delay_days); unknown cache data does
not restrict; (5) upsert `imported_offer` (new rows get storefront offer ids 80001, 80002, ... in
origin-offer order; existing rows keep theirs); (6) offers of that exporter that are no longer exported are
deleted, or disabled (`eligible=false`, `lifecycle_status='DISABLED'`) when a trade references them.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from ..personality import current as current_personality
from . import tokens
from .db import now
from .errors import JSONResponse

log = logging.getLogger("xpory.core.controlplane")
PAGE = 500
_lock = threading.Lock()


def complete(item: dict) -> bool:
    try:
        price = Decimal(str(item.get("price")))
    except Exception:
        return False
    return bool(item.get("id")) and bool(str(item.get("title") or "").strip()) \
        and bool(str(item.get("description") or "").strip()) and bool(item.get("imageUrl")) \
        and item.get("categoryId") not in (None, "") and item.get("entityId") not in (None, "") and price > 0


def _page_url(base: str, path: str, offset: int) -> str:
    parts = urlsplit(base.rstrip("/") + (path if path.startswith("/") else "/" + path))
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k not in ("limit", "offset", "page", "size")]
    query += current_personality().export_page_params(PAGE, offset)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def fetch_export(state, exporter: dict, token: str) -> tuple[int, list[dict]]:
    path = exporter.get("path") or f"/api/v2/control-plane/export/offers?importerWlId={state.cfg.wl_id}"
    items, offset, total = [], 0, None
    while True:
        r = state.peers.get(_page_url(exporter["baseUrl"], path, offset),
                            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
        r.raise_for_status()
        data = r.json()
        data = current_personality().export.inward(data)  # the exporter speaks the personality's shape
        page = data.get("items") or []
        total = data.get("total", total)
        items.extend(page)
        offset += len(page)
        if not page or (total is not None and offset >= total) or len(page) < PAGE:
            break
    return (total if total is not None else len(items)), items


def _global_ineligibility(state, exporter_id: str) -> tuple[str | None, int, Decimal]:
    own = state.cfg.wl_id
    rel = state.db.one("SELECT status, fx_rate FROM cp_relationship_cache WHERE source_white_label_id=%s"
                       " AND target_white_label_id=%s", (exporter_id, own))
    exp = state.db.one("SELECT * FROM cp_policy_cache WHERE white_label_id=%s", (exporter_id,))
    imp = state.db.one("SELECT * FROM cp_policy_cache WHERE white_label_id=%s", (own,))
    fx = Decimal(rel["fx_rate"]) if rel and rel["fx_rate"] else Decimal(1)
    delay = int(exp["export_delay_days"] or 0) if exp else 0
    reason = None
    if rel and rel["status"] and rel["status"] != "active":
        reason = "RELATIONSHIP_NOT_ACTIVE"
    elif exp and exp["export_enabled"] is False:
        reason = "EXPORT_DISABLED"
    elif imp and imp["import_enabled"] is False:
        reason = "IMPORT_DISABLED"
    elif exp and exp["visibility_enabled"]:
        try:
            visible = json.loads(exp["visibility_wls"] or "[]")
        except ValueError:
            visible = []
        if own not in visible:
            reason = "NOT_VISIBLE"
    return reason, delay, fx


def _created(item: dict) -> dt.datetime | None:
    value = item.get("createdAt")
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def import_exporter(state, exporter: dict, token: str) -> dict:
    exporter_id = exporter["id"]
    total, items = fetch_export(state, exporter, token)
    discovered = sorted((i for i in items if complete(i)), key=lambda i: int(i["id"]))
    reason, delay, fx = _global_ineligibility(state, exporter_id)
    cutoff = now() - dt.timedelta(days=delay) if delay > 0 else None
    rows = []
    for item in discovered:
        why = reason
        created = _created(item)
        if why is None and cutoff is not None and created is not None and created > cutoff:
            why = "EXPORT_DELAY"
        price = Decimal(str(item["price"])).quantize(Decimal("0.01"))
        rows.append(dict(
            exporter=exporter_id, origin=int(item["id"]), title=str(item["title"])[:500],
            description=item.get("description"), image=item.get("imageUrl"), category=str(item["categoryId"]),
            category_name=item.get("categoryName"), entity=str(item["entityId"]), entity_name=item.get("entityName"),
            price=price, fx=fx, display=(price * fx).quantize(Decimal("0.01")), stock=item.get("stock"),
            eligible=why is None, reason=why, created=created))
    with state.db.tx() as conn:
        existing = {r["origin_offer_id"]: r["id"] for r in conn.execute(
            "SELECT id, origin_offer_id FROM imported_offer WHERE exporter_wl_id=%s", (exporter_id,)).fetchall()}
        new = [r for r in rows if r["origin"] not in existing]
        old = [r for r in rows if r["origin"] in existing]
        with conn.cursor() as cur:
            if new:
                cur.executemany(
                    "INSERT INTO imported_offer (origin_offer_id, exporter_wl_id, title, description, image_url,"
                    " category_id, category_name, entity_id, entity_name, unit_price, fx_rate, display_price,"
                    " offers_available, eligible, ineligible_reason, lifecycle_status, origin_created_at)"
                    " VALUES (%(origin)s, %(exporter)s, %(title)s, %(description)s, %(image)s, %(category)s,"
                    " %(category_name)s, %(entity)s, %(entity_name)s, %(price)s, %(fx)s, %(display)s, %(stock)s,"
                    " %(eligible)s, %(reason)s, 'ENABLED', %(created)s)", new)
            if old:
                cur.executemany(
                    "UPDATE imported_offer SET title=%(title)s, description=%(description)s, image_url=%(image)s,"
                    " category_id=%(category)s, category_name=%(category_name)s, entity_id=%(entity)s,"
                    " entity_name=%(entity_name)s, unit_price=%(price)s, fx_rate=%(fx)s, display_price=%(display)s,"
                    " offers_available=%(stock)s, eligible=%(eligible)s, ineligible_reason=%(reason)s,"
                    " lifecycle_status='ENABLED', origin_created_at=%(created)s, updated_at=now()"
                    " WHERE exporter_wl_id=%(exporter)s AND origin_offer_id=%(origin)s", old)
        keep = [r["origin"] for r in rows]
        disabled = conn.execute(
            "UPDATE imported_offer SET eligible=false, lifecycle_status='DISABLED', ineligible_reason='NOT_EXPORTED',"
            " updated_at=now() WHERE exporter_wl_id=%s AND NOT (origin_offer_id = ANY(%s))"
            " AND id IN (SELECT imported_offer_id FROM cross_wl_trade WHERE imported_offer_id IS NOT NULL)",
            (exporter_id, keep)).rowcount
        removed = conn.execute(
            "DELETE FROM imported_offer WHERE exporter_wl_id=%s AND NOT (origin_offer_id = ANY(%s))"
            " AND id NOT IN (SELECT imported_offer_id FROM cross_wl_trade WHERE imported_offer_id IS NOT NULL)",
            (exporter_id, keep)).rowcount
    eligible = sum(1 for r in rows if r["eligible"])
    return {"exporterWlId": exporter_id, "name": exporter.get("name"), "exporterTotal": total,
            "itemsReceived": len(items), "totalOffersDiscovered": len(rows), "eligibleOffers": eligible,
            "skippedIncomplete": len(items) - len(rows), "created": len(new), "updated": len(old),
            "removed": removed, "disabled": disabled,
            "ineligibleReasons": sorted({r["reason"] for r in rows if r["reason"]})}


def _import(request: Request):
    state = request.app.state.wl
    token = tokens.bearer(request)
    tokens.peer_claims(request, state, scope="offers:sync", audience_self=False, wl_self=True)
    started = time.monotonic()
    with _lock:
        warnings = []
        if state.db.one("SELECT count(*) AS n FROM cp_policy_cache")["n"] == 0:
            warnings.append("policy.stale")
        if state.db.one("SELECT count(*) AS n FROM cp_relationship_cache")["n"] == 0:
            warnings.append("relationships.stale")
        if warnings:
            counts = state.poller.refresh()
            if counts["errors"]:
                warnings.append("cp.unreachable")
        per_exporter = []
        for exporter in state.cfg.exporters:
            try:
                per_exporter.append(import_exporter(state, exporter, token))
            except (httpx.HTTPError, ValueError) as exc:
                log.warning("import from %s failed: %s", exporter.get("id"), exc)
                warnings.append(f"exporter.unreachable:{exporter.get('id')}")
                per_exporter.append({"exporterWlId": exporter.get("id"), "name": exporter.get("name"),
                                     "error": f"{type(exc).__name__}: {exc}"[:300], "exporterTotal": 0,
                                     "totalOffersDiscovered": 0, "eligibleOffers": 0})
    summary = {
        "importerWlId": state.cfg.wl_id,
        "exporters": per_exporter,
        "exporterTotal": sum(e.get("exporterTotal", 0) for e in per_exporter),
        "totalOffersDiscovered": sum(e.get("totalOffersDiscovered", 0) for e in per_exporter),
        "eligibleOffers": sum(e.get("eligibleOffers", 0) for e in per_exporter),
        "skippedIncomplete": sum(e.get("skippedIncomplete", 0) for e in per_exporter),
        "removedOffers": sum(e.get("removed", 0) for e in per_exporter),
        "durationMs": int((time.monotonic() - started) * 1000),
    }
    return JSONResponse({"ok": True, "summary": summary, "warnings": warnings})


async def debug_import(request: Request):
    return await run_in_threadpool(_import, request)
