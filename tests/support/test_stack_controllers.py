"""support/stack: command construction of the compose controller, ComposeStack with a fake runner,
controller_for, and the health check of an external stack that is down."""
from __future__ import annotations

import subprocess
import time

import pytest

from support import config
from support.errors import ConfigError, StackError
from support.stack import base, compose, controller_for
from support.stack.compose import ComposeStack
from support.stack.embedded import EmbeddedStack
from support.stack.external import ExternalStack, check_health


class FakeRunner:
    """Stands for subprocess.run: records (command, cwd) and answers the commands of `fails` (all by
    default) with the given exit code. The CP container's id and StartedAt (asked around a restart)
    answer like docker, with a StartedAt that changes on every inspect."""

    def __init__(self, returncode: int = 0, stderr: str = "", stdout: str = "", fails: tuple[str, ...] = ()):
        self.calls: list[tuple[list[str], str]] = []
        self.returncode, self.stderr, self.stdout, self.fails = returncode, stderr, stdout, fails

    def __call__(self, command, *, cwd, capture_output, text, timeout):
        assert capture_output and text and timeout > 0
        self.calls.append((list(command), cwd))
        if command == compose.cp_container_command():
            return subprocess.CompletedProcess(command, 0, "cid\n", "")
        if command[:2] == ["docker", "inspect"]:
            return subprocess.CompletedProcess(command, 0, f"2026-01-06T12:00:0{len(self.calls)}Z true\n", "")
        if self.fails and " ".join(command) not in self.fails:
            return subprocess.CompletedProcess(command, 0, "", "")
        return subprocess.CompletedProcess(command, self.returncode, self.stdout, self.stderr)

    def commands(self) -> list[tuple[list[str], str]]:
        """The calls other than the container/StartedAt look-ups."""
        return [(c, cwd) for c, cwd in self.calls if c != compose.cp_container_command() and c[:2] != ["docker", "inspect"]]


@pytest.fixture
def compose_config(profiles_dir, full_environ, tmp_path):
    (tmp_path / "traefik" / "certs").mkdir(parents=True)  # a checkout whose certificates exist already
    (tmp_path / "traefik" / "certs" / "ca.crt").write_text("CA")

    def make(**overrides) -> config.Config:
        env = full_environ(**{"XPORY_PERFIL": "staging-local", "XPORY_TRADER_DIR": str(tmp_path), **overrides})
        return config.load(environ=env, profiles_dir=profiles_dir)
    return make


@pytest.fixture
def health_calls(monkeypatch):
    calls: list[tuple] = []
    monkeypatch.setattr(compose, "check_health", lambda cfg, timeout, **kw: calls.append((cfg, timeout)))
    return calls


# --- command construction ---------------------------------------------------------------------------
def test_up_commands_are_the_runbook_step_0():
    assert compose.up_commands() == [
        ["docker", "compose", "up", "-d"],
        ["docker", "compose", "-f", "docker-compose.proxy.yml", "up", "-d"],
    ]


def test_restart_cp_command_restarts_the_controlplane_service():
    assert compose.restart_cp_command() == ["docker", "compose", "restart", "controlplane"]


# --- ComposeStack with a fake runner ------------------------------------------------------------------
def test_restart_cp_runs_in_the_trader_checkout_then_waits_healthy(compose_config, health_calls, tmp_path):
    runner = FakeRunner()
    stack = ComposeStack(compose_config(), runner=runner)
    stack.restart_cp()
    assert runner.commands() == [(["docker", "compose", "restart", "controlplane"], str(tmp_path))]
    assert {cwd for _, cwd in runner.calls} == {str(tmp_path)}
    assert len(health_calls) == 1 and 170 < health_calls[0][1] <= 180  # staging-local's CP restart deadline


def test_start_with_compose_up_runs_step_0_in_order(compose_config, health_calls, tmp_path):
    runner = FakeRunner()
    cfg = compose_config(XPORY_COMPOSE_UP="true")
    assert ComposeStack(cfg, runner=runner).start() is cfg
    assert runner.calls == [(cmd, str(tmp_path)) for cmd in compose.up_commands()]
    assert len(health_calls) == 1


def test_start_without_compose_up_only_checks_health(compose_config, health_calls):
    runner = FakeRunner()
    ComposeStack(compose_config(), runner=runner).start()
    assert runner.calls == []
    assert len(health_calls) == 1


def test_a_failing_command_gives_the_command_and_the_stderr_tail(compose_config, health_calls, tmp_path):
    stderr = "noise " * 200 + "\nno such service: controlplane\n"
    stack = ComposeStack(compose_config(), runner=FakeRunner(returncode=1, stderr=stderr,
                                                             fails=("docker compose restart controlplane",)))
    with pytest.raises(StackError) as info:
        stack.restart_cp()
    message = str(info.value)
    assert "'docker compose restart controlplane' falhou" in message
    assert str(tmp_path) in message and "código 1" in message
    assert message.endswith("no such service: controlplane")
    assert len(message) < 700  # a tail, not the whole output
    assert health_calls == []  # no health wait after a failed restart


def test_a_failing_command_without_stderr_shows_stdout(compose_config, health_calls):
    stack = ComposeStack(compose_config(XPORY_COMPOSE_UP="true"), runner=FakeRunner(returncode=14, stdout="pull denied"))
    with pytest.raises(StackError, match=r"'docker compose up -d' falhou .*código 14\): pull denied"):
        stack.start()


def test_missing_trader_dir_is_a_clear_error(profiles_dir, full_environ, health_calls):
    env = full_environ(XPORY_PERFIL="staging-local", XPORY_TRADER_DIR="")
    cfg = config.load(environ=env, profiles_dir=profiles_dir)
    runner = FakeRunner()
    with pytest.raises(StackError) as info:
        ComposeStack(cfg, runner=runner).restart_cp()
    assert "XPORY_TRADER_DIR" in str(info.value)
    assert "Exemplo: XPORY_TRADER_DIR=" in str(info.value)
    assert runner.calls == []


def test_nonexistent_trader_dir_is_a_clear_error(compose_config, health_calls, tmp_path):
    runner = FakeRunner()
    with pytest.raises(StackError, match=r"XPORY_TRADER_DIR=.*nowhere não existe"):
        ComposeStack(compose_config(XPORY_TRADER_DIR=str(tmp_path / "nowhere")), runner=runner).restart_cp()
    assert runner.calls == []


def test_without_docker_the_real_runner_says_so(compose_config, monkeypatch):
    monkeypatch.setattr(compose.shutil, "which", lambda name: None)
    with pytest.raises(StackError, match="'docker' não está instalado"):
        ComposeStack(compose_config()).restart_cp()


def test_start_requires_every_setting(compose_config, health_calls):
    cfg = compose_config()
    incomplete = config.Config({k: v for k, v in cfg.values.items() if k != "XPORY_CP_DSN"})
    with pytest.raises(ConfigError, match="XPORY_CP_DSN"):
        ComposeStack(incomplete, runner=FakeRunner()).start()


# --- controller_for -----------------------------------------------------------------------------------
def test_controller_for_picks_the_controller_of_xpory_stack(profiles_dir, full_environ):
    embedded = config.load(environ={}, profiles_dir=profiles_dir)
    staging = config.load(environ=full_environ(XPORY_PERFIL="staging-local"), profiles_dir=profiles_dir)
    external = config.load(environ=full_environ(XPORY_PERFIL="externo"), profiles_dir=profiles_dir)
    assert type(controller_for(embedded)) is EmbeddedStack
    assert type(controller_for(staging)) is ComposeStack
    assert type(controller_for(external)) is ExternalStack
    # the stack setting decides, not the profile's name
    forced = config.load(environ=full_environ(XPORY_PERFIL="staging-local", XPORY_STACK="external"),
                         profiles_dir=profiles_dir)
    assert type(controller_for(forced)) is ExternalStack


def test_external_stack_cannot_restart_the_cp(profiles_dir, full_environ):
    cfg = config.load(environ=full_environ(XPORY_PERFIL="externo"), profiles_dir=profiles_dir)
    with pytest.raises(base.CannotInThisProfile) as info:
        ExternalStack(cfg).restart_cp()
    assert "externo" in str(info.value) and "XPORY_STACK=external" in str(info.value)


# --- an external stack that is down ------------------------------------------------------------------
@pytest.fixture
def down_config(profiles_dir, full_environ, embedded_pki, p12_password, closed_port, tmp_path):
    def make(**overrides) -> config.Config:
        down = f"127.0.0.1:{closed_port}"
        env = full_environ(**{
            "XPORY_PERFIL": "externo", "XPORY_RUNTIME_DIR": str(tmp_path / "runtime"),
            "XPORY_CA_FILE": str(embedded_pki.ca_cert), "XPORY_CLIENT_P12": str(embedded_pki.client_p12),
            "XPORY_CLIENT_P12_PASSWORD": p12_password, "XPORY_STARTUP_TIMEOUT_SECONDS": "1",
            "XPORY_CP_ADMIN_API": f"https://{down}/admin/api", "XPORY_CP_URL": f"https://{down}",
            "XPORY_EXPORTER_URL": f"http://{down}", "XPORY_IMPORTER_URL": f"http://{down}",
            **overrides})
        return config.load(environ=env, profiles_dir=profiles_dir)
    return make


def test_external_stack_down_fails_fast_naming_the_setting(down_config, closed_port):
    started = time.monotonic()
    with pytest.raises(StackError) as info:
        ExternalStack(down_config()).start()
    elapsed = time.monotonic() - started
    assert elapsed < 4
    message = str(info.value)
    assert "API admin do CP não respondeu" in message  # at once: nothing listens, no point waiting 1 s
    assert f"https://127.0.0.1:{closed_port}/.well-known/jwks.json" in message
    assert "(XPORY_CP_ADMIN_API)" in message
    assert "a stack está no ar?" in message


def test_external_stack_with_a_wrong_p12_password_fails_before_any_request(down_config):
    with pytest.raises(ConfigError) as info:
        ExternalStack(down_config(XPORY_CLIENT_P12_PASSWORD="not-the-pw")).start()
    assert "XPORY_CLIENT_P12_PASSWORD" in str(info.value) and "not-the-pw" not in str(info.value)


def test_health_check_names_the_database_setting_when_only_the_database_is_down(
        down_config, embedded_pki, tls_server, http_server, closed_port):
    cp = tls_server(embedded_pki.server_cert, embedded_pki.server_key,
                    client_ca=embedded_pki.ca_cert, client_cert="optional")
    dsn = f"postgresql://xpory_cp:Db5ecretPw@127.0.0.1:{closed_port}/xpory_cp"
    cfg = down_config(XPORY_CP_ADMIN_API=cp.url + "/admin/api", XPORY_CP_URL=cp.url,
                      XPORY_EXPORTER_URL=http_server.url, XPORY_IMPORTER_URL=http_server.url,
                      XPORY_CP_DSN=dsn)
    with pytest.raises(StackError) as info:
        check_health(cfg, 1)
    message = str(info.value)
    assert "XPORY_CP_DSN" in message and "A stack está no ar?" in message
    assert "Db5ecretPw" not in message


def test_wait_until_answers_stops_at_once_when_the_process_died(closed_port):
    def dead() -> None:
        raise StackError("o processo cp terminou")

    started = time.monotonic()
    with pytest.raises(StackError, match="o processo cp terminou"):
        base.wait_until_answers("CP", "XPORY_CP_URL", f"http://127.0.0.1:{closed_port}/", verify=True,
                                timeout=10, alive=dead)
    assert time.monotonic() - started < 1


def test_wait_until_answers_waits_through_502_503_504(http_server):
    with pytest.raises(StackError, match=r"WL não respondeu em 0.3s .*\(XPORY_EXPORTER_URL\)"):
        base.wait_until_answers("WL", "XPORY_EXPORTER_URL", http_server.url + "/status/503",
                                verify=True, timeout=0.3)
    base.wait_until_answers("WL", "XPORY_EXPORTER_URL", http_server.url + "/status/404", verify=True, timeout=1)


# --- the CP's health is a JWKS, not any HTTP status ------------------------------------------------
def _rsa_jwk(kid: str) -> dict:
    import json

    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.algorithms import RSAAlgorithm

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    return {**json.loads(RSAAlgorithm.to_jwk(key)), "kid": kid, "use": "sig", "alg": "RS256"}


def _jwks_url(server) -> str:
    return server.url + "/.well-known/jwks.json"


@pytest.mark.parametrize("keys", [[], "one-rsa-key"])
def test_a_jwks_with_a_keys_array_is_healthy(embedded_pki, tls_server, keys):
    server = tls_server(embedded_pki.server_cert, embedded_pki.server_key)
    server.serve_jwks_keys([_rsa_jwk("k1")] if keys == "one-rsa-key" else keys)
    base.wait_until_answers("CP", "XPORY_CP_URL", _jwks_url(server), verify=tls_server_context(embedded_pki),
                            timeout=2, wait_for_start=False)


@pytest.mark.parametrize("keys, shown", [
    (None, "HTTP 200 com JSON sem o array 'keys' de um JWKS"),
    ([{"kty": "RSA", "kid": "k1", "e": "AQAB"}], "JWKS com chave inválida (kid 'k1')"),
])
def test_a_cp_that_should_be_up_but_serves_no_jwks_fails_at_once(embedded_pki, tls_server, keys, shown):
    server = tls_server(embedded_pki.server_cert, embedded_pki.server_key)
    server.serve_jwks_keys(keys)
    started = time.monotonic()
    with pytest.raises(StackError) as info:
        base.wait_until_answers("CP (mTLS)", "XPORY_CP_URL", _jwks_url(server), verify=tls_server_context(embedded_pki),
                                timeout=10, wait_for_start=False)
    assert time.monotonic() - started < 5  # at once, not after the 10 s deadline
    assert "(XPORY_CP_URL) não serve o JWKS do CP" in str(info.value) and shown in str(info.value)


def test_a_404_where_the_jwks_should_be_is_not_a_healthy_cp(http_server):
    with pytest.raises(StackError, match=r"não serve o JWKS do CP: HTTP 404 em vez do JWKS"):
        base.wait_until_answers("CP", "XPORY_CP_URL", http_server.url + "/.well-known/jwks.json", verify=True,
                                timeout=2, wait_for_start=False)


def test_a_starting_cp_is_waited_for_until_it_serves_the_jwks(embedded_pki, tls_server):
    import threading

    server = tls_server(embedded_pki.server_cert, embedded_pki.server_key)
    server.serve_jwks_keys(None)
    with pytest.raises(StackError, match=r"CP não serviu o JWKS em 0.3s .*sem o array 'keys'"):
        base.wait_until_answers("CP", "XPORY_CP_URL", _jwks_url(server), verify=tls_server_context(embedded_pki),
                                timeout=0.3)
    timer = threading.Timer(0.3, server.serve_jwks_keys, args=([_rsa_jwk("k2")],))
    timer.start()
    started = time.monotonic()
    base.wait_until_answers("CP", "XPORY_CP_URL", _jwks_url(server), verify=tls_server_context(embedded_pki),
                            timeout=10)
    assert time.monotonic() - started >= 0.3  # it waited for the JWKS instead of taking the 200 before it
    timer.join()


def tls_server_context(embedded_pki):
    from support.tls import server_context

    return server_context(embedded_pki.ca_cert)
