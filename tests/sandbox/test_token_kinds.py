"""Tokens are accepted only where they belong (issue 12, contract cp.md §7, §11; DIVERGENCES #1): with real
tokens from the sandbox CP, the WLs tell a peer token from a WL token (`POST /wls/{id}/token`, unguarded as
in the real CP) and from an admin token, check each endpoint's scope, audience and `wlId`, and the exporter
posts decision callbacks only to the gateway URL the CP holds for the importer."""
from __future__ import annotations

import time
import uuid

import pytest
from cp_fixtures import start_fake_wl
from real_stack import PASSWORD, get_real_stack

INVALID = "Invalid Control Plane token"


@pytest.fixture(scope="module")
def stack():
    return get_real_stack()


@pytest.fixture(scope="module")
def ids(stack):
    s = stack.settings
    origin = stack.sql("wl-01", "SELECT id, price FROM offer WHERE active AND stock > 5 ORDER BY id DESC LIMIT 1")[0]
    return {"E": s.exporter_wl_id, "I": s.importer_wl_id, "origin": origin[0], "price": float(origin[1])}


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _admin_token(stack) -> str:
    with stack.cp_admin() as c:
        return c.post("/auth/login", json={"email": "master@xpory.local", "password": PASSWORD}).json()["token"]


def _holds(stack) -> int:
    return stack.sql("wl-01", "SELECT count(*) FROM offer_hold")[0][0]


def _exporter_calls(ids, requester: str | None = None) -> list[tuple[str, str, dict]]:
    body = {"originOfferId": ids["origin"], "quantity": 1, "requesterWlId": requester or ids["I"],
            "expectedUnitPrice": ids["price"]}
    return [("POST", "/api/v2/trader/purchase/preflight", body),
            ("POST", "/api/v2/trader/purchase", body),
            ("GET", "/api/v2/trader/purchases/pending", None),
            ("POST", f"/api/v2/trader/purchases/{uuid.uuid4()}/approve", {}),
            ("POST", f"/api/v2/trader/purchases/{uuid.uuid4()}/reject", {})]


def _call(client, method, path, body, token):
    headers = {**_bearer(token), "Idempotency-Key": str(uuid.uuid4())}
    return client.request(method, path, json=body, headers=headers)


def test_the_exporter_refuses_wl_and_admin_tokens_on_every_purchase_endpoint(stack, ids):
    """A WL token minted by anyone on the admin listener, even with scope trader:purchase, is not a peer token."""
    tokens = {"WL token of the importer": (stack.wl_token(ids["I"], ("trader:purchase", "offers:sync")), ids["I"]),
              # sub = aud = wlId = the exporter, and the body names the same WL: it passes every claim check
              # a peer token gets, so only the token's kind can refuse it
              "WL token of the exporter": (stack.wl_token(ids["E"], ("trader:purchase",)), ids["E"]),
              "admin token": (_admin_token(stack), ids["I"])}
    before = _holds(stack)
    with stack.exporter() as c:
        for kind, (token, requester) in tokens.items():
            for method, path, body in _exporter_calls(ids, requester):
                r = _call(c, method, path, body, token)
                assert r.status_code == 401 and r.json()["error"] == INVALID, (kind, path, r.text)
        hold = c.get(f"/api/v2/trader/purchase/holds/{uuid.uuid4()}", headers=_bearer(tokens["WL token of the exporter"][0]))
        assert hold.status_code == 401 and hold.json()["error"] == INVALID
    assert _holds(stack) == before  # nothing was held
    with stack.exporter() as c:  # the same call with a real peer token is served
        r = _call(c, *_exporter_calls(ids)[0], stack.peer_token(("trader:purchase",)))
    assert r.status_code == 201 and r.json()["status"] == "HELD", r.text


def test_the_exporter_checks_scope_audience_and_requester(stack, ids):
    preflight = _exporter_calls(ids)[0]
    with stack.exporter() as c:
        weak = _call(c, *preflight, stack.peer_token(("offers:sync",)))
        assert weak.status_code == 403 and weak.json()["error"] == "Missing scope trader:purchase"
        # a peer token minted for the importer as target (exporter -> importer direction) is not for the exporter
        other = _call(c, *preflight, stack.peer_token(("trader:purchase",), importer=ids["E"], exporter=ids["I"]))
        assert other.status_code == 401 and other.json()["error"] == INVALID
        assert other.json()["detail"] == "token audience is not this white label"
        body = {**preflight[2], "requesterWlId": ids["E"]}
        lying = _call(c, "POST", preflight[1], body, stack.peer_token(("trader:purchase",)))
        assert lying.status_code == 403 and lying.json()["error"] == "requesterWlId does not match the peer token"


def test_the_debug_import_needs_the_importers_own_peer_token_with_offers_sync(stack, ids):
    path = "/api/v2/control-plane/debug/import"
    before = stack.sql("wl-03", "SELECT count(*), max(updated_at) FROM imported_offer")[0]
    with stack.importer() as c:
        for token in (stack.wl_token(ids["I"], ("offers:sync",)), stack.wl_token(ids["I"]), _admin_token(stack)):
            r = c.post(path, headers=_bearer(token))
            assert r.status_code == 401 and r.json()["error"] == INVALID, r.text
        weak = c.post(path, headers=_bearer(stack.peer_token(("trader:purchase",))))
        assert weak.status_code == 403 and weak.json()["error"] == "Missing scope offers:sync"
        # minted by the exporter (wlId = exporter) for the importer: not the importer's own token
        foreign = c.post(path, headers=_bearer(stack.peer_token(("offers:sync",), importer=ids["E"], exporter=ids["I"])))
        assert foreign.status_code == 401 and foreign.json()["detail"] == "token wlId is not this white label"
        assert stack.sql("wl-03", "SELECT count(*), max(updated_at) FROM imported_offer")[0] == before
        ok = c.post(path, headers=_bearer(stack.peer_token(("offers:sync",))))
    assert ok.status_code == 200 and ok.json()["ok"] is True, ok.text


def test_the_cp_service_endpoints_take_only_the_cps_token_for_that_wl(stack, ids):
    paths = ["/api/v2/control-plane/offer-categories", "/api/v2/control-plane/entities",
             "/api/v2/control-plane/trader-account", "/api/v2/control-plane/trader/purchases/x/details"]
    with stack.exporter() as c:
        for path in paths:
            for token in (stack.peer_token(), stack.wl_token(ids["I"]), _admin_token(stack)):
                r = c.get(path, headers=_bearer(token))
                assert r.status_code == 401 and r.json()["error"] == INVALID, (path, r.text)
            weak = c.get(path, headers=_bearer(stack.wl_token(ids["E"], ("offers:sync",))))
            assert weak.status_code == 403 and weak.json()["error"] == "Missing scope policies:read"
        assert c.get(paths[0], headers=_bearer(stack.wl_token(ids["E"]))).status_code == 200


def test_the_importer_decision_callback_needs_the_exporters_peer_token(stack, ids):
    path = f"/api/v2/trader/purchases/{uuid.uuid4()}/decision"
    body = {"status": "CONFIRMED"}
    with stack.importer() as c:
        for token in (stack.peer_token(("trader:purchase",)), stack.wl_token(ids["E"], ("trader:purchase",))):
            r = c.post(path, json=body, headers=_bearer(token))
            assert r.status_code == 401 and r.json()["error"] == INVALID, r.text
        right = c.post(path, json=body, headers=_bearer(
            stack.peer_token(("trader:purchase",), importer=ids["E"], exporter=ids["I"])))
    assert right.status_code == 404 and right.json()["error"] == "trade not found"  # past the token checks


def _callback_status(stack, trade_id: str, deadline_s: float = 15.0) -> str | None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        status = stack.sql("wl-01", "SELECT callback_status FROM cross_wl_trade WHERE trade_id=%s", (trade_id,))[0][0]
        if status:
            return status
        time.sleep(0.05)
    return None


def test_the_exporter_calls_back_only_the_gateway_the_cp_holds(stack, ids):
    recorder = start_fake_wl()
    try:
        recorder.routes[("POST", "/")] = (200, {"ok": True})
        offer = stack.sql("wl-03", "SELECT offer_id FROM imported_offer WHERE eligible AND offers_available > 5"
                          " ORDER BY offer_id DESC LIMIT 1")[0][0]
        with stack.importer() as c:
            bought = c.post("/api/v1/buy-offer", data={"accountId": "8780", "token": "codex-token-3",
                                                       "offerId": str(offer), "quantity": "1"}).json()
        assert bought["ok"] and bought["status"] == "PENDING", bought
        peer = stack.peer_token(("trader:purchase",))
        with stack.exporter(headers=_bearer(peer)) as c:
            r = c.post("/api/v2/trader/purchase", headers={"Idempotency-Key": str(uuid.uuid4())}, json={
                "originOfferId": ids["origin"], "quantity": 1, "requesterWlId": ids["I"],
                "importerTradeId": bought["tradeId"], "callbackUrl": recorder.url + "/"})
            assert r.status_code == 201, r.text
            trade = r.json()["tradeId"]
            assert c.post(f"/api/v2/trader/purchases/{trade}/approve", json={}).status_code == 200
        # the importer answered (409: that importer trade belongs to another exporter trade); nobody else was called
        assert _callback_status(stack, trade) == "DELIVERED 409"
        assert recorder.calls == []
    finally:
        recorder.stop()
