"""The sandbox Control Plane over real HTTPS (admin listener and the mTLS WL-facing listener)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import ssl

import jwt
import pytest
from cp_fixtures import start_fake_wl, start_stack, tls_handshake

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

SECRET = "test-governance-signing-secret"


@pytest.fixture(scope="module")
def stack():
    s = start_stack()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def admin(stack):
    with stack.admin_client() as client:
        yield client


@pytest.fixture(scope="module")
def wl(stack):
    with stack.wl_client() as client:
        yield client


@pytest.fixture(scope="module")
def fake():
    server = start_fake_wl()
    yield server
    server.stop()


def login(admin, email="master@xpory.local", password="changeit"):
    r = admin.post("/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return r.json()


def bearer(admin, email="master@xpory.local"):
    return {"Authorization": "Bearer " + login(admin, email)["token"]}


def verify_signature(body: dict) -> bool:
    plain = {k: v for k, v in body.items() if k != "signature"}
    canonical = json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    expected = base64.b64encode(hmac.new(SECRET.encode(), canonical, hashlib.sha256).digest()).decode()
    return body["signature"]["algorithm"] == "HMAC-SHA256" and body["signature"]["value"] == expected


def make_wl(admin, name, gateway=None, status="active"):
    email = name.lower().replace(" ", "-") + "@example.com"
    r = admin.post("/wls", json={"id": f"wl-{name}", "name": name, "contactEmail": email,
                                 "gatewayUrl": gateway, "status": status,
                                 "policy": {"importEnabled": True, "exportEnabled": True}})
    assert r.status_code == 201, r.text
    return r.json()["id"]


# --- startup, auth ---------------------------------------------------------------------------

def test_starts_fast_and_has_no_healthz(stack, admin):
    # 0.4-0.7 s on an idle 2-core machine; the margin absorbs other processes' load
    assert stack.started_in < 3.0, stack.started_in
    assert admin.get("/healthz").status_code == 404


def test_login_and_bearer_errors(admin):
    body = login(admin)
    assert body["expiresInSeconds"] == 3600 and body["user"]["role"] == "MASTER"
    claims = jwt.decode(body["token"], "dev-admin-secret", algorithms=["HS256"])
    assert claims["userId"] == claims["sub"] == body["user"]["id"] and claims["role"] == "MASTER"
    assert admin.post("/auth/login", json={"email": "master@xpory.local", "password": "x"}).json() == \
        {"error": "Invalid credentials"}
    assert admin.post("/auth/login", json={"email": " MASTER@xpory.local ", "password": "changeit"}).status_code == 200
    r = admin.get("/users/me")
    assert (r.status_code, r.json()) == (401, {"error": "Missing bearer token"})
    r = admin.get("/notifications", headers={"Authorization": "Bearer nope"})
    assert (r.status_code, r.json()) == (401, {"error": "Invalid token"})
    r = admin.get("/users", headers=bearer(admin, "trader@xpory.local"))
    assert (r.status_code, r.json()) == (403, {"error": "Forbidden"})
    r = admin.get("/users", headers=bearer(admin))
    assert r.status_code == 200 and {u["email"] for u in r.json()["items"]} >= {
        "master@xpory.local", "trader@xpory.local", "manager@xpory.local"}


def test_bad_json_is_a_json_error(admin):
    r = admin.post("/wls", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "error" in r.json()


def test_users_and_profile(admin):
    manager, master = bearer(admin, "manager@xpory.local"), bearer(admin)
    assert admin.post("/users", headers=manager, json={"email": "m@x.io", "password": "p", "role": "MASTER"}).json() \
        == {"error": "Forbidden"}
    r = admin.post("/users", headers=manager, json={"email": "New@Example.com", "password": "pw", "name": "N"})
    assert r.status_code == 201 and r.json()["role"] == "TRADER" and r.json()["email"] == "new@example.com"
    assert admin.post("/users", headers=master, json={"email": "bad", "password": "p"}).json() == \
        {"error": "email is invalid"}
    assert admin.post("/users", headers=master, json={"email": "new@example.com", "password": "p"}).status_code == 400
    assert admin.post("/users", headers=master, json={"email": "z@example.com", "password": "p",
                                                      "role": "trader"}).status_code == 400
    user_id = r.json()["id"]
    assert admin.put(f"/users/{user_id}", headers=manager, json={"email": "o@example.com"}).status_code == 403
    assert admin.put("/users/00000000-0000-0000-0000-000000000000", headers=master, json={}).json() == \
        {"error": "user not found"}
    assert admin.put(f"/users/{user_id}", headers=master, json={"status": False}).json()["status"] == "disabled"
    assert admin.post("/auth/login", json={"email": "new@example.com", "password": "pw"}).status_code == 401
    admin.post(f"/users/{user_id}/reset-password", headers=master, json={"password": "pw2"})
    admin.put(f"/users/{user_id}", headers=master, json={"status": "active"})
    own = {"Authorization": "Bearer " + login(admin, "new@example.com", "pw2")["token"]}
    assert admin.put("/users/me", headers=own, json={"role": "MASTER"}).json() == \
        {"error": "only name and phone can be updated"}
    assert admin.put("/users/me", headers=own, json={}).json() == {"error": "no profile fields provided"}
    assert admin.put("/users/me", headers=own, json={"phone": "+55"}).json()["phone"] == "+55"
    assert admin.put("/users/me/password", headers=own, json={"currentPassword": "x", "newPassword": "y"}).json() \
        == {"error": "currentPassword is invalid"}


# --- white labels ----------------------------------------------------------------------------

def test_post_wls_discards_the_id_and_put_renames(admin):
    r = admin.post("/wls", json={"id": "wl-fixed", "name": "Rename Me", "contactEmail": "a@example.com"})
    assert r.status_code == 201
    created = r.json()
    assert created["id"] != "wl-fixed" and len(created["id"]) == 36
    assert created["baselinePolicy"]["policyRevision"] == "baseline"
    assert admin.post("/wls", json={"contactEmail": "a@example.com"}).json() == {"error": "name is required"}
    assert admin.post("/wls", json={"name": "x"}).json() == {"error": "contactEmail is required"}
    dup = admin.post("/wls", json={"name": "Rename Me", "contactEmail": "a@example.com"})
    assert dup.status_code == 422 and dup.json()["error"] == "Validation failed"
    other = make_wl(admin, "Rename Peer")
    admin.put(f"/relationships/{created['id']}/{other}", json={"status": "active"})
    assert admin.put(f"/wls/{created['id']}", json={"id": ""}).json() == {"error": "id is required"}
    assert admin.put(f"/wls/{created['id']}", json={"id": other}).json() == {"error": "id already in use"}
    fixed = "11111111-2222-3333-4444-555555555555"
    r = admin.put(f"/wls/{created['id']}", json={"id": fixed})
    assert r.status_code == 200 and r.json()["id"] == fixed
    assert r.json()["baselinePolicy"]["whiteLabelId"] == fixed
    assert admin.get(f"/wls/{created['id']}").status_code == 404
    assert admin.get(f"/wls/{created['id']}").content == b""
    assert admin.get(f"/relationships/{fixed}/{other}").status_code == 200
    listed = admin.get("/wls", params={"q": "rename"}).json()
    assert [w["name"] for w in listed["items"]] == ["Rename Me", "Rename Peer"] and listed["count"] == 2


def test_policies_signature_headers_and_revisions(admin):
    wl_id = make_wl(admin, "Policy WL")
    r = admin.get(f"/wls/{wl_id}/policies")
    assert r.status_code == 200
    assert r.headers["cache-control"] == "private, max-age=300" and r.headers["x-policy-cache-ttl"] == "300"
    assert verify_signature(r.json())
    assert r.json()["importEnabled"] is True and r.json()["import_enabled"] is True
    body = {"importEnabled": False, "exportEnabled": True, "visibilityEnabled": True, "visibilityWls": ["x", "y"],
            "exportDelaySeconds": 86400, "policyRevision": "r2", "updatedBy": "bootstrap", "updatedSource": "runbook"}
    r = admin.put(f"/wls/{wl_id}/policies", json=body)
    assert r.status_code == 200 and "signature" not in r.json()
    assert r.json()["exportDelayDays"] == 1 and r.json()["visibility_wls"] == ["x", "y"]
    assert r.headers["x-policy-cache-ttl"] == "300"
    admin.put(f"/wls/{wl_id}/policies", json={**body, "updatedBy": "someone-else"})  # no field change
    revisions = admin.get(f"/wls/{wl_id}/policies/revisions").json()
    assert revisions["count"] == 1 and revisions["items"][0]["policyRevision"] == "r2"
    assert admin.put("/wls/unknown/policies", json={}).json() == {"error": "Unknown white label id"}
    r = admin.put(f"/wls/{wl_id}/policies", json={"updated_by": "snake"})
    assert r.json()["updatedBy"] == "proxy-mtls"  # Traefik's header beats updated_by
    pulled = admin.post("/policies/pull", json={"whiteLabelIds": [wl_id]}).json()
    assert pulled["count"] == 1 and verify_signature(pulled)
    assert admin.post("/policies/pull", json={"since": "yesterday"}).json() == \
        {"error": "since must be ISO-8601 timestamp"}


# --- relationships and export_policy ---------------------------------------------------------

def test_relationship_put_and_export_policy_validation(admin):
    src, dst = make_wl(admin, "Rel Exporter"), make_wl(admin, "Rel Importer")
    assert admin.get(f"/relationships/{src}/{dst}").status_code == 404
    policy = {"enabled": True, "min_created_at": "2000-01-01T00:00:00Z", "include_categories": [],
              "exclude_categories": ["15"], "entity_allowlist": [], "entity_blocklist": []}
    r = admin.put(f"/relationships/{src}/{dst}", json={"status": "ACTIVE", "fxRate": 1, "limitAmount": 100000,
                                                         "export_policy": policy})
    assert r.status_code == 200 and verify_signature(r.json())
    rel = r.json()
    assert rel["status"] == "active" and rel["approvalMode"] == "MANUAL" and rel["export_policy"] == policy
    assert rel["imbalance_limit"] == 100000 and rel["source_wl_id"] == src and rel["dst_wl_id"] == dst
    for bad in ({**policy, "exclude_categories": [15]}, {**policy, "min_created_at": "2000-01-01T00:00:00"},
                {**policy, "price_min": 10, "price_max": 5}, {**policy, "enabled": "yes"}):
        r = admin.put(f"/relationships/{src}/{dst}", json={"export_policy": bad})
        assert r.status_code == 200 and r.json()["exportPolicy"] == policy
    shown = admin.get(f"/relationships/{src}/{dst}")
    assert shown.status_code == 200 and shown.json()["export_policy"] == policy and verify_signature(shown.json())
    assert admin.put(f"/relationships/{src}/{dst}", json={"fxRate": "abc"}).json() == \
        {"error": "Numeric value expected"}
    assert admin.put(f"/relationships/{src}/{dst}", json={"approvalMode": "x"}).json() == \
        {"error": "Invalid approvalMode"}
    assert admin.put(f"/relationships/{src}/{dst}", json={"manualApprovalAboveQty": "x"}).json() == \
        {"error": "Integer value expected"}
    assert admin.put(f"/relationships/{src}/{dst}", json={"manualApprovalOnFirstTrade": "maybe"}).json() == \
        {"error": "Boolean value expected"}
    assert admin.put(f"/relationships/{src}/{dst}", json={"status": "weird"}).status_code == 422
    assert admin.put(f"/relationships/{src}/{src}", json={}).status_code == 422
    r = admin.put(f"/relationships/{src}/{dst}", json={"export_policy": None})
    assert r.json()["export_policy"] is None
    events = admin.get("/telemetry/events", params={"eventType": "RELATIONSHIP_EXPORT_POLICY_UPDATED",
                                                    "whiteLabelId": src}).json()
    assert events["count"] == 6 and events["items"][0]["payload"] == {"targetId": dst}
    listed = admin.get(f"/wls/{dst}/relationships").json()
    assert listed["count"] == 1 and "signature" not in listed["items"][0]


# --- tokens ----------------------------------------------------------------------------------

def test_peer_token_errors_in_order(admin, wl):
    importer, exporter = make_wl(admin, "Peer Importer"), make_wl(admin, "Peer Exporter")
    sleeping = make_wl(admin, "Peer Inactive", status="inactive")
    url = f"/wls/{importer}/peer-token"
    cases = [
        (url, {"scopes": ["offers:sync"]}, 400, "targetWlId is required"),
        ("/wls/nope/peer-token", {"targetWlId": exporter, "scopes": ["offers:sync"]}, 400, "importerId not found"),
        (url, {"targetWlId": "nope", "scopes": ["offers:sync"]}, 400, "targetWlId not found"),
        (url, {"targetWlId": sleeping, "scopes": ["offers:sync"]}, 403, "white label is inactive"),
        (url, {"targetWlId": exporter, "scopes": [" ", ""]}, 400, "scopes are required"),
        (url, {"targetWlId": exporter, "scopes": ["policies:read"]}, 400, "unsupported scope"),
        (url, {"targetWlId": exporter, "scopes": ["offers:sync"]}, 403, "relationship not active"),
    ]
    for path, body, status, message in cases:
        r = wl.post(path, json=body)
        assert (r.status_code, r.json()) == (status, {"error": message}), (body, r.text)
    admin.put(f"/relationships/{importer}/{exporter}", json={"status": "active"})  # wrong direction
    assert wl.post(url, json={"targetWlId": exporter, "scopes": ["offers:sync"]}).status_code == 403
    admin.put(f"/relationships/{exporter}/{importer}", json={"status": "paused"})
    assert wl.post(url, json={"targetWlId": exporter, "scopes": ["offers:sync"]}).json() == \
        {"error": "relationship not active"}
    admin.put(f"/relationships/{exporter}/{importer}", json={"status": "active"})
    r = wl.post(url, json={"target_wl_id": exporter, "scopes": ["trader:purchase", "offers:sync", "offers:sync"]})
    assert r.status_code == 201 and r.json()["expiresInSeconds"] == 300
    token = r.json()["token"]
    jwks = wl.get("/.well-known/jwks.json").json()
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in jwks["keys"] if k["kid"] == kid)
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig" and "exp" in key
    claims = jwt.decode(token, jwt.PyJWK(key).key, algorithms=["RS256"], audience=exporter,
                        issuer="xpory-control-plane")
    assert claims["sub"] == exporter and claims["wlId"] == importer and claims["targetWlId"] == exporter
    assert claims["scopes"] == ["offers:sync", "trader:purchase"] and claims["exp"] - claims["iat"] == 300
    own = wl.post(f"/wls/{importer}/token", json={}).json()
    assert jwt.get_unverified_header(own["token"])["kid"] == kid  # importer's own key signed the peer token
    issued = admin.get("/telemetry/events", params={"eventType": "PEER_TOKEN_ISSUED", "whiteLabelId": importer})
    assert issued.json()["items"][0]["payload"] == {"targetWlId": exporter,
                                                     "scopes": ["offers:sync", "trader:purchase"]}
    r = admin.post(url, json={"targetWlId": exporter, "scopes": ["offers:sync"]})  # no client certificate
    assert (r.status_code, r.json()) == (401, {"error": "Client certificate required"})
    rotated = admin.post(f"/wls/{importer}/keys/rotate")
    assert rotated.status_code == 201 and rotated.json()["keyId"] != kid
    assert kid not in {k["kid"] for k in wl.get("/.well-known/jwks.json").json()["keys"]}
    assert wl.post("/wls/nope/token", json={}).status_code == 404


def test_peer_token_listener_requires_a_ca_signed_client_certificate(stack, tmp_path):
    port, ca = stack.settings.cp_mtls_port, stack.settings.ca_cert
    tls_handshake("localhost", port, ca, (stack.settings.client_cert, stack.settings.client_key))
    with pytest.raises((ssl.SSLError, ConnectionError, OSError)):
        tls_handshake("localhost", port, ca, None)
    from cryptography.hazmat.primitives import serialization

    from sandbox.pki import issue, make_ca, pem_key
    other_ca, other_key = make_ca("Another-CA")
    cert, key = issue(other_ca, other_key, "wl-client", server=False)
    (tmp_path / "c.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "c.key").write_bytes(pem_key(key))
    with pytest.raises((ssl.SSLError, ConnectionError, OSError)):
        tls_handshake("localhost", port, ca, (tmp_path / "c.crt", tmp_path / "c.key"))


# --- telemetry, trades, approvals --------------------------------------------------------------

def purchase(exporter, importer, trade_id, status="PENDING", role="EXPORTER", **extra):
    payload = {"role": role, "status": status, "eventName": f"TRADE_{status}", "tradeId": trade_id,
               "originWhiteLabelId": exporter, "targetWhiteLabelId": importer, "originOfferId": "o-1",
               "requestedQuantity": 2, "unitPrice": 10.5, "currency": "X", "executedAt": 1767787200000, **extra}
    return {"whiteLabelId": exporter, "nodeId": "wl-01", "eventType": "TRADER_PURCHASE",
            "eventTimestamp": "2026-01-07T12:00:00Z", "payload": payload}


def test_telemetry_projection_and_approval(admin, wl, fake):
    exporter, importer = make_wl(admin, "Trade Exporter", fake.url), make_wl(admin, "Trade Importer", fake.url)
    admin.put(f"/relationships/{exporter}/{importer}", json={"status": "active", "limitAmount": 50})
    r = wl.post("/telemetry/events", json={"events": [purchase(exporter, importer, "t-1", unitPrice=None)]})
    assert (r.status_code, r.json()) == (400, {"error": "TRADER_PURCHASE payload missing fields: unitPrice"})
    r = wl.post("/telemetry/events", json=[purchase(exporter, importer, "t-1"), purchase(exporter, importer, "t-1")])
    assert r.status_code == 202
    stored = r.json()["stored"]
    assert stored[0]["id"] == stored[1]["id"] and stored[0]["eventType"] == "TRADER_PURCHASE"
    assert stored[0]["receivedAt"].endswith("Z")
    assert wl.post("/telemetry/events", json={"whiteLabelId": "nope", "eventType": "X"}).status_code == 500
    trades = admin.get("/trades", params={"sourceId": exporter}).json()
    assert trades["count"] == 1
    item = trades["items"][0]
    assert (item["tradeId"], item["status"], item["wlExporterName"], item["totalValue"]) == \
        ("t-1", "PENDING", "Trade Exporter", 21.0)
    pending = admin.get("/trades/pending", headers=bearer(admin, "trader@xpory.local")).json()
    assert [p["tradeId"] for p in pending["items"] if p["originWhiteLabelId"] == exporter] == ["t-1"]
    headers = bearer(admin, "trader@xpory.local")
    notes = admin.get("/notifications", headers=headers).json()
    assert any(n["type"] == "TRADE_PENDING" and n["tradeId"] == "t-1" for n in notes["items"])
    unread = admin.get("/notifications/unread-count", headers=headers).json()["count"]
    note = next(n for n in notes["items"] if n["tradeId"] == "t-1")
    assert note["action"] == {"type": "OPEN_PENDING_TRADES", "payload": {"sourceId": exporter, "targetId": importer}}
    read = admin.post(f"/notifications/{note['id']}/read", headers=headers).json()
    assert read["readAt"] and admin.post(f"/notifications/{note['id']}/read", headers=headers).json() == read
    assert admin.get("/notifications/unread-count", headers=headers).json()["count"] == unread - 1
    assert admin.post(f"/notifications/{note['id']}/read", headers=bearer(admin)).status_code == 200
    assert admin.post("/notifications/nope/read", headers=headers).json() == {"error": "notification not found"}

    fake.routes[("POST", "/api/v2/trader/purchases/t-1/approve")] = (200, {"status": "CONFIRMED"})
    r = admin.post("/trades/t-1/approve", headers=headers, json={})
    assert r.status_code == 200, r.text
    assert r.json()["approval"]["decision"] == "APPROVED" and r.json()["exporter"]["statusCode"] == 200
    call = next(c for c in fake.calls if c["path"] == "/api/v2/trader/purchases/t-1/approve")
    peer = jwt.decode(call["headers"]["Authorization"].split()[1], options={"verify_signature": False})
    assert (peer["sub"], peer["wlId"], peer["scopes"]) == (exporter, importer, ["trader:purchase"])
    assert call["body"] == ""
    r = admin.post("/trades/t-1/approve", headers=headers, json={})
    assert (r.status_code, r.json()) == (409, {"error": "trade already decided"})
    assert admin.post("/trades/nope/reject", headers=headers, json={}).json() == {"error": "pending trade not found"}
    assert "t-1" not in [p["tradeId"] for p in admin.get("/trades/pending", headers=headers).json()["items"]]

    wl.post("/telemetry/events", json=purchase(exporter, importer, "t-1", status="CONFIRMED", confirmedQuantity=2))
    item = admin.get("/trades", params={"sourceId": exporter}).json()["items"][0]
    assert item["status"] == "CONFIRMED"
    master = bearer(admin)
    kinds = {n["type"] for n in admin.get("/notifications", headers=master).json()["items"]
             if n["originWhiteLabelId"] == exporter}
    assert {"TRADE_NEW", "TRADE_PENDING", "LIMIT_WARNING"} <= kinds

    fake.routes[("GET", "/api/v2/control-plane/trader/purchases/t-1/details")] = (200, {
        "offer": {"id": "o-1", "name": "Pizza", "price": 10.5}, "provider": {"name": "Seller", "cell": "1"},
        "buyer": {"name": "Buyer", "phone": "2"}, "unitPrice": 10.5, "totalPrice": 21})
    details = admin.get("/trades/t-1/details", headers=headers).json()
    assert details["offerName"] == "Pizza" and details["exporter"]["clientName"] == "Seller"
    assert details["importer"]["clientName"] == "Buyer"
    assert details["originalOfferUrl"] == f"{fake.url}/troca/oferta/o-1"
    report = admin.get("/reports/trade-balance", params={"wlExporter": exporter, "wlImporter": importer}).json()
    assert report["count"] == 1 and report["filters"]["reportVersion"] == "v1"


def test_snapshot_sync_pages_and_passes_wl_errors(admin, fake):
    exporter = make_wl(admin, "Snapshot Exporter", fake.url + "/")
    pages = {0: [{"categoryId": str(i), "name": f"Cat {i:03}", "activeCount": i} for i in range(200)],
             200: [{"id": "15", "categoryName": "Alimentacao", "active_count": 61}]}
    fake.routes[("GET", "/api/v2/control-plane/offer-categories")] = (
        200, lambda path: {"items": pages.get(int(path.split("offset=")[1]), []), "count": 201})
    r = admin.post(f"/wls/{exporter}/offer-categories/sync")
    assert r.json() == {"ok": True, "count": 201, "wlId": exporter}
    call = [c for c in fake.calls if c["path"].startswith("/api/v2/control-plane/offer-categories")][-1]
    token = jwt.decode(call["headers"]["Authorization"].split()[1], options={"verify_signature": False})
    assert token["aud"] == token["wlId"] == exporter and token["scopes"] == ["policies:read"]
    listed = admin.get(f"/wls/{exporter}/offer-categories", params={"search": "alim"}).json()
    assert listed["items"][0]["activeCount"] == 61 and listed["items"][0]["categoryId"] == "15"
    fake.routes[("GET", "/api/v2/control-plane/entities")] = (401, {"error": "no"})
    r = admin.post(f"/wls/{exporter}/entities/sync")
    assert (r.status_code, r.json()) == (401, {"ok": False, "error": "WL responded with status 401"})
    assert admin.post("/wls/nope/entities/sync").json() == {"ok": False, "error": "Unknown white label"}


def test_trader_upsert_and_imbalance(admin):
    wl_id = make_wl(admin, "Trader WL")
    r = admin.post(f"/wls/{wl_id}/trader", json={"id": "keep-me", "name": "Conta", "status": "weird",
                                                 "contactEmail": "t@example.com"})
    assert r.status_code == 200 and r.json()["status"] == "inactive" and r.json()["id"] != "keep-me"
    assert admin.put(f"/wls/{wl_id}/trader", json={}).json() == {"error": "Trader name is required"}
    r = admin.put(f"/wls/{wl_id}/trader", json={"name": "Conta 2"})
    assert r.json()["contactEmail"] is None and r.json()["status"] == "inactive"
    assert admin.get(f"/wls/{wl_id}/policies").json()["traderAccount"]["name"] == "Conta 2"
    r = admin.post("/imbalance/signals", json={"sourceId": wl_id, "targetId": "no-such-wl", "action": "BLOCK"})
    assert r.status_code == 202 and r.json()["dispatchStatus"] == "failed"
    assert r.json()["dispatchError"] == "Unknown target WL no-such-wl"
    ack = admin.post(f"/imbalance/signals/{r.json()['id']}/ack", json={})
    assert ack.json()["acknowledged"] is True and ack.json()["acknowledgedBy"] == "proxy-mtls"
    assert admin.post("/imbalance/signals/nope/ack", json={}).json() == {"error": "Signal not found"}


def test_bootstrap_recreates_missing_users_on_restart(stack, admin, wl):
    admin.close()  # open keep-alive connections would slow the graceful stop down
    wl.close()
    stack.sql("TRUNCATE cp_users")
    stack.stop_cp()
    stack.start_cp()
    with stack.admin_client() as client:
        assert login(client, "manager@xpory.local")["user"]["role"] == "MANAGER"
