"""The reset's staging fixes, against real servers: the CP cleanup truncates only the cp_* tables the
CP has and says which it lacks (a real PostgreSQL); the debug import follows the runbook's recovery
notes — a new peer token on `Invalid Control Plane token`, a new import while the warnings
`policy.stale`/`relationships.stale` last — against the embedded sandbox opened as a real Session."""
from __future__ import annotations

import dataclasses
import http.server
import json
import threading
import time
from types import SimpleNamespace

import psycopg
import pytest

from support import config, queries
from support.database import Databases
from support.errors import StackError
from support.masking import Masker
from support.reset import phases, runbook_steps
from support.reset.tables import CP_TABLES
from support.wl_clients import ImporterApi


# --- a CP older than cp_trades ---------------------------------------------------------------------------
@pytest.fixture
def old_cp(postgres):
    dsn = f"postgresql://postgres@127.0.0.1:{postgres}/xpory_cp_antigo"
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{postgres}/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS xpory_cp_antigo WITH (FORCE)")
        conn.execute("CREATE DATABASE xpory_cp_antigo")
    with psycopg.connect(dsn, autocommit=True) as conn:
        for table in CP_TABLES:
            if table != "cp_trades":
                conn.execute(f"CREATE TABLE {table} (id serial PRIMARY KEY, note text)")
                conn.execute(f"INSERT INTO {table} (note) VALUES ('execução anterior')")
    forgotten = []
    session = SimpleNamespace(db=Databases(dsn, dsn, dsn, Masker([])),
                              cp_admin=SimpleNamespace(forget_token=lambda: forgotten.append(True)))
    return session, forgotten


def test_the_cleanup_truncates_the_tables_the_cp_has_and_names_the_missing_one(old_cp, capsys):
    session, forgotten = old_cp
    assert runbook_steps.clean_cp(session) == ("cp_trades",)
    assert "Tabelas cp_* que este CP não tem (não truncadas): cp_trades" in capsys.readouterr().out
    counts = queries.cp_row_counts(session)
    assert set(counts) == set(CP_TABLES) - {"cp_trades"} and set(counts.values()) == {0}
    assert forgotten == [True]


def test_present_tables_keeps_the_given_order(old_cp):
    session, _ = old_cp
    assert queries.present_tables(session.db.cp, ("cp_users", "cp_trades", "cp_telemetry", "nao_existe")) == (
        ("cp_users", "cp_telemetry"), ("cp_trades", "nao_existe"))


# --- the debug import's recovery, on the embedded sandbox ------------------------------------------------
@pytest.fixture
def sandbox(sandbox_session):
    phases.reach(sandbox_session, phases.PHASE["export_policy ampla aplicada no exportador"])
    return sandbox_session


def calls(session) -> list[str]:
    return [f"{c.method} {c.url.split('://', 1)[1].split('/', 1)[1]} {c.status}" for c in session.http_log.calls]


def test_an_invalid_token_is_replaced_by_a_new_one_and_the_import_runs(sandbox, capsys):
    sandbox.http_log.clear()
    body = runbook_steps.debug_import(sandbox, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJh")
    assert body["summary"]["totalOffersDiscovered"] > 0
    assert calls(sandbox) == [
        "POST api/v2/control-plane/debug/import 401",
        f"POST wls/{sandbox.config.importer_wl_id}/peer-token 201",
        "POST api/v2/control-plane/debug/import 200",
    ]
    assert "novo peer token" in capsys.readouterr().out


def test_stale_caches_right_after_the_reset_make_the_import_run_again(sandbox, capsys):
    db = sandbox.db
    for _ in range(5):  # the importer's relationship poller (every 0.25 s) may refill both caches first
        db.destructive(db.importer, "TRUNCATE TABLE cp_policy_cache, cp_relationship_cache RESTART IDENTITY CASCADE")
        sandbox.http_log.clear()
        body = runbook_steps.debug_import(sandbox, runbook_steps.peer_token(sandbox))
        imports = [c for c in sandbox.http_log.calls if c.url.endswith("/debug/import")]
        stale = {"policy.stale", "relationships.stale"} & set(json.loads(imports[0].response_body)["warnings"])
        if stale or len(imports) != 1:
            break
    assert len(imports) == 2
    first = set(json.loads(imports[0].response_body)["warnings"])
    assert {"policy.stale", "relationships.stale"} & first  # (the relationship poller may refill its cache first)
    assert not {"policy.stale", "relationships.stale"} & set(body["warnings"])
    assert "importando de novo" in capsys.readouterr().out


class _AlwaysStale(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.dumps({"ok": True, "summary": {}, "warnings": ["policy.stale"]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_caches_that_stay_stale_are_a_setup_problem_within_the_import_deadline(sandbox):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _AlwaysStale)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        importer = ImporterApi(f"http://127.0.0.1:{server.server_address[1]}", sandbox.http_log)
        stuck = dataclasses.replace(sandbox, importer=importer,
                                    config=sandbox.config.with_values(XPORY_IMPORT_TIMEOUT_SECONDS="1.5"))
        started = time.monotonic()
        with pytest.raises(StackError, match=r"ainda avisa policy.stale depois de 1.5s \(XPORY_IMPORT_TIMEOUT_SECONDS\)"):
            runbook_steps.debug_import(stuck, "token")
        assert 1.5 <= time.monotonic() - started < 10
    finally:
        server.shutdown()
        server.server_close()


# --- a CP that restarts but never lets the bootstrap MASTER in ----------------------------------------------
def test_a_cp_whose_master_never_logs_in_after_the_restart_is_a_setup_problem(http_server):
    from support.cp_admin import CpAdminApi
    from support.http import HttpLog

    cfg = config.load(environ={"XPORY_CP_RESTART_TIMEOUT_SECONDS": "0.5", "XPORY_ADMIN_PASSWORD": "nao-e-a-senha"})
    restarted = []
    session = SimpleNamespace(
        config=cfg, stack=SimpleNamespace(restart_cp=lambda: restarted.append(True)),
        cp_admin=CpAdminApi(http_server.url + "/admin/api", HttpLog(Masker([])), email=cfg.admin_email,
                            password=cfg.admin_password))
    with pytest.raises(StackError, match=r"não entrou em 0.5s \(XPORY_CP_RESTART_TIMEOUT_SECONDS\)"):
        runbook_steps.restart_cp(session)
    assert restarted == [True] and http_server.state.logins >= 2  # it kept trying until the restart deadline
