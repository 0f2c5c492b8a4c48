"""support/world.py: the scenario state dumped on failure, masked."""
from __future__ import annotations

import json
from dataclasses import dataclass

import httpx

from support.masking import Masker
from support.reset.runbook_steps import Recreated
from support.world import World

JWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ3bC0zIn0.c2lnbmF0dXJl"


@dataclass
class Login:
    email: str
    token: str


def response(status: int = 200) -> httpx.Response:
    request = httpx.Request("GET", "https://cp.localhost/admin/api/wls?limit=5")
    return httpx.Response(status, request=request, json={"token": JWT})


def test_dump_masks_tokens_and_secret_keys():
    world = World(
        peer_token=JWT,
        peer_claims={"sub": "2a6f8e2c", "scopes": ["offers:sync"]},
        purchases=[{"tradeId": "t-1", "token": "codex-token-3", "status": "PENDING"}],
        details_api={"admin_password": "Adm1nPass", "motivo": "Bearer opaque-bearer-value", "raw": f"jwt {JWT}"},
    )
    text = world.dump(Masker())
    for secret in (JWT, "codex-token-3", "Adm1nPass", "opaque-bearer-value"):
        assert secret not in text
    data = json.loads(text)
    assert data["peer_token"] == "***"
    assert data["peer_claims"] == {"sub": "2a6f8e2c", "scopes": ["offers:sync"]}
    assert data["purchases"] == [{"tradeId": "t-1", "token": "***", "status": "PENDING"}]
    assert data["details_api"] == {"admin_password": "***", "motivo": "Bearer ***", "raw": "jwt ***"}


def test_dump_masks_the_run_secrets_under_any_key():
    world = World(details_shown={"Comprador": "buyer-s3cret"}, counts_before={"cp_users": 10})
    data = json.loads(world.dump(Masker(["buyer-s3cret"])))
    assert data == {"details_shown": {"Comprador": "***"}, "counts_before": {"cp_users": 10}}


def test_dump_summarises_the_response_and_skips_empty_fields():
    data = json.loads(World(response=response(201), exporter_total=0).dump(Masker()))
    assert data == {"response": "GET https://cp.localhost/admin/api/wls?limit=5 -> 201", "exporter_total": 0}


def test_dump_of_an_empty_world_is_an_empty_object():
    assert json.loads(World().dump(Masker())) == {}


def test_dump_renders_nested_dataclasses_as_objects_and_masks_their_secret_fields():
    world = World(
        recreated=[Recreated("wl-exporter", "fd1a", "9c0e", "fd1a", True)],
        details_api={"login": Login("master@xpory.local", "opaque-session-token")},
    )
    text = world.dump(Masker())
    assert "opaque-session-token" not in text
    data = json.loads(text)
    assert data["recreated"] == [{"name": "wl-exporter", "requested_id": "fd1a", "created_id": "9c0e",
                                  "final_id": "fd1a", "renamed": True}]
    assert data["details_api"] == {"login": {"email": "master@xpory.local", "token": "***"}}


def test_failure_evidence_is_written_and_attached_masked(tmp_path):
    from types import SimpleNamespace

    from support.evidence import attach_failure
    from support.http import Call, HttpLog

    masker = Masker(["Adm1nPass"])
    log = HttpLog(masker)
    # a Call built by hand, unmasked, stands for anything that slipped into the log
    log.calls.append(Call("POST", "https://cp.localhost/admin/api/auth/login", 401, 12.0,
                          '{"password": "Adm1nPass"}', f"Bearer {JWT}"))
    session = SimpleNamespace(reports_dir=tmp_path, masker=masker, http_log=log)
    scenario = SimpleNamespace(name="Login do MASTER / após reset", feature=SimpleNamespace(name="Reset do ambiente"))
    attached: list[tuple[str, bytes]] = []
    context = SimpleNamespace(attach=lambda mime, data: attached.append((mime, data)))
    folder = attach_failure(context, scenario, session, World(peer_token=JWT))
    assert folder.parent == tmp_path / "evidencias" and "/" not in folder.name
    http_log = (folder / "http.log").read_text(encoding="utf-8")
    assert "POST https://cp.localhost/admin/api/auth/login -> 401" in http_log
    assert "Adm1nPass" not in http_log and JWT not in http_log
    assert json.loads((folder / "world.json").read_text(encoding="utf-8")) == {"peer_token": "***"}
    assert [mime for mime, _ in attached] == ["text/plain", "text/plain"]
    assert all(b"Adm1nPass" not in data and JWT.encode() not in data for _, data in attached)


def test_failure_evidence_survives_a_formatter_without_attachments(tmp_path):
    from types import SimpleNamespace

    from support.evidence import attach_failure
    from support.http import HttpLog

    def broken(mime, data):
        raise NotImplementedError("no attachments here")

    session = SimpleNamespace(reports_dir=tmp_path, masker=Masker(), http_log=HttpLog(Masker()))
    scenario = SimpleNamespace(name="x", feature=SimpleNamespace(name="y"))
    folder = attach_failure(SimpleNamespace(attach=broken), scenario, session, None)
    assert (folder / "http.log").read_text() == "(nenhuma chamada HTTP)"
    assert (folder / "world.json").read_text() == "{}"
