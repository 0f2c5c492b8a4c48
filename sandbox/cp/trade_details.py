"""Trade details from both WLs (contract §8.8, §11 #6), for `/trades/{id}/details` and the
enrichment of every `GET /trades` item (done concurrently, with short timeouts, failures swallowed)."""
from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

from . import db, tokens
from .numbers import dec, first, integer, money
from .wl_client import WlUnreachable, call

DETAILS_PATH = "/api/v2/control-plane/trader/purchases/{key}/details"
LIST_TIMEOUT = (0.5, 2.0)       # GET /trades enrichment (sandbox choice)
DETAILS_TIMEOUT = (5.0, 15.0)   # the real CP's timeouts
_pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="cp-details")
# GET /trades enrichment: complete details kept per (trade key, latest telemetry event id) for a few
# seconds, so a listing right after another does not call both WLs again for every trade; a new event
# for the trade changes the key (sandbox choice, see DECISIONS.md).
LIST_CACHE_SECONDS = 10.0
_list_cache: dict[tuple[str, str], tuple[float, dict]] = {}


def find_event(conn, key: str, extra_where: str = "") -> dict | None:
    """The latest TRADER_PURCHASE event whose tradeId, externalTradeId or row id equals `key`."""
    return conn.execute(
        "SELECT * FROM cp_telemetry WHERE event_type = 'TRADER_PURCHASE' AND"
        " (payload::jsonb ->> 'tradeId' = %s OR payload::jsonb ->> 'externalTradeId' = %s OR id = %s)"
        f" {extra_where} ORDER BY event_timestamp DESC, date_created DESC LIMIT 1", (key, key, key)).fetchone()


def _events_for(keys: list[str]) -> dict[str, dict]:
    """For each key, the latest matching event (one query for a whole listing)."""
    if not keys:
        return {}
    rows = db.all(
        "SELECT * FROM cp_telemetry WHERE event_type = 'TRADER_PURCHASE' AND"
        " (payload::jsonb ->> 'tradeId' = ANY(%s) OR payload::jsonb ->> 'externalTradeId' = ANY(%s))"
        " ORDER BY event_timestamp DESC, date_created DESC", (keys, keys))
    found: dict[str, dict] = {}
    wanted = set(keys)
    for row in rows:
        payload = json.loads(row["payload"])
        for key in (payload.get("tradeId"), payload.get("externalTradeId")):
            if key is not None and str(key) in wanted and str(key) not in found:
                found[str(key)] = row
    return found


def _keys(payload: dict) -> tuple[tuple[str, bool], tuple[str, bool]]:
    """((exporter key, lookup=external), (importer key, lookup=external)) chosen by the event's role."""
    trade_id, external = payload.get("tradeId"), payload.get("externalTradeId")
    trade_id = None if trade_id in (None, "") else str(trade_id)
    external = None if external in (None, "") else str(external)
    if str(payload.get("role") or "").upper() == "IMPORTER":
        return (external or trade_id, False), (trade_id or external, False)
    importer = (external, True) if external else (trade_id, False)
    return (trade_id or external, False), importer


def _fetch(wl: dict | None, key: str | None, external: bool, fallback: str | None, token: str | None,
           timeout) -> dict | None:
    if not wl or not key or not (wl.get("gateway_url") or "").strip():
        return None
    try:
        token = token or tokens.wl_token(wl["id"], ["policies:read"])
        attempts = [(key, external)] + ([(fallback, True)] if fallback else [])
        for number, (lookup_key, lookup_external) in enumerate(attempts):
            path = DETAILS_PATH.format(key=lookup_key) + ("?lookup=external" if lookup_external else "")
            response = call("GET", wl["gateway_url"], path, token=token, timeout=timeout)
            if not response.ok:
                return None
            data = response.json()
            if isinstance(data, dict) and data:
                return data
            if number == 0 and not response.text.strip() and fallback:
                continue  # empty 2xx: retry once with externalTradeId and lookup=external
            return None
    except (WlUnreachable, Exception):  # any failure leaves that side empty
        return None
    return None


def _get(data: dict | None, *path):
    value = data
    for step in path:
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value


def _side_total(data: dict | None):
    if not data:
        return None
    explicit = first(*(dec(data.get(k)) for k in ("totalPrice", "totalValue", "amount")))
    if explicit is not None:
        return explicit
    price = first(dec(data.get("unitPrice")), dec(_get(data, "purchase", "unitPrice")), dec(_get(data, "offer", "price")))
    qty = first(integer(data.get("requestedQuantity")), integer(data.get("confirmedQuantity")))
    return money(price * qty) if price is not None and qty is not None else None


def build(event: dict, wls: dict, timeout=DETAILS_TIMEOUT, tokens_by_wl: dict | None = None) -> dict:
    """The §8.8 response for one event; `wls` maps id → {id, name, gateway_url}."""
    payload = json.loads(event["payload"])
    origin, target = payload.get("originWhiteLabelId"), payload.get("targetWhiteLabelId")
    exporter_wl, importer_wl = wls.get(origin), wls.get(target)
    (exp_key, exp_ext), (imp_key, imp_ext) = _keys(payload)
    external = payload.get("externalTradeId") or None
    toks = tokens_by_wl or {}
    exp = _fetch(exporter_wl, exp_key, exp_ext, external, toks.get(origin), timeout)
    imp = _fetch(importer_wl, imp_key, imp_ext, external, toks.get(target), timeout)
    origin_offer = first(payload.get("originOfferId"), _get(exp, "originOfferId"), _get(exp, "offer", "id"),
                         _get(imp, "originOfferId"), _get(imp, "offer", "id"))
    gateway = (exporter_wl or {}).get("gateway_url")
    return {
        "tradeId": payload.get("tradeId"), "externalTradeId": payload.get("externalTradeId"),
        "originWhiteLabelId": origin, "targetWhiteLabelId": target,
        "wlExporterName": (exporter_wl or {}).get("name"), "wlImporterName": (importer_wl or {}).get("name"),
        "offerName": first(_get(exp, "offer", "name"), _get(imp, "offer", "name")),
        "originOfferId": origin_offer,
        "exporterTotalValue": _side_total(exp), "importerTotalValue": _side_total(imp),
        "originalOfferUrl": (f"{gateway.strip().rstrip('/')}/troca/oferta/{origin_offer}"
                             if gateway and origin_offer is not None else None),
        "exporter": {"wlId": origin, "wlName": (exporter_wl or {}).get("name"),
                     "clientName": _get(exp, "provider", "name"),
                     "clientPhone": first(_get(exp, "provider", "cell"), _get(exp, "provider", "phone")),
                     "price": first(_get(exp, "unitPrice"), _get(exp, "offer", "price"))},
        "importer": {"wlId": target, "wlName": (importer_wl or {}).get("name"),
                     "clientName": _get(imp, "buyer", "name"),
                     "clientPhone": first(_get(imp, "buyer", "cell"), _get(imp, "buyer", "phone")),
                     "price": first(_get(imp, "purchase", "unitPrice"), _get(imp, "purchase", "value"),
                                    _get(imp, "unitPrice"))},
    }


def list_fields(details: dict, quantity) -> dict:
    """The enrichment fields of a `GET /trades` item (§8.4), as TradeQueryService computes them: the sides'
    prices from the details, and the operational totals = that price × the projection's quantity."""
    exporter, importer = details.get("exporter") or {}, details.get("importer") or {}
    exporter_price, importer_price = dec(exporter.get("price")), dec(importer.get("price"))
    return {"offerName": details.get("offerName"),
            "exporterClientName": exporter.get("clientName"), "exporterClientPhone": exporter.get("clientPhone"),
            "importerClientName": importer.get("clientName"), "importerClientPhone": importer.get("clientPhone"),
            "exporterPrice": exporter_price, "importerPrice": importer_price, "importerFinalPrice": importer_price,
            "exporterTotalValue": _times(exporter_price, quantity),
            "importerTotalValue": _times(importer_price, quantity),
            "originOfferId": details.get("originOfferId"), "originalOfferUrl": details.get("originalOfferUrl")}


def _times(price, quantity):
    return None if price is None or quantity is None else price * quantity


def enrich_many(keys: list[str], wls: dict) -> dict[str, dict]:
    """Details of many trades at once: one token per WL, calls in parallel, short timeouts."""
    events = _events_for(keys)
    if not events:
        return {}
    needed = {wl_id for e in events.values() for wl_id in (
        json.loads(e["payload"]).get("originWhiteLabelId"), json.loads(e["payload"]).get("targetWhiteLabelId"))
        if wl_id in wls and (wls[wl_id].get("gateway_url") or "").strip()}
    toks = {}
    for wl_id in needed:
        try:
            toks[wl_id] = tokens.wl_token(wl_id, ["policies:read"])
        except Exception:
            pass
    out: dict[str, dict] = {}
    now = time.monotonic()
    futures = {}
    for key, event in events.items():
        cached = _list_cache.get((key, event["id"]))
        if cached is not None and now - cached[0] < LIST_CACHE_SECONDS:
            out[key] = cached[1]
        else:
            futures[key] = _pool.submit(build, event, wls, LIST_TIMEOUT, toks)
    for key, future in futures.items():
        try:
            out[key] = future.result(timeout=10)
        except Exception:
            out[key] = {}
        details = out[key]
        if (details.get("exporter") or {}).get("clientName") and (details.get("importer") or {}).get("clientName"):
            _list_cache[(key, events[key]["id"])] = (now, details)
    return out
