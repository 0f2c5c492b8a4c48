"""support/stack/embedded.py drives `python -m sandbox up` like compose drives docker: the command line it
builds, the endpoints file mapped to the suite's settings (the timings the launcher reports win), the
passwords kept off the command line, a launcher that fails to start named with its reason, the CP restart
as `python -m sandbox restart cp`, stop by SIGTERM; and it knows nothing of the sandbox's insides.
A stand-in launcher (a script given as the driver's `python`) plays the documented command line; the real
one is exercised by tests/sandbox/test_launcher.py and by every embedded run."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from support import config
from support.errors import StackError
from support.stack import embedded
from support.stack.embedded import EmbeddedStack, up_command

FAKE = '''#!{python}
import json, signal, sys, time
from pathlib import Path
args = sys.argv[3:]  # after "-m sandbox"
log = Path({log!r})
if args[0] == "restart":
    log.with_name("restart.json").write_text(json.dumps(args))
    if {restart_fails!r}:
        print("the CP did not come back", file=sys.stderr)
        sys.exit(1)
    sys.exit(0)
opts = {{}}
rest = args[1:]
while rest:
    key = rest.pop(0)
    opts[key] = True if key == "--passwords-stdin" else rest.pop(0)
log.write_text(json.dumps({{"argv": args, "stdin": json.loads(sys.stdin.read())}}))
runtime = Path(opts["--runtime"])
if {fail!r}:
    (runtime / "exit.json").write_text(json.dumps({{"reason": "start-failed", "process": "cp", "code": 1,
                                                   "log": str(runtime / "logs" / "cp.log"), "log_tail": "boom"}}))
    sys.exit(2)
stopped = []
signal.signal(signal.SIGTERM, lambda *_: stopped.append(1))
keys = ["cp_admin_api", "admin_ui_url", "cp_url", "exporter_url", "importer_url", "storefront_url",
        "exporter_gateway_url", "importer_gateway_url"]
data = {{k: "https://localhost:1%d/admin/" % i if k == "admin_ui_url" else "https://localhost:1%d" % i
        for i, k in enumerate(keys)}}
data.update(cp_dsn="postgresql://postgres@127.0.0.1:9/a", exporter_dsn="postgresql://postgres@127.0.0.1:9/b",
            importer_dsn="postgresql://postgres@127.0.0.1:9/c", ca_file="/x/ca.crt", client_p12="/x/c.p12",
            exporter_wl_id=opts["--exporter-wl-id"], importer_wl_id=opts["--importer-wl-id"],
            hold_ttl_seconds=float(opts["--hold-ttl"]), peer_token_ttl_seconds=int(opts["--peer-token-ttl"]),
            relationship_poll_seconds=float(opts["--relationship-poll"]),
            cp_start_delay_seconds=float(opts["--cp-start-delay"]), processes={{}})
tmp = Path(opts["--endpoints"] + ".tmp")
tmp.write_text(json.dumps(data))
tmp.rename(opts["--endpoints"])
while not stopped:
    time.sleep(0.01)
log.with_name("stopped").write_text("SIGTERM")
'''


def fake_python(tmp_path: Path, fail: bool = False, restart_fails: bool = False) -> Path:
    script = tmp_path / "fake-python"
    script.write_text(FAKE.format(python=sys.executable, log=str(tmp_path / "launched.json"), fail=fail,
                                  restart_fails=restart_fails))
    script.chmod(0o755)
    return script


def load(tmp_path: Path, **env: str) -> config.Config:
    return config.load("embutido", environ={"XPORY_RUNTIME_DIR": str(tmp_path / "rt"), **env})


def test_the_command_line_carries_the_profile_s_timings_and_the_extra_arguments_last(tmp_path):
    cfg = load(tmp_path, XPORY_SANDBOX_UP_ARGS="--variante b --hold-ttl '5'", XPORY_ADMIN_PASSWORD="Adm-Segredo-9")
    command = up_command(cfg, tmp_path / "run", tmp_path / "run" / "endpoints.json", python="py")
    assert command[:4] == ["py", "-m", "sandbox", "up"]
    pairs = dict(zip(command[4:-5:2], command[5:-5:2], strict=True))
    assert pairs["--hold-ttl"] == str(cfg.hold_ttl_seconds)
    assert pairs["--peer-token-ttl"] == str(cfg.sandbox_peer_token_ttl_seconds)
    assert pairs["--relationship-poll"] == str(cfg.sandbox_relationship_poll_seconds)
    assert pairs["--cache"] == str(tmp_path / "rt") and pairs["--exporter-wl-id"] == cfg.exporter_wl_id
    assert command[-5:] == ["--passwords-stdin", "--variante", "b", "--hold-ttl", "5"]
    assert "Adm-Segredo-9" not in " ".join(command)


def test_start_maps_the_endpoints_file_and_the_launcher_s_timings_win(tmp_path):
    cfg = load(tmp_path, XPORY_SANDBOX_UP_ARGS="--hold-ttl 5", XPORY_ADMIN_PASSWORD="Adm-Segredo-9")
    stack = EmbeddedStack(cfg, python=str(fake_python(tmp_path)))
    resolved = stack.start()
    try:
        assert resolved.hold_ttl_seconds == 5.0  # what the launcher says it uses, not the profile's 2
        assert resolved.cp_url == "https://localhost:12" and resolved.admin_ui_url == "https://localhost:11/admin/"
        assert resolved.cp_dsn.endswith("/a") and str(resolved.ca_file) == "/x/ca.crt"
        assert resolved.sandbox_peer_token_ttl_seconds == cfg.sandbox_peer_token_ttl_seconds
        launched = json.loads((tmp_path / "launched.json").read_text())
        assert launched["stdin"] == {"bootstrap_password": "Adm-Segredo-9",
                                     "client_p12_password": cfg.client_p12_password}
        assert stack.cold_start_seconds is not None and stack.died() is None
    finally:
        stack.stop()
    assert (tmp_path / "stopped").read_text() == "SIGTERM"


def test_a_launcher_that_fails_to_start_is_named_with_its_reason(tmp_path):
    stack = EmbeddedStack(load(tmp_path), python=str(fake_python(tmp_path, fail=True)))
    with pytest.raises(StackError) as info:
        stack.start()
    assert str(info.value).startswith("O processo cp do sandbox terminou com código 1 ao iniciar. Log: ")
    assert str(info.value).endswith("boom")


def test_restart_cp_runs_the_launcher_s_restart_command(tmp_path):
    stack = EmbeddedStack(load(tmp_path, XPORY_CP_RESTART_TIMEOUT_SECONDS="7"), python=str(fake_python(tmp_path)))
    stack.restart_cp()
    assert json.loads((tmp_path / "restart.json").read_text()) == [
        "restart", "cp", "--runtime", str(stack.runtime), "--timeout", "7"]
    failing = EmbeddedStack(load(tmp_path), python=str(fake_python(tmp_path, restart_fails=True)))
    with pytest.raises(StackError, match=r"'python -m sandbox restart cp' falhou \(código 1\): the CP did not come back"):
        failing.restart_cp()


def test_the_driver_knows_nothing_of_the_sandbox_s_insides():
    source = Path(embedded.__file__).read_text()
    assert not re.search(r"(?<!XPORY_)SANDBOX_", source)  # the sandbox processes' own variables
    for inside in ("sandbox.db", "sandbox.cp", "sandbox.wl", "xpory_cp", "wl-01", "wl-03",
                   "db.ready", "pg-template", "/dev/shm", "wl-client", "ca.crt", "pgdata"):
        assert inside not in source, inside
    assert not re.search(r"^\s*(from|import) sandbox", source, re.M)
