"""Cross-WL purchases: buy-offer refusals, preflight PRICE_CHANGED / OUT_OF_STOCK, approvals with escrow,
hold expiry and idempotent checkout, storefront texts."""
from __future__ import annotations

import time
import uuid

import pytest
from wl_fixtures import E, I, get_stack

from support.trading import PRIVILEGES_INSERT  # the runbook's INSERT, verbatim

BUY = "/api/v1/buy-offer"
PAY = '{"paymentType":"balanceAccount"}'


@pytest.fixture(scope="module")
def stack():
    s = get_stack()
    for db in ("wl-01", "wl-03"):
        s.sql(db, "TRUNCATE TABLE cp_policy_cache, cp_relationship_cache, offer_export_index RESTART IDENTITY CASCADE")
    s.cp.set_relationship(E, I, exportPolicy={"enabled": True, "exclude_categories": ["15"]})
    s.cp.set_relationship(I, E)
    s.exporter.poller.refresh()
    s.importer.poller.refresh()
    with s.imp() as c:
        r = c.post("/api/v2/control-plane/debug/import", headers={"Authorization": f"Bearer {s.cp.peer()}"})
    assert r.status_code == 200, r.text
    return s


def _offers(stack, n=1, offset=0):
    rows = stack.sql("wl-03", "SELECT i.offer_id, i.origin_offer_id, i.unit_price, i.id FROM imported_offer i"
                     " WHERE eligible AND lifecycle_status='ENABLED' AND COALESCE(offers_available,0) > 2"
                     " AND NOT EXISTS (SELECT 1 FROM cross_wl_trade t WHERE t.imported_offer_id=i.id)"
                     " ORDER BY offer_id OFFSET %s LIMIT %s", (offset, n))
    assert len(rows) == n
    return rows


def _buy(stack, offer_id, account=8780, token="codex-token-3", quantity=1):
    with stack.imp() as c:
        return c.post(BUY, data={"accountId": str(account), "token": token, "offerId": str(offer_id),
                                 "quantity": str(quantity), "paymentParams": PAY})


def _balance(stack, xbalance=8772):
    return float(stack.sql("wl-03", "SELECT value FROM xbalance WHERE id=%s", (xbalance,))[0][0])


def _ledger(stack):
    return stack.sql("wl-03", "SELECT count(*) FROM xtransaction")[0][0]


def test_buy_offer_refusals(stack):
    offer_id = _offers(stack)[0][0]
    assert _buy(stack, offer_id, token="wrong").status_code == 401
    bad = _buy(stack, "abc")
    assert bad.status_code == 400 and bad.json()["ok"] is False and "offerId" in bad.json()["msg"]
    # the runbook INSERT on an account that already has its row creates a duplicate
    stack.sql("wl-03", PRIVILEGES_INSERT, {"account": 8780})
    try:
        r = _buy(stack, offer_id)
        assert r.json()["ok"] is False and "More than one row with the given identifier" in r.json()["msg"]
        assert 400 <= r.status_code < 500
    finally:
        stack.sql("wl-03", "DELETE FROM account_privileges WHERE account_id=8780 AND id <> (SELECT min(id) FROM"
                  " account_privileges WHERE account_id=8780)")
    stack.sql("wl-03", "UPDATE account_privileges SET buy_offer=false WHERE account_id=8780")
    try:
        r = _buy(stack, offer_id)
        assert r.status_code == 403 and "buy_offer" in r.json()["msg"]
    finally:
        stack.sql("wl-03", "UPDATE account_privileges SET buy_offer=true WHERE account_id=8780")
    before = _balance(stack)
    stack.sql("wl-03", "UPDATE xbalance SET value=0 WHERE id=8772")
    try:
        assert _buy(stack, offer_id).json()["msg"] == "Saldo X$ insuficiente"
    finally:
        stack.sql("wl-03", "UPDATE xbalance SET value=%s WHERE id=8772", (str(before),))
    saved = stack.sql("wl-03", "SELECT account_id, xbalance_id, value, maturity_date FROM xtransaction_maturity"
                      " WHERE account_id=8780")
    stack.sql("wl-03", "DELETE FROM xtransaction_maturity WHERE account_id=8780")
    try:
        assert _buy(stack, offer_id).json()["msg"] == "Erro ao debitar em X$"
    finally:
        for row in saved:
            stack.sql("wl-03", "INSERT INTO xtransaction_maturity (account_id, xbalance_id, value, maturity_date)"
                      " VALUES (%s, %s, %s, %s)", row)


def test_preflight_price_changed_and_out_of_stock_debit_nothing(stack):
    (offer_id, origin, price, _), = _offers(stack, 1, offset=5)
    balance, ledger = _balance(stack, 90806), _ledger(stack)
    stack.sql("wl-01", "UPDATE offer SET price = price + 1 WHERE id=%s", (origin,))
    try:
        r = _buy(stack, offer_id, 90805, "qa-preflight-token").json()
        assert (r["ok"], r["status"], r["reason"]) == (False, "REJECTED", "PRICE_CHANGED")
        assert r["msg"] == "O preço desta oferta foi atualizado. Atualize a página e tente novamente."
    finally:
        stack.sql("wl-01", "UPDATE offer SET price = %s WHERE id=%s", (price, origin))
    stock = stack.sql("wl-01", "SELECT stock FROM offer WHERE id=%s", (origin,))[0][0]
    stack.sql("wl-01", "UPDATE offer SET stock = 0 WHERE id=%s", (origin,))
    try:
        r = _buy(stack, offer_id, 90805, "qa-preflight-token").json()
        assert (r["ok"], r["status"], r["reason"], r["msg"]) == (False, "REJECTED", "OUT_OF_STOCK", "Oferta esgotada.")
    finally:
        stack.sql("wl-01", "UPDATE offer SET stock = %s WHERE id=%s", (stock, origin))
    assert _balance(stack, 90806) == balance and _ledger(stack) == ledger


def test_manual_purchase_escrow_approve_reject_and_telemetry(stack):
    (a, _, _, _), (b, _, _, _) = _offers(stack, 2, offset=10)
    start = _balance(stack)
    stack.cp.telemetry.clear()
    ra, rb = _buy(stack, a).json(), _buy(stack, b).json()
    assert ra["ok"] and ra["status"] == "PENDING" and ra["tradeId"] and ra["externalTradeId"]
    assert _balance(stack) == pytest.approx(start - ra["totalPrice"] - rb["totalPrice"])  # held in escrow
    events = [e["payload"] for e in stack.cp.telemetry]
    assert {(e["role"], e["status"]) for e in events} == {("IMPORTER", "PENDING"), ("EXPORTER", "PENDING")}
    assert {e["externalTradeId"] for e in events} == {ra["externalTradeId"], rb["externalTradeId"]}
    token = stack.cp.peer(scopes=["trader:purchase"])
    with stack.exp(headers={"Authorization": f"Bearer {token}"}) as c:
        pending = c.get("/api/v2/trader/purchases/pending").json()
        ids = {t["tradeId"] for t in pending["items"]}
        assert {ra["externalTradeId"], rb["externalTradeId"]} <= ids
        ok = c.post(f"/api/v2/trader/purchases/{ra['externalTradeId']}/approve", json={})
        assert ok.status_code == 200 and ok.json()["status"] == "CONFIRMED"
        again = c.post(f"/api/v2/trader/purchases/{ra['externalTradeId']}/approve")
        assert again.status_code == 409 and again.json()["error"] == "trade already decided"
        no = c.post(f"/api/v2/trader/purchases/{rb['externalTradeId']}/reject", json={"reason": "MANUAL_REJECT"})
        assert no.status_code == 200 and no.json()["status"] == "REJECTED"
    weak = stack.cp.peer(scopes=["offers:sync"])
    with stack.exp(headers={"Authorization": f"Bearer {weak}"}) as c:
        assert c.get("/api/v2/trader/purchases/pending").status_code == 403
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        rows = dict(stack.sql("wl-03", "SELECT trade_id, status FROM cross_wl_trade WHERE trade_id IN (%s, %s)",
                              (ra["tradeId"], rb["tradeId"])))
        if rows == {ra["tradeId"]: "CONFIRMED", rb["tradeId"]: "REJECTED"}:
            break
        time.sleep(0.05)
    assert rows == {ra["tradeId"]: "CONFIRMED", rb["tradeId"]: "REJECTED"}
    assert _balance(stack) == pytest.approx(start - ra["totalPrice"])  # settled one, refunded the other
    # details on both sides, by the CP's lookup rules
    with stack.exp() as c:
        d = c.get(f"/api/v2/control-plane/trader/purchases/{ra['externalTradeId']}/details",
                  headers={"Authorization": f"Bearer {stack.cp.service(E)}"}).json()
    with stack.imp() as c:
        d2 = c.get(f"/api/v2/control-plane/trader/purchases/{ra['externalTradeId']}/details?lookup=external",
                   headers={"Authorization": f"Bearer {stack.cp.service(I)}"}).json()
    for det in (d, d2):
        assert det["offer"]["name"] and det["provider"]["name"] and det["buyer"]["name"] not in (None, "", "-")
        assert det["totalPrice"] == ra["totalPrice"] and det["requestedQuantity"] == 1
    assert d2["tradeId"] == ra["tradeId"]


def test_auto_approval_confirms_at_once(stack):
    stack.cp.set_relationship(E, I, exportPolicy={"enabled": True, "exclude_categories": ["15"]}, approvalMode="AUTO")
    stack.exporter.poller.refresh()
    try:
        offer_id = _offers(stack, 1, offset=20)[0][0]
        r = _buy(stack, offer_id).json()
        assert r["ok"] and r["status"] == "CONFIRMED"
    finally:
        stack.cp.set_relationship(E, I, exportPolicy={"enabled": True, "exclude_categories": ["15"]})
        stack.exporter.poller.refresh()


def _preflight(stack, origin, price, quantity=1):
    token = stack.cp.peer(scopes=["trader:purchase"])
    with stack.exp(headers={"Authorization": f"Bearer {token}"}) as c:
        return c.post("/api/v2/trader/purchase/preflight", json={
            "originOfferId": origin, "quantity": quantity, "requesterWlId": I, "requesterTraderId": "t-1",
            "clientBuyerMasked": "qa***@xpory.local", "expectedUnitPrice": float(price)})


def test_preflight_hold_expiry_and_idempotent_checkout(stack):
    (_offer_id, origin, price, imported_id), = _offers(stack, 1, offset=30)
    bad = _preflight(stack, origin, float(price) + 5).json()
    assert bad["status"] == "REJECTED" and bad["reason"] == "PRICE_CHANGED" and bad["unitPrice"] == float(price)
    held = _preflight(stack, origin, price)
    assert held.status_code == 201 and held.json()["status"] == "HELD" and held.json()["holdId"]
    hold = held.json()["holdId"]
    url = f"/api/v2/checkout/imported-offer/{imported_id}"
    body = {"holdId": hold, "accountId": 90805, "token": "qa-preflight-token", "quantity": 1}
    with stack.imp() as c:
        assert c.post(url, json=body).status_code == 400  # no Idempotency-Key
        missing = c.post(url, json={"accountId": 90805}, headers={"Idempotency-Key": str(uuid.uuid4())})
        assert missing.status_code == 400 and "holdId" in missing.json()["error"]
        stack.sql("wl-01", "UPDATE offer_hold SET expires_at = now() - interval '1 second' WHERE id=%s", (hold,))
        expired = c.post(url, json=body, headers={"Idempotency-Key": str(uuid.uuid4())}).json()
        assert (expired["status"], expired["reason"], expired["unitPrice"]) == ("REJECTED", "HOLD_EXPIRED", float(price))
        live = _preflight(stack, origin, price).json()["holdId"]
        key = str(uuid.uuid4())
        body["holdId"] = live
        first = c.post(url, json=body, headers={"Idempotency-Key": key})
        assert first.status_code == 200 and first.json()["status"] == "PENDING", first.text
        trades = stack.sql("wl-03", "SELECT count(*) FROM cross_wl_trade")[0][0]
        replay = c.post(url, json=body, headers={"Idempotency-Key": key})
        assert replay.json() == first.json() and replay.headers.get("Idempotent-Replay") == "true"
        assert stack.sql("wl-03", "SELECT count(*) FROM cross_wl_trade")[0][0] == trades


def test_storefront_pages(stack):
    offer_id = _offers(stack, 1, offset=40)[0][0]
    with stack.store() as c:
        assert "Entrar" in c.get("/entrar").text
        bad = c.post("/entrar", data={"accountId": "90805", "token": "nope"})
        assert bad.status_code == 401 and 'role="alert"' in bad.text
        ok = c.post("/entrar", data={"accountId": "90805", "token": "qa-preflight-token", "next": f"/oferta/{offer_id}"})
        assert ok.status_code == 303
        page = c.get(f"/oferta/{offer_id}").text
        assert ">Comprar<" in page and 'role="dialog"' in page and "Atualizar página" in page
        listing = c.get("/").text
        assert "Ofertas importadas" in listing and f"/oferta/{offer_id}" in listing
        r = c.post("/api/comprar", json={"offerId": offer_id, "quantity": 1}).json()
        assert r["ok"] and r["status"] in ("PENDING", "CONFIRMED")
