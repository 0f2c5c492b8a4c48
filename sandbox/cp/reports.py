"""`GET /reports/trade-balance` (contract §9.1): bilateral balance per WL pair, from telemetry
events (v1) or from the trade projection (v2)."""
from __future__ import annotations

import json
import re
from decimal import Decimal

from . import dates, db
from .numbers import dec
from .web import CERT, Req, Routes, page

ROUTES = Routes()

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
STATUSES = ("CONFIRMED", "PENDING", "REJECTED", "UNKNOWN")


def _wants_v2(req: Req) -> bool:
    return ((req.q("version") or "").lower() in ("2", "v2") or (req.q("reportVersion") or "").lower() in ("2", "v2")
            or (req.q("mode") or "").lower() == "projection" or (req.q("useProjection") or "").lower() == "true")


def _stats() -> dict:
    return {"counts": dict.fromkeys(STATUSES, 0), "totals": {k: Decimal(0) for k in STATUSES},
            "settled": {"count": 0, "total": Decimal(0)}, "lastTradeAt": None}


class _Filters:
    """The trade filters of ReportService.buildTradeStats*: time window, wlId (either side), exporter/importer
    (a pair in both directions when both are given)."""

    def __init__(self, since, until, wl_id, exporter, importer):
        self.since, self.until, self.wl_id, self.exporter, self.importer = since, until, wl_id, exporter, importer

    def keeps(self, ts, src, dst) -> bool:
        if (self.since and ts and ts < self.since) or (self.until and ts and ts > self.until):
            return False
        if not src or not dst or (self.wl_id and self.wl_id not in (src, dst)):
            return False
        if self.exporter and self.importer:
            return (src, dst) in ((self.exporter, self.importer), (self.importer, self.exporter))
        return not ((self.exporter and src != self.exporter) or (self.importer and dst != self.importer))


def _add(stats: dict, key: tuple, status: str, price, qty, settled: bool, ts) -> None:
    entry = stats.setdefault(key, _stats())
    entry["counts"][status] = entry["counts"].get(status, 0) + 1
    if price is not None and qty is not None:
        entry["totals"][status] = entry["totals"].get(status, Decimal(0)) + price * qty
        if settled:
            entry["settled"]["count"] += 1
            entry["settled"]["total"] += price * qty
    if entry["lastTradeAt"] is None or (ts and ts > entry["lastTradeAt"]):
        entry["lastTradeAt"] = ts


def _from_telemetry(f: _Filters) -> dict:
    stats: dict = {}
    for row in db.all("SELECT payload, event_timestamp FROM cp_telemetry WHERE event_type = 'TRADER_PURCHASE'"):
        try:
            p = json.loads(row["payload"])
        except ValueError:
            continue
        if not isinstance(p, dict):
            continue
        src, dst, ts = p.get("originWhiteLabelId"), p.get("targetWhiteLabelId"), row["event_timestamp"]
        src, dst = (None if v in (None, "") else str(v) for v in (src, dst))
        if not f.keeps(ts, src, dst):
            continue
        status = str(p.get("status") or "UNKNOWN").upper()
        confirmed = dec(p.get("confirmedQuantity"))
        qty = confirmed if status == "CONFIRMED" and confirmed is not None else dec(p.get("requestedQuantity"))
        settled = str(p.get("eventName") or "").upper() == "TRADE_SETTLED" or \
            str(p.get("settlementStatus") or "").upper() == "SETTLED"
        _add(stats, (src, dst), status, dec(p.get("unitPrice")), qty, settled, ts)
    return stats


def _from_projection(f: _Filters) -> dict:
    stats: dict = {}
    for r in db.all("SELECT * FROM cp_trades"):
        ts = r["occurred_at"] or r["last_event_timestamp"] or r["date_created"]
        if not f.keeps(ts, r["origin_white_label_id"], r["target_white_label_id"]):
            continue
        status = (r["status"] or "UNKNOWN").upper()
        requested, confirmed = r["requested_quantity"], r["confirmed_quantity"]
        qty = confirmed if status == "CONFIRMED" and confirmed is not None else (confirmed or requested)
        settled = (r["event_name"] or "").upper() == "TRADE_SETTLED" or (r["settlement_status"] or "").upper() == "SETTLED"
        _add(stats, (r["origin_white_label_id"], r["target_white_label_id"]), status, r["unit_price"],
             None if qty is None else Decimal(qty), settled, ts)
    return stats


def _trade_stats(f: _Filters, projection: bool) -> dict:
    """Stats per (source, target): from the projection in v2 mode unless its *filtered* stats are empty, then
    from telemetry (v1) — the report still says v2 (ReportService.buildTradeStats)."""
    if projection:
        stats = _from_projection(f)
        if stats:
            return stats
    return _from_telemetry(f)


def _rel(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {"sourceId": row["source_id"], "targetId": row["target_id"], "fxRate": row["fx_rate"],
            "limitAmount": row["limit_amount"], "status": row["status"], "updatedAt": row["last_updated"]}


@ROUTES.add("GET", "/reports/trade-balance", CERT)
def trade_balance(req: Req):
    limit, offset = page(req, 100, 200)
    since, until = dates.parse_offset(req.q("from")), dates.parse_offset(req.q("to"))
    wl_id, exporter, importer = req.q("wlId"), req.q("wlExporter"), req.q("wlImporter")
    status = (req.q("status") or "").lower() or None
    include_orphans = (req.q("includeOrphans") or "").lower() == "true"
    known = {r["id"] for r in db.all("SELECT id FROM cp_white_labels")}
    rels = []
    for r in db.all("SELECT * FROM cp_relationships"):
        src, dst = r["source_id"], r["target_id"]
        if not (_UUID.match(src) and _UUID.match(dst)):
            continue
        if not include_orphans and (src not in known or dst not in known):
            continue
        if wl_id and wl_id not in (src, dst):
            continue
        if exporter and importer:
            if {src, dst} != {exporter, importer}:
                continue
        elif (exporter and src != exporter) or (importer and dst != importer):
            continue
        if status and r["status"] != status:
            continue
        rels.append(r)
    projection = _wants_v2(req)
    stats = _trade_stats(_Filters(since, until, wl_id, exporter, importer), projection)
    if not include_orphans:
        stats = {k: v for k, v in stats.items() if k[0] in known and k[1] in known}
    pairs: dict[tuple, dict] = {}
    for r in rels:
        a, b = sorted((r["source_id"], r["target_id"]))
        pairs.setdefault((a, b), {})["aToB" if r["source_id"] == a else "bToA"] = r
    items = []
    for (a, b), found in pairs.items():
        a_to_b, b_to_a = stats.get((a, b)) or _stats(), stats.get((b, a)) or _stats()
        updated = max((x["last_updated"] for x in found.values()), default=None)
        last_trade = max((t for t in (a_to_b["lastTradeAt"], b_to_a["lastTradeAt"]) if t), default=None)
        exported, imported = a_to_b["totals"]["CONFIRMED"], b_to_a["totals"]["CONFIRMED"]
        items.append({"wlAId": a, "wlBId": b,
                      "availability": {"hasAToB": "aToB" in found, "hasBToA": "bToA" in found},
                      "relationships": {"aToB": _rel(found.get("aToB")), "bToA": _rel(found.get("bToA"))},
                      "lastUpdated": updated, "tradeMetrics": {"aToB": a_to_b, "bToA": b_to_a},
                      "totals": {"totalExported": exported, "totalImported": imported,
                                 "balance": exported - imported},
                      "lastTradeAt": last_trade})
    items.sort(key=lambda i: i["lastUpdated"] or i["lastTradeAt"] or dates.now().min, reverse=True)
    status_totals = {k: sum(entry["counts"].get(k, 0) for entry in stats.values()) for k in STATUSES}
    totals = {"relationships": len(items),
              "active": sum(1 for r in rels if r["status"] == "active"),
              "blocked": sum(1 for r in rels if r["status"] == "blocked"),
              "inactive": sum(1 for r in rels if r["status"] == "inactive"),
              "totalLimit": sum((r["limit_amount"] for r in rels), Decimal(0)),
              "tradeStatusTotals": status_totals}
    return {"generatedAt": dates.now(),
            "filters": {"from": since, "to": until, "wlId": wl_id, "wlImporter": importer, "wlExporter": exporter,
                        "reportVersion": "v2" if projection else "v1"},
            "totals": totals, "count": len(items), "relationships": items[offset:offset + limit]}
