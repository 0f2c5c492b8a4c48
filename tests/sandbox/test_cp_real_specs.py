"""The sandbox CP behaves as the real CP's own Spock specifications and services say (issue 12, read from
andrevilas/xpory-trader): TradeProjectionService, TradeQueryService, TraderAccountService.processTelemetry,
ImbalanceService/ImbalanceDispatchService, ReportService (v2 fallback), TelemetryIngestService (event type),
TraderAccountController.sync and GovernanceTelemetryService. Each test builds its own white labels on the
shared real stack, so it holds whatever else the stack has seen."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
from cp_fixtures import start_fake_wl
from real_stack import get_real_stack

DETAILS = "/api/v2/control-plane/trader/purchases/{key}/details"


@pytest.fixture(scope="module")
def stack():
    return get_real_stack()


@pytest.fixture(scope="module")
def gateway():
    """A WL gateway stand-in for the CP's outbound calls (details, trader account, imbalance signals)."""
    fake = start_fake_wl()
    yield fake
    fake.stop()


def _pair(stack, gateway_url: str | None = None) -> tuple[str, str]:
    """Two new white labels (exporter, importer) with an active relationship exporter -> importer."""
    ids = []
    with stack.cp_admin() as c:
        for role in ("exp", "imp"):
            name = f"spec-{role}-{uuid.uuid4().hex[:8]}"
            r = c.post("/wls", json={"name": name, "contactEmail": f"{name}@xpory.local", "gatewayUrl": gateway_url})
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
        assert c.put(f"/relationships/{ids[0]}/{ids[1]}", json={"status": "active"}).status_code == 200
    return ids[0], ids[1]


def _ingest(stack, *events: dict) -> list:
    with stack.cp_mtls() as c:
        r = c.post("/telemetry/events", json={"events": list(events)})
    assert r.status_code == 202, r.text
    return r.json()["stored"]


def _trade(exporter: str, importer: str, trade: str, **fields) -> dict:
    payload = {"role": "EXPORTER", "tradeId": trade, "externalTradeId": trade, "originWhiteLabelId": exporter,
               "targetWhiteLabelId": importer, "unitPrice": 10, "requestedQuantity": 2, **fields}
    return {"whiteLabelId": exporter, "nodeId": "spec", "eventType": "TRADER_PURCHASE", "payload": payload}


def _ms(value: dt.datetime) -> int:
    return int(value.replace(tzinfo=dt.UTC).timestamp() * 1000)


def test_projection_keeps_the_idempotency_key_and_dates_from_occurred_at(stack):
    """TradeProjectionServiceSpec: a later event without idempotencyKey keeps the earlier key (the sandbox used
    to overwrite it with the ingest's fallback key); confirmedAt/settledAt come from the event's occurredAt."""
    exporter, importer = _pair(stack)
    trade = f"spec-{uuid.uuid4()}"
    pending_at, settled_at = dt.datetime(2026, 3, 1, 12, 0, 0), dt.datetime(2026, 3, 1, 13, 0, 0)
    _ingest(stack, _trade(exporter, importer, trade, status="PENDING", eventName="TRADE_PENDING",
                          idempotencyKey="idem-1", executedAt=_ms(pending_at)))
    _ingest(stack, _trade(exporter, importer, trade, status="CONFIRMED", settlementStatus="SETTLED",
                          eventName="TRADE_SETTLED", confirmedQuantity=2, settlementAt=_ms(settled_at)))
    rows = stack.sql("xpory_cp", "SELECT idempotency_key, status, confirmed_at, settled_at, requested_quantity"
                     " FROM cp_trades WHERE trade_external_id = %s", (trade,))
    assert rows == [("idem-1", "CONFIRMED", settled_at, settled_at, 2)]
    keys = stack.sql("xpory_cp", "SELECT idempotency_key FROM cp_telemetry WHERE payload::jsonb ->> 'tradeId' = %s"
                     " ORDER BY date_created", (trade,))
    assert keys[0] == ("idem-1",) and keys[1][0].startswith(f"fallback:{trade}:TRADE_SETTLED:")


def test_trade_listing_totals_are_price_times_projection_quantity(stack, gateway):
    """TradeQueryServiceSpec: exporterTotalValue = exporter price x the projection's quantity and
    importerTotalValue = importer price x that quantity, whatever totals the WLs send (or none)."""
    exporter, importer = _pair(stack, gateway.url)
    trade = f"spec-{uuid.uuid4()}"
    path = DETAILS.format(key=trade)
    gateway.routes[("GET", path)] = (200, {"unitPrice": 10, "totalPrice": 999, "provider": {"name": "Fornecedor"},
                                           "purchase": {"unitPrice": 10.5}, "buyer": {"name": "Comprador"}})
    _ingest(stack, _trade(exporter, importer, trade, status="CONFIRMED", confirmedQuantity=2))
    with stack.cp_admin() as c:
        items = c.get("/trades", params={"sourceId": exporter, "targetId": importer}).json()["items"]
    assert [(i["tradeExternalId"], float(i["exporterTotalValue"]), float(i["importerTotalValue"]),
             float(i["totalValue"])) for i in items] == [(trade, 20.0, 21.0, 20.0)]
    assert items[0]["exporterClientName"] == "Fornecedor" and items[0]["importerClientName"] == "Comprador"


def test_trader_confirmation_reads_the_events_top_level(stack):
    """TraderAccountService.processTelemetry gets the whole event: cpTraderId/confirmedAt at the top level
    confirm; the same keys nested in payload do not (contract §5.4, corrected)."""
    top, nested = _pair(stack)
    trader = {}
    with stack.cp_admin() as c:
        for wl in (top, nested):
            r = c.post(f"/wls/{wl}/trader", json={"name": "Trader Spec"})
            assert r.status_code == 200 and r.json()["confirmedAt"] is None, r.text
            trader[wl] = r.json()["id"]
    _ingest(stack,
            {"whiteLabelId": top, "eventType": "trader.account.confirmed", "cpTraderId": trader[top],
             "confirmedAt": "2026-02-03T04:05:06Z", "payload": {}},
            {"whiteLabelId": nested, "eventType": "TRADER.ACCOUNT.CONFIRMED",
             "payload": {"cpTraderId": trader[nested], "confirmedAt": "2026-02-03T04:05:06Z"}})
    with stack.cp_admin() as c:
        assert c.get(f"/wls/{top}/trader").json()["confirmedAt"] == "2026-02-03T04:05:06Z"
        assert c.get(f"/wls/{nested}/trader").json()["confirmedAt"] is None


def test_imbalance_updated_by_and_source_after_dispatch_and_ack(stack, gateway):
    """ImbalanceDispatchService acknowledges a delivered signal as 'dispatch'; ImbalanceService.acknowledge makes
    the acknowledger the updatedBy and fills updatedSource with 'ack' when none was given."""
    source, target = _pair(stack, gateway.url)
    gateway.routes[("POST", "/api/v2/control-plane/imbalance/signals")] = (202, {"ok": True})
    _, unreachable = _pair(stack)  # no gatewayUrl: the dispatch fails, the WL acknowledges later
    with stack.cp_admin() as c:
        sent = c.post("/imbalance/signals", json={"sourceId": source, "targetId": target, "action": "block"}).json()
        kept = c.post("/imbalance/signals", json={"sourceId": source, "targetId": target, "action": "block",
                                                  "updatedSource": "ops"}).json()
        failed = c.post("/imbalance/signals", json={"sourceId": source, "targetId": unreachable,
                                                    "action": "unblock"}).json()
        acked = c.post(f"/imbalance/signals/{failed['id']}/ack", json={"acknowledgedBy": "wl-node"}).json()
    assert (sent["dispatchStatus"], sent["updatedBy"], sent["updatedSource"]) == ("acknowledged", "dispatch", "ack")
    assert (kept["updatedBy"], kept["updatedSource"]) == ("dispatch", "ops")
    assert (failed["dispatchStatus"], failed["updatedBy"], failed["updatedSource"]) == ("failed", "proxy-mtls", None)
    assert (acked["acknowledgedBy"], acked["updatedBy"], acked["updatedSource"]) == ("wl-node", "wl-node", "ack")


def test_report_v2_falls_back_to_telemetry_when_the_filtered_projection_is_empty(stack):
    """ReportServiceSpec: v2 reads the projection; when the projection rows left by the filters are none, the
    report reads telemetry instead (it still says v2). Other pairs' projections do not prevent the fallback."""
    exporter, importer = _pair(stack)
    trade = f"spec-{uuid.uuid4()}"
    _ingest(stack, _trade(exporter, importer, trade, status="PENDING"),
            _trade(exporter, importer, trade, status="CONFIRMED", confirmedQuantity=2))
    params = {"wlId": exporter, "version": "v2"}
    with stack.cp_admin() as c:
        projected = c.get("/reports/trade-balance", params=params).json()
        stack.sql("xpory_cp", "DELETE FROM cp_trades WHERE trade_external_id = %s", (trade,))
        fallback = c.get("/reports/trade-balance", params=params).json()
    assert stack.sql("xpory_cp", "SELECT count(*) FROM cp_trades")[0][0] > 0  # other pairs keep projections
    for report, counts in ((projected, {"CONFIRMED": 1, "PENDING": 0}), (fallback, {"CONFIRMED": 1, "PENDING": 1})):
        assert report["filters"]["reportVersion"] == "v2"
        (pair,) = report["relationships"]
        side = pair["tradeMetrics"]["aToB"] if pair["wlAId"] == exporter else pair["tradeMetrics"]["bToA"]
        assert {k: side["counts"][k] for k in counts} == counts
        assert float(side["totals"]["CONFIRMED"]) == 20.0


def test_only_the_exact_event_type_trader_purchase_is_a_trade(stack):
    """TelemetryIngestService compares eventType == 'TRADER_PURCHASE' (case-sensitive): another casing is
    stored as a plain event, neither validated nor projected."""
    exporter, importer = _pair(stack)
    trade = f"spec-{uuid.uuid4()}"
    plain = _trade(exporter, importer, trade, status="CONFIRMED")
    plain["eventType"] = "trader_purchase"
    stored = _ingest(stack, plain, {"whiteLabelId": exporter, "eventType": "Trader_Purchase", "payload": {}})
    assert [s["eventType"] for s in stored] == ["trader_purchase", "Trader_Purchase"]
    assert stack.sql("xpory_cp", "SELECT count(*) FROM cp_trades WHERE trade_external_id = %s", (trade,)) == [(0,)]
    with stack.cp_mtls() as c:
        r = c.post("/telemetry/events", json={"whiteLabelId": exporter, "eventType": "TRADER_PURCHASE", "payload": {}})
    assert r.status_code == 400 and r.json()["error"].startswith("TRADER_PURCHASE payload missing fields")


def test_trader_sync_without_x_admin_id_records_x_client_id(stack, gateway):
    """TraderAccountController.sync: createdByAdmin = X-Admin-Id, else X-Client-Id (proxy-mtls behind Traefik),
    never the WL's own createdByAdmin."""
    wl, _ = _pair(stack, gateway.url)
    gateway.routes[("GET", "/api/v2/control-plane/trader-account")] = (
        200, {"id": str(uuid.uuid4()), "name": "Trader Sync", "createdByAdmin": "wl-side"})
    with stack.cp_admin() as c:
        assert c.post(f"/wls/{wl}/trader/sync").json()["ok"] is True
        assert c.get(f"/wls/{wl}/trader").json()["createdByAdmin"] == "proxy-mtls"
        assert c.post(f"/wls/{wl}/trader/sync", headers={"X-Admin-Id": "admin-7"}).json()["ok"] is True
        assert c.get(f"/wls/{wl}/trader").json()["createdByAdmin"] == "admin-7"


def test_package_sent_events_carry_the_signature_value(stack):
    """GovernanceTelemetryService: POLICY_PACKAGE_SENT payload {signature: <value>} and RELATIONSHIP_PACKAGE_SENT
    {signature: <value>, targetId} — the base64 value, not the signature object."""
    exporter, importer = _pair(stack)
    with stack.cp_admin() as c:
        policy = c.get(f"/wls/{exporter}/policies").json()["signature"]["value"]
        relationship = c.get(f"/relationships/{exporter}/{importer}").json()["signature"]["value"]
        events = c.get("/telemetry/events", params={"whiteLabelId": exporter, "limit": 200}).json()["items"]
    payloads = {e["eventType"]: e["payload"] for e in events}
    assert payloads["POLICY_PACKAGE_SENT"] == {"signature": policy}
    assert payloads["RELATIONSHIP_PACKAGE_SENT"] == {"signature": relationship, "targetId": importer}
