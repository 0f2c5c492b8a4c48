"""`GET /reports/trade-balance` (contract §9.1): bilateral balance per WL pair, from telemetry
events (v1) or from the trade projection (v2)."""
from __future__ import annotations

import json
import re
from decimal import Decimal

from . import dates, db
from .numbers import dec, first, integer
from .web import CERT, Req, Routes, page

ROUTES = Routes()

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
STATUSES = ("CONFIRMED", "PENDING", "REJECTED", "UNKNOWN")


def _wants_v2(req: Req) -> bool:
    return ((req.q("version") or "").lower() in ("2", "v2") or (req.q("reportVersion") or "").lower() in ("2", "v2")
            or (req.q("mode") or "").lower() == "projection" or (req.q("useProjection") or "").lower() == "true")


def _amount(status: str, price, requested, confirmed) -> Decimal:
    qty = first(confirmed, requested) if status == "CONFIRMED" else first(requested, confirmed)
    return price * qty if price is not None and qty is not None else Decimal(0)


def _trades_v1(since, until) -> list[tuple]:
    rows = db.all("SELECT payload, event_timestamp FROM cp_telemetry WHERE upper(event_type) = 'TRADER_PURCHASE'")
    out = []
    for row in rows:
        ts = row["event_timestamp"]
        if (since and ts < since) or (until and ts > until):
            continue
        p = json.loads(row["payload"])
        status = str(p.get("status") or "UNKNOWN").upper()
        settled = str(p.get("settlementStatus") or "").upper() == "SETTLED" or \
            str(p.get("eventName") or "").upper() == "TRADE_SETTLED"
        out.append((p.get("originWhiteLabelId"), p.get("targetWhiteLabelId"), status,
                    _amount(status, dec(p.get("unitPrice")), integer(p.get("requestedQuantity")),
                            integer(p.get("confirmedQuantity"))), settled, ts))
    return out


def _trades_v2(since, until) -> list[tuple]:
    out = []
    for r in db.all("SELECT * FROM cp_trades"):
        ts = r["last_event_timestamp"] or r["date_created"]
        if (since and ts < since) or (until and ts > until):
            continue
        status = (r["status"] or "UNKNOWN").upper()
        settled = r["settlement_status"] == "SETTLED" or r["event_name"] == "TRADE_SETTLED"
        out.append((r["origin_white_label_id"], r["target_white_label_id"], status,
                    _amount(status, r["unit_price"], r["requested_quantity"], r["confirmed_quantity"]), settled, ts))
    return out


def _metrics(trades: list[tuple], src: str, dst: str) -> dict:
    counts = dict.fromkeys(STATUSES, 0)
    totals = {s: Decimal(0) for s in STATUSES}
    settled = {"count": 0, "total": Decimal(0)}
    last = None
    for origin, target, status, amount, is_settled, ts in trades:
        if origin != src or target != dst:
            continue
        counts[status] = counts.get(status, 0) + 1
        totals[status] = totals.get(status, Decimal(0)) + amount
        if is_settled:
            settled["count"] += 1
            settled["total"] += amount
        last = ts if last is None or ts > last else last
    return {"counts": counts, "totals": totals, "settled": settled, "lastTradeAt": last}


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
    version = "v2" if _wants_v2(req) else "v1"
    trades = _trades_v2(since, until) if version == "v2" else []
    if version == "v2" and not trades:
        version, trades = "v1", _trades_v1(since, until)
    elif version == "v1":
        trades = _trades_v1(since, until)
    pairs: dict[tuple, dict] = {}
    for r in rels:
        a, b = sorted((r["source_id"], r["target_id"]))
        pairs.setdefault((a, b), {})["aToB" if r["source_id"] == a else "bToA"] = r
    items = []
    for (a, b), found in pairs.items():
        a_to_b, b_to_a = _metrics(trades, a, b), _metrics(trades, b, a)
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
    status_totals = dict.fromkeys(STATUSES, 0)
    for item in items:
        for side in item["tradeMetrics"].values():
            for s in STATUSES:
                status_totals[s] += side["counts"].get(s, 0)
    totals = {"relationships": len(items),
              "active": sum(1 for r in rels if r["status"] == "active"),
              "blocked": sum(1 for r in rels if r["status"] == "blocked"),
              "inactive": sum(1 for r in rels if r["status"] == "inactive"),
              "totalLimit": sum((r["limit_amount"] for r in rels), Decimal(0)),
              "tradeStatusTotals": status_totals}
    return {"generatedAt": dates.now(),
            "filters": {"from": since, "to": until, "wlId": wl_id, "wlImporter": importer, "wlExporter": exporter,
                        "reportVersion": version},
            "totals": totals, "count": len(items), "relationships": items[offset:offset + limit]}
