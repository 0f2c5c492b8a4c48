"""support/http.py, cp_admin.py, cp_peer.py and wl_clients.py over a real local HTTP server
(Starlette + uvicorn on loopback): every call recorded and masked, admin login kept and renewed once
on 401, clear errors when the stack is down."""
from __future__ import annotations

import json
import time

import pytest

from support.cp_admin import CpAdminApi
from support.cp_peer import CpPeerApi
from support.errors import StackError
from support.http import Api, HttpLog, describe
from support.masking import Masker
from support.wl_clients import ExporterApi, ImporterApi

PASSWORD = "right-password-123"  # what the fake CP accepts (conftest.AppState.password)


@pytest.fixture
def log() -> HttpLog:
    return HttpLog(Masker(["known-secret-value"]))


@pytest.fixture
def api(http_server, log):
    client = Api(http_server.url, log, timeout=5)
    yield client
    client.close()


@pytest.fixture
def admin(http_server, log):
    client = CpAdminApi(http_server.url + "/admin/api", log, email="master@xpory.local", password=PASSWORD, timeout=5)
    yield client
    client.close()


# --- HttpLog: every call, masked and truncated -------------------------------------------------------
def test_each_call_is_recorded_with_method_url_status_and_duration(api, log, http_server):
    api.get("/slow")
    api.get("/status/404")
    api.post("/echo", json={"a": 1})
    assert [(c.method, c.url, c.status) for c in log.calls] == [
        ("GET", http_server.url + "/slow", 200),
        ("GET", http_server.url + "/status/404", 404),
        ("POST", http_server.url + "/echo", 201),
    ]
    assert log.calls[0].millis >= 100  # /slow waits 120 ms: the duration is measured, not made up
    assert all(c.millis > 0 for c in log.calls)
    assert log.calls[0].line() == f"GET {http_server.url}/slow -> 200 ({log.calls[0].millis:.0f} ms)"


def test_query_parameters_are_part_of_the_recorded_url(api, log, http_server):
    api.get("/status/200", params={"limit": 5, "offset": 10})
    assert log.calls[0].url == http_server.url + "/status/200?limit=5&offset=10"


def test_response_bodies_are_masked(api, log):
    api.get("/secrets")
    body = log.calls[0].response_body
    for secret in ("hunter2-hunter2", "opaque-access-token-value", "opaque-refresh-value",
                   "opaque-bearer-value", "eyJhbGciOiJSUzI1NiJ9"):
        assert secret not in body
    data = json.loads(body)
    assert data["password"] == data["accessToken"] == data["nested"]["refresh_token"] == "***"
    assert data["blob"] == "***"
    assert data["note"] == "use Authorization: Bearer *** please"
    assert data["user"] == "ana" and data["nested"]["kept"] == "visible-value"


def test_request_bodies_are_masked_json_and_form(api, log):
    api.post("/echo", json={"email": "a@b.c", "password": "Pa55word!", "note": "known-secret-value"})
    api.post("/echo", data={"accountId": "8780", "token": "codex-token-3", "offerId": "7"})
    first, second = log.calls
    assert json.loads(first.request_body) == {"email": "a@b.c", "password": "***", "note": "***"}
    assert second.request_body == "accountId=8780&token=***&offerId=7"
    # the server echoes the bodies: the recorded responses are masked the same way
    assert "Pa55word!" not in first.response_body and "known-secret-value" not in first.response_body
    assert "codex-token-3" not in second.response_body


def test_long_bodies_are_truncated(api, log):
    api.get("/big")
    assert log.calls[0].response_body == "x" * 2000 + "… (+3000 caracteres)"


def test_render_lists_the_calls_with_their_bodies_and_clear_empties_the_log(api, log):
    api.post("/echo", json={"password": "Pa55word!"})
    text = log.render()
    assert text.splitlines()[0].startswith("POST ") and "-> 201" in text
    assert '  >> {"password": "***"}' in text
    assert "  << " in text and "Pa55word!" not in text
    log.clear()
    assert log.render() == "(nenhuma chamada HTTP)"


def test_describe_gives_method_url_status_and_masked_body(api):
    response = api.post("/echo", json={"token": "zzzz-secret"})
    line = describe(response, Masker())
    assert line.startswith("POST ") and "/echo -> 201: " in line
    assert "zzzz-secret" not in line and '"token": "***"' in line


# --- CpAdminApi: login, kept token, one re-login on 401 -----------------------------------------------
def test_admin_logs_in_once_and_reuses_the_token(admin, http_server):
    assert admin.list_wls().status_code == 200
    assert admin.list_wls().status_code == 200
    assert http_server.state.logins == 1
    assert http_server.state.seen_auth == ["Bearer admin-token-1-abcdef"] * 2


def test_admin_logs_in_again_once_when_the_token_stops_working(admin, http_server):
    assert admin.list_wls().status_code == 200
    http_server.state.valid_tokens.clear()  # e.g. the CP restarted
    response = admin.list_wls()
    assert response.status_code == 200
    assert http_server.state.logins == 2
    assert http_server.state.seen_auth == ["Bearer admin-token-1-abcdef", "Bearer admin-token-1-abcdef",
                                           "Bearer admin-token-2-abcdef"]


def test_admin_re_logs_only_once_per_call_on_a_persistent_401(admin, http_server, log):
    http_server.state.always_401 = True
    response = admin.list_wls()
    assert response.status_code == 401  # handed back to the step, which asserts on it
    assert http_server.state.logins == 2
    assert len(http_server.state.seen_auth) == 2
    assert [c.url.rsplit("/", 1)[-1] for c in log.calls] == ["login", "wls", "login", "wls"]


def test_admin_login_failure_is_a_stack_error_without_the_password(http_server, log):
    client = CpAdminApi(http_server.url + "/admin/api", log, email="master@xpory.local",
                        password="Wr0ng-Password", timeout=5)
    with pytest.raises(StackError) as info:
        client.list_wls()
    client.close()
    message = str(info.value)
    assert "Login no CP falhou para master@xpory.local" in message
    assert "-> 401" in message and "Invalid credentials" in message
    assert "XPORY_ADMIN_PASSWORD" in message
    assert "Wr0ng-Password" not in message
    assert "Wr0ng-Password" not in log.render()
    assert http_server.state.logins == 1  # no retry storm


def test_admin_token_is_masked_wherever_it_appears(admin, log):
    response = admin.list_wls()
    assert response.json()["echo"] == "admin-token-1-abcdef"
    rendered = log.render()
    assert "admin-token-1-abcdef" not in rendered
    assert '"echo": "***"' in rendered


def test_admin_explicit_credentials_do_not_replace_the_kept_token(admin, http_server):
    admin.list_wls()
    assert admin.login("other@xpory.local", "bad").status_code == 401
    admin.list_wls()
    assert http_server.state.seen_auth[-1] == "Bearer admin-token-1-abcdef"


def test_admin_call_with_another_token_or_without_auth(admin, http_server):
    assert admin.call("GET", "/wls", token="someone-elses-token").status_code == 401
    assert admin.call("GET", "/wls", auth=False).status_code == 401
    assert http_server.state.seen_auth == ["Bearer someone-elses-token", ""]
    assert http_server.state.logins == 0


def test_forget_token_forces_a_new_login(admin, http_server):
    admin.list_wls()
    admin.forget_token()
    admin.list_wls()
    assert http_server.state.logins == 2


# --- stack down: one clear error naming the setting ----------------------------------------------------
@pytest.mark.parametrize(("make", "setting"), [
    (lambda url, log: ExporterApi(url, log, timeout=5), "XPORY_EXPORTER_URL"),
    (lambda url, log: ImporterApi(url, log, timeout=5), "XPORY_IMPORTER_URL"),
    (lambda url, log: CpPeerApi(url, log, timeout=5), "XPORY_CP_URL"),
    (lambda url, log: CpAdminApi(url, log, email="m@x", password="pw-12345", timeout=5), "XPORY_CP_ADMIN_API"),
])
def test_connection_refused_names_the_setting_and_asks_if_the_stack_is_up(closed_port, log, make, setting):
    url = f"http://127.0.0.1:{closed_port}"
    client = make(url, log)
    started = time.monotonic()
    with pytest.raises(StackError) as info:
        client.get("/anything")
    client.close()
    assert time.monotonic() - started < 3
    message = str(info.value)
    assert setting in message
    assert url in message
    assert "a stack está no ar?" in message
    call = log.calls[-1]
    assert call.status is None and "ConnectError" in call.error
    assert call.line().endswith(f"-> ERRO ({call.millis:.0f} ms)")


def test_exporter_offers_sends_the_importer_id(http_server, log):
    exporter = ExporterApi(http_server.url, log, timeout=5)
    exporter.export_offers("imp-1", limit=1)
    exporter.close()
    assert log.calls[0].url.endswith("/api/v2/control-plane/export/offers?limit=1&importerWlId=imp-1")


def test_importer_buy_offer_masks_the_buyer_token_everywhere(http_server, log):
    importer = ImporterApi(http_server.url, log, timeout=5)
    importer.buy_offer(8780, "buyer-secret-tok", 42)
    importer.close()
    assert "buyer-secret-tok" not in log.render()
    assert "accountId=8780" in log.calls[0].request_body
