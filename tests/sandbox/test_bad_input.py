"""Bad input never crashes the stack (issue 12): every route of every listener (CP admin, CP WL-facing mTLS,
exporter, importer, storefront) gets NUL bytes, lone surrogates, NaN/Infinity, integers beyond their
columns, strings longer than their columns, Unicode digits, objects where scalars go, deep or huge bodies,
bad path and query values, and a client that hangs up mid-body. No answer may be a 5xx that the contract or
DIVERGENCES.md does not document; afterwards every process is alive, nothing it stored breaks a later read,
no traceback is in the logs and normal requests are served.

Part of the inputs is a fixed catalogue, part is drawn by Hypothesis (derandomized: the same inputs on every
run) as mutations of a valid body of each route. Set BAD_INPUT_REPORT=1 to print the counts per listener."""
from __future__ import annotations

import os
import ssl
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from bad_inputs import Probe, Route, disconnect_mid_body, json_values, leaf_paths, replaced
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from real_stack import PASSWORD, get_real_stack

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sandbox.cp.app import route_table  # noqa: E402
from sandbox.wl.app import routes as wl_routes  # noqa: E402
from sandbox.wl.storefront import build as build_storefront  # noqa: E402

# Hypothesis looks for a storage folder (platformdirs warns without XDG_RUNTIME_DIR); its database is off here.
pytestmark = pytest.mark.filterwarnings("ignore::platformdirs.api.RuntimeDirWarning")
EXAMPLES = {"cp-admin": 60, "cp-mtls": 25, "exporter": 40, "importer": 40, "storefront": 30}
# 5xx that the contract (or sandbox/DIVERGENCES.md #2) documents for these inputs: (status, error prefix).
CP_DOCUMENTED = [
    (500, "Unknown whiteLabelId on telemetry event"),    # §8.1: FK violation, batch rejected
    (500, "Telemetry value too long"),                   # §8.1: values longer than the columns
    (500, "export_policy is not JSON"),                  # §4.2: JsonSlurper exception
    (500, "Property [role] of class"),                   # §2.6: PUT /users/{id} fails validation (uncaught)
    (500, "Property [status] of class"),
    (500, "Property [name] of class"),
    (500, "Property [phone] of class"),
    (500, "Property [email] of class"),
    (500, "exporter call failed"),                       # §8.7: network error calling the exporter
    (500, "WL call failed"),                             # §5.3, §6.2: connection failure on syncs
    (500, "Relationship source is not a white label"),   # §4.2, §4.4, §12.12: telemetry FK on an orphan src
    (500, "White label id is longer than 36"),           # §3.3: rename to an id longer than the column
]
WL_DOCUMENTED = [
    (502, "Exportador indisponível"),                    # the exporter cannot be reached
    (502, "Não foi possível obter o peer token"),        # the CP cannot be reached
]
REPORT = os.environ.get("BAD_INPUT_REPORT") == "1"


# --- the stack, with entities the probe may damage ---------------------------------------------------
@pytest.fixture(scope="module")
def world():
    stack = get_real_stack()
    s = stack.settings
    w = {"stack": stack, "E": s.exporter_wl_id, "I": s.importer_wl_id}
    with stack.cp_admin() as c:
        ids = []
        for name in ("probe-a", "probe-b"):
            r = c.post("/wls", json={"name": name, "contactEmail": f"{name}@xpory.local",
                                     "gatewayUrl": "http://127.0.0.1:9"})
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
        w["A"], w["B"] = ids
        for src, dst in ((w["A"], w["B"]), (w["B"], w["A"])):
            assert c.put(f"/relationships/{src}/{dst}", json={"status": "active"}).status_code == 200
        master = {"Authorization": f"Bearer {stack.admin_token}"}
        r = c.post("/users", headers=master, json={"email": "probe@xpory.local", "password": PASSWORD,
                                                    "role": "MASTER"})
        assert r.status_code == 201, r.text
        w["user"] = r.json()["id"]
        r = c.post("/auth/login", json={"email": "probe@xpory.local", "password": PASSWORD})
        w["admin"] = {"Authorization": f"Bearer {r.json()['token']}"}
        r = c.post("/imbalance/signals", json={"sourceId": w["I"], "targetId": w["E"], "action": "block"})
        assert r.status_code == 202, r.text
        w["signal"] = r.json()["id"]
    offer = stack.sql("wl-03", "SELECT offer_id, origin_offer_id, unit_price, id FROM imported_offer WHERE eligible"
                      " ORDER BY offer_id LIMIT 1")[0]
    w["offer"], w["origin"], w["price"], w["imported"] = offer[0], offer[1], float(offer[2]), offer[3]
    w["peer"] = stack.peer_token()
    w["peer_back"] = stack.peer_token(("trader:purchase",), importer=w["E"], exporter=w["I"])
    w["service"] = {wl: stack.wl_token(wl) for wl in (w["E"], w["I"])}
    with stack.exporter() as c:
        r = c.post("/api/v2/trader/purchase/preflight", headers={"Authorization": f"Bearer {w['peer']}"},
                   json={"originOfferId": w["origin"], "quantity": 1, "requesterWlId": w["I"]})
        assert r.status_code == 201, r.text
        w["hold"] = r.json()["holdId"]
    return w


def _probe(world, name: str, factory, documented, json_api: bool = True) -> Probe:
    return Probe(name, factory, documented, json_api)


def _hypothesis(probe: Probe, routes: list[Route], examples: int) -> None:
    mutable = [r for r in routes if r.good_body is not None]

    @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def mutate(data):
        route = data.draw(st.sampled_from(mutable))
        path = data.draw(st.sampled_from(leaf_paths(route.good_body) or [()]))
        probe.send_json("hypothesis", route, replaced(route.good_body, path, data.draw(json_values())))

    mutate()


def _check(probe: Probe, routes: list[Route], light: bool = False) -> None:
    started = time.monotonic()
    jobs = probe.catalogue(routes, light)
    probe.run(jobs)
    middle = time.monotonic()
    _hypothesis(probe, routes, EXAMPLES[probe.name])
    if REPORT:
        print(f"\n{probe.summary()}\n  catalogue {middle - started:.1f} s, hypothesis {time.monotonic() - middle:.1f} s")
    assert len(probe.answers) > len(jobs) + EXAMPLES[probe.name] // 2 > 60
    assert probe.findings() == [], probe.summary()


# --- the CP ----------------------------------------------------------------------------------------
def _cp_routes(w) -> list[Route]:
    A, B, E, I = w["A"], w["B"], w["E"], w["I"]  # noqa: E741 - the contract's names
    when = "2026-01-01T00:00:00Z"
    event = {"whiteLabelId": A, "nodeId": "probe", "eventType": "TRADER_PURCHASE", "eventTimestamp": when,
             "payload": {"role": "EXPORTER", "status": "PENDING", "eventName": "TRADE_PENDING", "tradeId": "probe-t1",
                         "externalTradeId": "probe-x1", "originWhiteLabelId": A, "targetWhiteLabelId": B,
                         "unitPrice": 10.5, "requestedQuantity": 2, "confirmedQuantity": 0, "totalPrice": 21,
                         "idempotencyKey": "probe-k", "createdAt": 1767225600000, "settlementStatus": "ESCROWED",
                         "currency": "X", "approvalMode": "MANUAL", "approvalPath": "MANUAL",
                         "pendingReason": "MANUAL_APPROVAL"}}
    confirmed = {"whiteLabelId": A, "eventType": "trader.account.confirmed", "cpTraderId": "probe-trader",
                 "confirmedAt": 1767225600000, "payload": {"cpTraderId": "probe-trader", "confirmedAt": when}}
    bodies = {
        ("POST", "/auth/login"): {"email": "probe@xpory.local", "password": PASSWORD},
        ("PUT", "/users/me"): {"name": "Probe", "phone": "11"},
        ("PUT", "/users/me/password"): {"currentPassword": PASSWORD, "newPassword": PASSWORD},
        ("POST", "/users"): {"email": "new@xpory.local", "password": "pw", "role": "TRADER", "name": "n", "phone": "1"},
        ("PUT", "/users/{id}"): {"name": "n", "phone": "1", "status": "active", "role": "MASTER"},
        ("POST", "/users/{id}/reset-password"): {"password": PASSWORD},
        ("POST", "/wls"): {"name": "probe-new", "contactEmail": "n@xpory.local", "gatewayUrl": "http://127.0.0.1:9",
                           "description": "d", "status": "active",
                           "policy": {"importEnabled": True, "exportEnabled": True, "exportDelaySeconds": 0,
                                      "visibilityEnabled": False, "policyRevision": "r1"}},
        ("PUT", "/wls/{id}"): {"name": "probe-a", "contactEmail": "a@xpory.local", "description": "d",
                               "gatewayUrl": "http://127.0.0.1:9", "status": "active"},
        ("PUT", "/wls/{id}/policies"): {"importEnabled": True, "exportEnabled": True, "exportDelaySeconds": 10,
                                        "exportDelayDays": 1, "visibilityEnabled": False, "visibilityWls": ["x"],
                                        "policyRevision": "r2", "effectiveFrom": when, "updatedBy": "p",
                                        "updatedSource": "s"},
        ("POST", "/wls/{id}/token"): {"scopes": ["policies:read"]},
        ("POST", "/wls/{importerId}/peer-token"): {"targetWlId": B, "scopes": ["offers:sync"]},
        ("POST", "/wls/{id}/trader"): {"name": "T", "status": "active", "contactEmail": "t@xpory.local",
                                       "contactPhone": "1", "issuedAt": when, "confirmedAt": 1767225600000,
                                       "createdByAdmin": "a"},
        ("PUT", "/relationships/{src}/{dst}"): {
            "fxRate": 1.5, "limitAmount": 1000, "status": "active", "approvalMode": "HYBRID",
            "manualApprovalAboveAmount": 10, "manualApprovalAboveQty": 2, "manualApprovalOnFirstTrade": True,
            "manualApprovalOnImbalance": False, "notes": "n", "updatedBy": "p",
            "exportPolicy": {"enabled": True, "include_categories": ["1"], "price_min": 1, "price_max": 2,
                             "min_created_at": when}},
        ("POST", "/policies/pull"): {"whiteLabelIds": [A], "since": "2020-01-01T00:00:00Z"},
        ("POST", "/imbalance/signals"): {"sourceId": I, "targetId": E, "action": "block", "reason": "r",
                                         "initiatedBy": "i", "effectiveFrom": when, "effectiveUntil": when},
        ("POST", "/imbalance/signals/{id}/ack"): {"acknowledgedBy": "x"},
        ("POST", "/telemetry/events"): {"events": [event, confirmed]},
        ("POST", "/trades/{tradeId}/approve"): {"reason": "r"},
        ("POST", "/trades/{tradeId}/reject"): {"reason": "r"},
    }
    bodies[("PUT", "/wls/{id}/trader")] = bodies[("POST", "/wls/{id}/trader")]
    for action in ("approve", "reject"):
        bodies[("POST", f"/api/v2/trader/purchases/{{tradeId}}/{action}")] = {"reason": "r"}

    def params(path: str) -> dict:
        values = {"id": A, "importerId": A, "src": A, "dst": B, "tradeId": "probe-t1"}
        if path.startswith("/users/"):
            values["id"] = w["user"]
        elif path.startswith("/notifications/"):
            values["id"] = str(uuid.uuid4())
        elif path.startswith("/imbalance/"):
            values["id"] = w["signal"]
        elif path.endswith("/keys/rotate"):
            values["id"] = "probe-unknown-wl"  # a real rotation generates an RSA key: one is enough (setup)
        return {k: v for k, v in values.items() if "{" + k + "}" in path}

    return [Route(d.method, d.path, params(d.path), bodies.get((d.method, d.path), {} if d.method != "GET" else None),
                  dict(w["admin"])) for d in route_table()]


def test_cp_admin_listener(world):
    stack = world["stack"]
    routes = [Route(r.method, "/admin/api" + r.path, r.good_params, r.good_body, r.headers) for r in _cp_routes(world)]

    def factory():
        return httpx.Client(base_url=stack.settings.cp_admin_url, verify=stack._ssl(), timeout=20)

    _check(_probe(world, "cp-admin", factory, CP_DOCUMENTED), routes)


def test_cp_wl_facing_mtls_listener(world):
    stack = world["stack"]
    # The same handlers and input layer as the admin listener: each route gets the raw bodies and the bad
    # path values here, the field-by-field catalogue runs on the admin listener only.
    _check(_probe(world, "cp-mtls", stack.cp_mtls, CP_DOCUMENTED), _cp_routes(world), light=True)


# --- the WL nodes ----------------------------------------------------------------------------------
def _wl_routes(w, own: str) -> list[Route]:
    E, I = w["E"], w["I"]  # noqa: E741
    peer = {"Authorization": f"Bearer {w['peer']}"}
    service = {"Authorization": f"Bearer {w['service'][own]}"}
    back = {"Authorization": f"Bearer {w['peer_back']}"}
    fresh = {"Idempotency-Key": lambda: str(uuid.uuid4())}
    purchase = {"originOfferId": w["origin"], "quantity": 1, "requesterWlId": I, "requesterTraderId": "t",
                "clientBuyerMasked": "m", "expectedUnitPrice": w["price"]}
    specs = {
        "/api/v2/control-plane/imbalance/signals": (service, {"sourceId": I, "targetId": E, "action": "block",
                                                              "reason": "r", "initiatedBy": "i"}),
        "/api/v2/control-plane/trader/purchases/{key}/details": (service, None),
        "/api/v2/control-plane/offer-categories": (service, None),
        "/api/v2/control-plane/entities": (service, None),
        "/api/v2/control-plane/trader-account": (service, None),
        "/api/v2/control-plane/debug/import": (peer, None),
        "/api/v2/trader/purchase/preflight": (peer, purchase),
        "/api/v2/trader/purchase/holds/{hold_id}": (peer, None),
        "/api/v2/trader/purchase": ({**peer, **fresh}, {**purchase, "importerTradeId": "probe", "holdId": None,
                                                        "buyer": {"name": "b", "cell": "1"}}),
        "/api/v2/trader/purchases/pending": (peer, None),
        "/api/v2/trader/purchases/{trade_id}/approve": (peer, {"reason": "r"}),
        "/api/v2/trader/purchases/{trade_id}/reject": (peer, {"reason": "r"}),
        "/api/v2/trader/purchases/{trade_id}/decision": (back, {"exporterTradeId": "x", "status": "CONFIRMED",
                                                                "reason": "r"}),
        "/api/v1/buy-offer": ({}, {"accountId": 90805, "token": "qa-preflight-token", "offerId": w["offer"],
                                   "quantity": 1, "paymentParams": '{"paymentType":"balanceAccount"}'}),
        "/api/v2/checkout/imported-offer/{imported_offer_id}": (fresh, {"holdId": w["hold"], "accountId": 90805,
                                                                        "token": "qa-preflight-token", "quantity": 1}),
    }
    values = {"key": "x", "hold_id": w["hold"], "trade_id": "x", "imported_offer_id": w["imported"],
              "offer_id": w["origin"]}
    out = []
    for route in wl_routes():
        if route.path == "/api/v2/control-plane/debug/import" and own != I:
            continue
        headers, body = specs.get(route.path, ({}, None))
        names = [n for n in values if "{" + n + "}" in route.path]
        for method in sorted(route.methods - {"HEAD"}):
            out.append(Route(method, route.path, {n: values[n] for n in names}, body, headers))
    return out


def _without_debug_import(routes: list[Route]) -> tuple[list[Route], list[Route]]:
    """The debug import re-imports two thousand offers per call: it gets a handful of inputs only."""
    heavy = [r for r in routes if r.path.endswith("/debug/import")]
    return [r for r in routes if r not in heavy], heavy


def test_exporter_listener(world):
    stack = world["stack"]
    _check(_probe(world, "exporter", stack.exporter, WL_DOCUMENTED), _wl_routes(world, world["E"]))


def test_importer_listener(world):
    stack = world["stack"]
    routes, heavy = _without_debug_import(_wl_routes(world, world["I"]))
    probe = _probe(world, "importer", stack.importer, WL_DOCUMENTED)
    for route in heavy:
        for query in ("?limit=%00", "?x=%ED%A0%80"):
            probe.send("debug import", route.method, route.path + query, headers=route.headers)
    _check(probe, routes)


def test_storefront_listener(world):
    stack = world["stack"]

    def factory():
        client = stack.storefront(follow_redirects=False)
        client.cookies.set("xpory_session", "90805:qa-preflight-token")
        return client

    body = {"offerId": world["offer"], "quantity": 1}
    routes = []
    for route in build_storefront(None).routes:
        for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
            good = body if route.path in ("/api/comprar", "/api/v1/buy-offer") else (
                {"accountId": "90805", "token": "qa-preflight-token", "next": "/"} if method == "POST" else None)
            routes.append(Route(method, route.path, {"offer_id": world["offer"]} if "{offer_id}" in route.path
                                else {}, good, {}))
    _check(_probe(world, "storefront", factory, WL_DOCUMENTED, json_api=False), routes)


# --- a client that hangs up in the middle of a body ------------------------------------------------
def test_a_client_that_disconnects_mid_body_harms_nothing(world):
    stack = world["stack"]
    s = stack.settings
    tls = ssl.create_default_context(cafile=str(s.ca_cert))
    mtls = ssl.create_default_context(cafile=str(s.ca_cert))
    mtls.load_cert_chain(str(s.client_cert), str(s.client_key))
    for port, path, context in ((s.cp_admin_port, "/admin/api/auth/login", tls),
                                (s.cp_mtls_port, "/telemetry/events", mtls),
                                (s.exporter_port, "/api/v2/trader/purchase/preflight", None),
                                (s.importer_port, "/api/v1/buy-offer", None),
                                (s.storefront_port, "/entrar", None)):
        for _ in range(3):
            disconnect_mid_body("127.0.0.1", port, path, context)
    with stack.cp_admin() as c:
        assert c.post("/auth/login", json={"email": "master@xpory.local", "password": PASSWORD}).status_code == 200


# --- afterwards -------------------------------------------------------------------------------------
def test_afterwards_every_process_is_alive_reads_work_and_no_traceback_was_logged(world):
    stack = world["stack"]
    assert stack.dead() == []
    admin = {"Authorization": f"Bearer {stack.admin_token}"}
    with stack.cp_admin() as c:
        for path in ("/trades", "/trades/pending", "/telemetry/events", "/reports/trade-balance?version=2",
                     "/reports/trade-balance", "/notifications", "/wls", "/relationships?includeOrphans=true",
                     f"/wls/{world['A']}/policies/revisions", "/users"):
            r = c.get(path, headers=admin)
            assert r.status_code == 200, (path, r.text[:300])
        r = c.post("/trades/backfill")
        assert r.status_code == 200, r.text[:300]
        assert c.get("/trades/probe-t1/details", headers=admin).status_code in (200, 400)
    with stack.exporter() as c:
        assert c.get("/api/v2/control-plane/export/offers", params={"importerWlId": world["I"], "limit": 5}
                     ).status_code == 200
    with stack.importer() as c:
        assert c.get("/health").status_code == 200
    with stack.storefront() as c:
        assert c.get("/entrar").status_code == 200
    tracebacks = {part: _tracebacks(stack.log(part)) for part in ("cp", "exporter", "importer")}
    assert tracebacks == {"cp": [], "exporter": [], "importer": []}


def _tracebacks(log: str) -> list[str]:
    """Each logged traceback: the log line before it and its last line (the exception)."""
    lines = log.splitlines()
    found = []
    for number, line in enumerate(lines):
        if line.startswith("Traceback (most recent call last)"):
            end = next((i for i in range(number + 1, len(lines)) if not lines[i].startswith((" ", "Traceback"))),
                       len(lines) - 1)
            found.append(f"{lines[number - 1][:200] if number else ''} ... {lines[end][:300]}")
    return found
