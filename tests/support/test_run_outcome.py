"""support/run_outcome.py: which failed steps are setup problems (exit code 2, the cause named) and which
are the product's failures; the stack controllers name a stack process that died. The whole path through
behave and the gate is in tests/gate/test_setup_no_meio.py."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass

import httpx
import psycopg
import pytest
from fake_docker import install

from support import config, run_outcome
from support.errors import ConfigError, StackError, UnsafeOperation
from support.masking import Masker
from support.stack.base import CannotInThisProfile
from support.stack.compose import ComposeStack
from support.stack.embedded import EmbeddedStack
from support.stack.external import ExternalStack
from support.wait import WaitTimeout


@dataclass
class Session:  # the two attributes setup_cause reads of support.session.Session
    stack: object
    masker: Masker


@pytest.fixture
def external(profiles_dir, full_environ):
    return Session(ExternalStack(config.load(environ=full_environ(XPORY_PERFIL="externo"), profiles_dir=profiles_dir)),
                   Masker([]))


def refused(closed_port) -> httpx.ConnectError:
    try:
        httpx.get(f"http://127.0.0.1:{closed_port}/api/v2/trader/purchases/pending", timeout=2)
    except httpx.ConnectError as exc:
        return exc
    raise AssertionError("nothing should listen there")


@pytest.mark.parametrize("error", [
    StackError("'docker' não está instalado: o perfil com XPORY_STACK=compose precisa do Docker."),
    StackError("CP (mTLS) não serviu o JWKS em 180s em https://cp.localhost/.well-known/jwks.json"),
    CannotInThisProfile("Defina XPORY_CP_RESTART_COMMAND"),
    UnsafeOperation("Recusado: o reset apaga dados"),
    ConfigError("Configuração ausente: XPORY_CP_RESTART_TIMEOUT_SECONDS"),
])
def test_the_suites_setup_errors_are_setup_problems_with_their_message(external, error):
    assert run_outcome.setup_cause(external, error) == str(error)


def test_a_refused_connection_mid_run_is_a_stack_that_stopped_answering(external, closed_port):
    cause = run_outcome.setup_cause(external, refused(closed_port))
    assert cause.startswith(f"a stack parou de responder: conexão recusada em http://127.0.0.1:{closed_port}/")
    assert "stack externa" in cause


def test_a_lost_database_connection_is_a_setup_problem(external, closed_port):
    with pytest.raises(psycopg.OperationalError) as info:
        psycopg.connect(f"postgresql://postgres@127.0.0.1:{closed_port}/wl-03", connect_timeout=2)
    assert run_outcome.setup_cause(external, info.value).startswith("um banco da stack parou de responder")


@pytest.mark.parametrize("error", [
    AssertionError("esperava HTTP 200, veio HTTP 500"),
    WaitTimeout("o CP listar cada trade com o status do exportador: não aconteceu em 15s"),  # the product's wait
    KeyError("tradeId"),
    None,
])
def test_the_products_failures_stay_failed_scenarios(external, error):
    assert run_outcome.setup_cause(external, error) is None


def _launcher(stack: EmbeddedStack, children: dict[str, subprocess.Popen], code: int | None = None):
    """Stand-ins for `python -m sandbox up` and its children, with the files it documents: the endpoints
    file naming the children, and (when `code` is given) exit.json saying which child ended."""
    stack.runtime.mkdir(parents=True)
    processes = {name: {"pid": proc.pid, "log": str(stack.logs / f"{name}.log")} for name, proc in children.items()}
    stack.endpoints_file.write_text(json.dumps({"processes": processes}))
    if code is None:
        return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    (stack.runtime / "exit.json").write_text(json.dumps({
        "reason": "process-died", "process": "exporter", "code": 3, "log": processes["exporter"]["log"],
        "log_tail": "Traceback ...\nMemoryError"}))
    return subprocess.Popen([sys.executable, "-c", f"raise SystemExit({code})"])


def test_a_sandbox_process_that_died_is_named_whatever_the_step_saw(tmp_path):
    cfg = config.load(environ={"XPORY_RUNTIME_DIR": str(tmp_path / "rt")})
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    dead = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    dead.wait(10)
    running, ended = EmbeddedStack(cfg), EmbeddedStack(cfg)
    ended.runtime = tmp_path / "ended"
    ended.endpoints_file, ended.logs = ended.runtime / "endpoints.json", ended.runtime / "logs"
    try:
        running.proc = _launcher(running, {"cp": alive})
        assert running.died() is None
        ended.proc = _launcher(ended, {"cp": alive, "exporter": dead}, code=1)
        cause = run_outcome.setup_cause(Session(ended, Masker([])), AssertionError("esperava HTTP 200, veio 502"))
        assert cause.startswith("o processo exporter do sandbox terminou durante a execução (código 3)")
        assert str(ended.logs / "exporter.log") in cause and "MemoryError" in cause
    finally:
        for proc in (alive, running.proc):
            proc.kill()
            proc.wait(10)


def test_a_compose_service_that_is_not_running_is_named(profiles_dir, full_environ, tmp_path, monkeypatch):
    docker = install(tmp_path / "docker", monkeypatch)
    cfg = config.load(environ=full_environ(XPORY_PERFIL="staging-local", XPORY_TRADER_DIR=str(tmp_path)),
                      profiles_dir=profiles_dir)
    stack = ComposeStack(cfg)
    assert stack.died() is None
    docker.set(services=["controlplane exited Exited (137) 5 seconds ago", "postgres running Up 2 hours"])
    cause = run_outcome.setup_cause(Session(stack, Masker([])), AssertionError("HTTP 502"))
    assert cause.startswith("serviço(s) da stack do xpory-trader fora do ar")
    assert "controlplane exited Exited (137)" in cause and "postgres" not in cause
