"""Both personalities of the sandbox, each as a real stack (PostgreSQL, CP, both WLs, storefront as
processes): the same request answers the same content, in each personality's names and shapes
(sandbox/personality.py), and what the runbook and the CP contract fix is the same in both."""
from __future__ import annotations

import pytest
from real_stack import get_real_stack

from sandbox.personality import BY_NAME

PERSONALITIES = ("a", "b")
EXPORT = "/api/v2/control-plane/export/offers"


@pytest.fixture(scope="module", params=PERSONALITIES)
def stack(request):
    return get_real_stack(request.param), BY_NAME[request.param]


def _tables(stack, db: str) -> set[str]:
    return {r[0] for r in stack.sql(db, "SELECT table_name FROM information_schema.tables WHERE table_schema='public'")}


def test_the_catalogue_has_the_personality_s_names_and_the_same_offers(stack):
    real, p = stack
    tables = _tables(real, "wl-01")
    offer = p.table("offer")
    name = offer.physical if offer else "offer"
    assert name in tables and (name == "offer") == (p.name == "a")
    active = "lifecycle_status = 'ENABLED'" if p.name == "b" else "active"
    stock = "offers_available" if p.name == "b" else "stock"
    count = real.sql("wl-01", f'SELECT count(*) FROM "{name}" WHERE {active} AND {stock} >= 0')[0][0]
    assert count == get_real_stack("a").sql("wl-01", "SELECT count(*) FROM offer WHERE active")[0][0] > 1000
    assert {"cross_wl_trade", "imported_offer", "account_privileges", "xbalance"} <= _tables(real, "wl-03")  # runbook


def test_the_export_answers_the_same_offers_in_the_personality_s_shape(stack):
    real, p = stack
    query = {"page": 1, "size": 3} if p.export_paging == "page/size" else {"limit": 3, "offset": 3}
    with real.exporter() as c:
        body = c.get(EXPORT, params=query).json()
    with get_real_stack("a").exporter() as c:
        canonical = c.get(EXPORT, params={"limit": 3, "offset": 3}).json()
    assert body["total"] == canonical["total"]  # a documented key (contracts/wl.md §3.1)
    if p.name == "b":
        assert "items" not in body and all(isinstance(o["dateCreated"], int) for o in body["offers"])
        assert body["page"] == 1 and body["size"] == 3
    assert p.export.inward(body)["items"] == canonical["items"]


def test_the_pending_list_errors_and_labels_are_the_personality_s(stack):
    real, p = stack
    with real.exporter() as c:
        pending = c.get("/api/v2/trader/purchases/pending", headers={"Authorization": f"Bearer {real.peer_token()}"})
        refused = c.get("/api/v2/trader/purchases/pending")
    assert pending.status_code == 200 and isinstance(pending.json(), list if p.name == "b" else dict)
    assert refused.status_code == 401 and set(refused.json()) >= {p.error_key["exporter"]}
    with real.cp_admin() as c:
        labels = c.get(f"{real.settings.cp_admin_url}/admin/labels.js").text
    assert ("Ver detalhes" in labels) == (p.name == "b") and labels.startswith("window.XPORY_LABELS = ")


def test_the_storefront_s_routes_are_the_personality_s(stack):
    real, p = stack
    with real.storefront() as c:
        own, other = c.get(p.store_routes["sign_in"]), c.get("/entrar" if p.name == "b" else "/login")
    assert own.status_code == 200 and other.status_code == 404


def test_an_accepted_buy_offer_carries_trade_ids_only_in_personality_a(stack):
    real, p = stack
    column = "offer_id"
    offer = real.sql("wl-03", f"SELECT {column} FROM imported_offer WHERE eligible AND lifecycle_status='ENABLED' "
                              "AND offers_available > 0 ORDER BY offer_id DESC LIMIT 1")[0][0]
    # The per-worker stack is shared with other modules' purchases: top the buyer up as the runbook does
    # (`UPDATE xbalance SET value=100000 WHERE id=...`, xbalance(id, value) is a runbook fact).
    real.sql("wl-03", "UPDATE xbalance SET value=100000 WHERE id=90806")
    with real.importer() as c:
        r = c.post("/api/v1/buy-offer", data={"accountId": 90805, "token": "qa-preflight-token", "offerId": offer,
                                              "quantity": 1, "paymentParams": '{"paymentType":"balanceAccount"}'})
    body = r.json()
    assert r.status_code == 200 and body["ok"] is True, body
    assert ("tradeId" in body and "externalTradeId" in body) == (p.name == "a")
    assert ("totalPrice" if p.name == "a" else "totalValue") in body
