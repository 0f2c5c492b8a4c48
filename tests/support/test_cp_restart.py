"""Restarting the CP in the reset (runbook step 1): compose checks the controlplane container really
restarted (its StartedAt changed) within XPORY_CP_RESTART_TIMEOUT_SECONDS; an external stack restarts
it with XPORY_CP_RESTART_COMMAND; XPORY_COMPOSE_UP runs xpory-trader's certificate script first when
traefik/certs/ca.crt is missing. `docker` is tests/support/fake_docker.py, found on PATH by the real
subprocess code; the health wait after the restart has its own tests (test_stack_controllers.py)."""
from __future__ import annotations

import sys
import time

import pytest
from fake_docker import install

from support import config
from support.errors import StackError
from support.stack import compose, external
from support.stack.compose import ComposeStack
from support.stack.external import ExternalStack


@pytest.fixture
def checkout(tmp_path):
    folder = tmp_path / "xpory-trader"
    folder.mkdir()
    return folder


@pytest.fixture
def load(profiles_dir, full_environ, checkout):
    def make(profile: str = "staging-local", **overrides) -> config.Config:
        env = full_environ(**{"XPORY_PERFIL": profile, "XPORY_TRADER_DIR": str(checkout), **overrides})
        return config.load(environ=env, profiles_dir=profiles_dir)
    return make


@pytest.fixture
def health(monkeypatch):
    calls: list[dict] = []

    def record(cfg, timeout, **kw):
        calls.append({"timeout": timeout, **kw})

    monkeypatch.setattr(compose, "check_health", record)
    monkeypatch.setattr(external, "check_health", record)
    return calls


@pytest.fixture
def docker(tmp_path, monkeypatch):
    return install(tmp_path / "docker", monkeypatch)


def test_profiles_give_the_cp_restart_its_own_deadline(load):
    assert load("staging-local").cp_restart_timeout_seconds >= 180
    assert load("externo").cp_restart_timeout_seconds >= 180
    assert load("staging-local").cp_restart_timeout_seconds != load("staging-local").http_timeout_seconds


def test_compose_restart_checks_that_the_container_started_again(load, docker, health, checkout):
    before = docker.state["started_at"]
    ComposeStack(load()).restart_cp()
    assert docker.calls() == [
        ["compose", "ps", "-q", "controlplane"],
        ["inspect", "--format", "{{.State.StartedAt}} {{.State.Running}}", "0f3c9a1e2b7d"],
        ["compose", "restart", "controlplane"],
        ["compose", "ps", "-q", "controlplane"],
        ["inspect", "--format", "{{.State.StartedAt}} {{.State.Running}}", "0f3c9a1e2b7d"],
    ]
    assert docker.state["started_at"] != before
    assert len(health) == 1 and health[0]["wait_for_start"] is True
    assert 170 < health[0]["timeout"] <= 180  # what is left of XPORY_CP_RESTART_TIMEOUT_SECONDS


def test_a_restart_that_did_not_restart_the_container_is_a_stack_error(load, docker, health):
    docker.set(restart_changes=False)
    with pytest.raises(StackError, match=r"o contêiner controlplane não reiniciou .*2026-01-06T12:00:00"):
        ComposeStack(load()).restart_cp()
    assert health == []


def test_a_cp_container_that_is_not_running_after_the_restart_is_a_stack_error(load, docker, health):
    docker.set(running=False)
    with pytest.raises(StackError, match=r"não reiniciou .*false'"):
        ComposeStack(load()).restart_cp()


def test_without_a_cp_container_the_restart_says_the_stack_is_not_up(load, docker, health):
    docker.set(cp_container="")
    with pytest.raises(StackError, match=r"não achou o contêiner do serviço controlplane .*docker compose up -d"):
        ComposeStack(load()).restart_cp()
    assert ["compose", "restart", "controlplane"] not in docker.calls()


def test_a_failing_restart_gives_dockers_message(load, docker, health):
    docker.set(restart_exit=3)
    with pytest.raises(StackError, match=r"'docker compose restart controlplane' falhou .*código 3\): .*restart failed"):
        ComposeStack(load()).restart_cp()


def test_the_restart_command_is_bounded_by_the_restart_deadline(load, health, checkout):
    def slow(command, *, cwd, capture_output, text, timeout):
        import subprocess

        if command[:3] == ["docker", "compose", "restart"]:
            raise subprocess.TimeoutExpired(command, timeout)
        return subprocess.CompletedProcess(command, 0, "cid\n" if "ps" in command else "t0 true\n", "")

    with pytest.raises(StackError, match=r"'docker compose restart controlplane' não terminou em 2s"):
        ComposeStack(load(XPORY_CP_RESTART_TIMEOUT_SECONDS="2"), runner=slow).restart_cp()


# --- an external stack: XPORY_CP_RESTART_COMMAND -----------------------------------------------------
def test_external_restart_runs_the_configured_command_then_waits_healthy(load, health, tmp_path):
    marker = tmp_path / "restarted"
    command = f"{sys.executable} -c \"import pathlib; pathlib.Path('{marker}').write_text('sim')\""
    ExternalStack(load("externo", XPORY_CP_RESTART_COMMAND=command)).restart_cp()
    assert marker.read_text() == "sim"
    assert len(health) == 1 and health[0]["wait_for_start"] is True and health[0]["timeout"] <= 180


def test_external_restart_command_that_fails_names_the_setting(load, health):
    command = f"{sys.executable} -c \"import sys; sys.exit('serviço controlplane desconhecido')\""
    with pytest.raises(StackError, match=r"XPORY_CP_RESTART_COMMAND falhou \(código 1\): serviço controlplane desconhecido"):
        ExternalStack(load("externo", XPORY_CP_RESTART_COMMAND=command)).restart_cp()
    assert health == []


def test_external_restart_command_is_bounded_by_the_restart_deadline(load, health):
    command = f"{sys.executable} -c \"import time; time.sleep(30)\""
    started = time.monotonic()
    with pytest.raises(StackError, match=r"XPORY_CP_RESTART_COMMAND não terminou em 0.5s \(XPORY_CP_RESTART_TIMEOUT_SECONDS\)"):
        ExternalStack(load("externo", XPORY_CP_RESTART_COMMAND=command,
                           XPORY_CP_RESTART_TIMEOUT_SECONDS="0.5")).restart_cp()
    assert time.monotonic() - started < 10


def test_external_restart_command_of_a_missing_program(load, health):
    with pytest.raises(StackError, match=r"o programa 'reiniciar-cp-inexistente' não existe"):
        ExternalStack(load("externo", XPORY_CP_RESTART_COMMAND="reiniciar-cp-inexistente --agora")).restart_cp()


def test_external_stack_without_a_restart_command_says_which_setting_to_set(load, health):
    from support.stack.base import CannotInThisProfile

    with pytest.raises(CannotInThisProfile, match="Defina XPORY_CP_RESTART_COMMAND"):
        ExternalStack(load("externo")).restart_cp()


# --- XPORY_COMPOSE_UP: the certificates first ----------------------------------------------------------
CERT_SCRIPT = """#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")/.."
echo '["certificate script"]' >> "$(dirname "$FAKE_DOCKER_STATE")/calls.jsonl"
mkdir -p traefik/certs
echo "CA" > traefik/certs/ca.crt
"""


def _with_script(checkout, body: str = CERT_SCRIPT) -> None:
    (checkout / "scripts").mkdir()
    script = checkout / "scripts" / "setup-traefik-certs.sh"
    script.write_text(body)
    script.chmod(0o755)


def test_compose_up_without_the_ca_runs_the_certificate_script_first(load, docker, health, checkout):
    _with_script(checkout)
    ComposeStack(load(XPORY_COMPOSE_UP="true")).start()
    assert docker.calls() == [["certificate script"], ["compose", "up", "-d"],
                              ["compose", "-f", "docker-compose.proxy.yml", "up", "-d"]]
    assert (checkout / "traefik" / "certs" / "ca.crt").read_text() == "CA\n"


def test_compose_up_with_the_ca_present_does_not_regenerate_it(load, docker, health, checkout):
    _with_script(checkout)
    (checkout / "traefik" / "certs").mkdir(parents=True)
    (checkout / "traefik" / "certs" / "ca.crt").write_text("existing CA")
    ComposeStack(load(XPORY_COMPOSE_UP="true")).start()
    assert ["certificate script"] not in docker.calls()
    assert (checkout / "traefik" / "certs" / "ca.crt").read_text() == "existing CA"


def test_without_compose_up_the_certificates_are_left_alone(load, docker, health, checkout):
    _with_script(checkout)
    ComposeStack(load()).start()
    assert docker.calls() == [] and not (checkout / "traefik").exists()


def test_a_checkout_without_the_script_is_a_clear_error(load, docker, health):
    with pytest.raises(StackError, match=r"traefik/certs/ca.crt não existe e o checkout não tem scripts/setup-traefik-certs.sh"):
        ComposeStack(load(XPORY_COMPOSE_UP="true")).start()
    assert docker.calls() == []


def test_a_script_that_fails_stops_before_compose_up(load, docker, health, checkout):
    _with_script(checkout, "#!/usr/bin/env bash\necho 'keytool: command not found' >&2\nexit 127\n")
    with pytest.raises(StackError,
                       match=r"'bash scripts/setup-traefik-certs.sh' falhou .*código 127\): keytool: command not found"):
        ComposeStack(load(XPORY_COMPOSE_UP="true")).start()
    assert docker.calls() == []


def test_a_script_that_writes_no_ca_is_a_clear_error(load, docker, health, checkout):
    _with_script(checkout, "#!/usr/bin/env bash\nexit 0\n")
    with pytest.raises(StackError, match=r"terminou sem gerar .*traefik/certs/ca.crt"):
        ComposeStack(load(XPORY_COMPOSE_UP="true")).start()
