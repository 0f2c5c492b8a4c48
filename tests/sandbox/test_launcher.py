"""`python -m sandbox up` / `restart cp` as real processes: the endpoints file appears (whole) once every
process is healthy and says what is really there; a CP restart asked from another process returns once the
new CP is healthy; a child that dies ends the launcher naming it, without orphans; SIGTERM stops all."""
from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT / ".xpory"  # the PKI and the cluster template, shared with the other sandbox tests


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(") ", 1)[1].startswith("Z")  # a zombie nobody waits for


def _wait(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"{what}: not within {timeout}s")


class Up:
    def __init__(self, folder: Path, *extra: str, passwords: dict | None = None):
        self.runtime, self.file = folder / "run", folder / "endpoints.json"
        args = [sys.executable, "-m", "sandbox", "up", "--runtime", str(self.runtime), "--cache", str(SHARED),
                "--endpoints", str(self.file), *extra]
        if passwords is not None:
            args.append("--passwords-stdin")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("XPORY_", "SANDBOX_"))}
        self.proc = subprocess.Popen(args, cwd=str(ROOT), env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.proc.stdin.write(json.dumps(passwords or {}))
        self.proc.stdin.close()

    def endpoints(self, timeout: float = 90) -> dict:
        def ready():
            assert self.proc.poll() is None, (self.proc.returncode, self.proc.stderr.read())
            return self.file.exists() and json.loads(self.file.read_text())
        return _wait(ready, timeout, "the endpoints file")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(30)


@pytest.fixture(scope="module")
def up(tmp_path_factory):
    launched = Up(tmp_path_factory.mktemp("up"), "--hold-ttl", "3", "--peer-token-ttl", "7",
                  "--relationship-poll", "0.5", passwords={"bootstrap_password": "Lanc-9-Senha",
                                                           "client_p12_password": "p12-Lanc-4"})
    data = launched.endpoints()
    yield launched, data
    launched.stop()


def _contexts(data: dict) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    server = ssl.create_default_context(cafile=data["ca_file"])
    mtls = ssl.create_default_context(cafile=data["ca_file"])
    mtls.load_cert_chain(data["client_cert"], data["client_key"])
    return server, mtls


def test_the_endpoints_file_says_what_runs_and_the_timings_in_force(up):
    _, data = up
    assert (data["hold_ttl_seconds"], data["peer_token_ttl_seconds"], data["relationship_poll_seconds"]) == (3, 7, 0.5)
    server, mtls = _contexts(data)
    admin_root = data["cp_admin_api"].removesuffix("/admin/api")
    assert httpx.get(admin_root + "/.well-known/jwks.json", verify=server).json()["keys"] is not None
    assert httpx.get(data["cp_url"] + "/.well-known/jwks.json", verify=mtls).status_code == 200
    login = httpx.post(data["cp_admin_api"] + "/auth/login", verify=server,
                       json={"email": "master@xpory.local", "password": "Lanc-9-Senha"})
    assert login.status_code == 200, login.text  # the password given on stdin
    for key in ("exporter_url", "importer_url", "storefront_url"):
        assert httpx.get(data[key] + "/").status_code < 500, key
    for key, database in (("cp_dsn", "xpory_cp"), ("exporter_dsn", "wl-01"), ("importer_dsn", "wl-03")):
        with psycopg.connect(data[key], connect_timeout=5) as conn:
            assert conn.execute("SELECT current_database()").fetchone()[0] == database
    from cryptography.hazmat.primitives.serialization import pkcs12
    pkcs12.load_key_and_certificates(Path(data["client_p12"]).read_bytes(), b"p12-Lanc-4")
    assert set(data["processes"]) == {"db", "cp", "exporter", "importer"}
    assert all(Path(p["log"]).is_file() for p in data["processes"].values())


def test_no_password_shows_in_the_process_list_or_the_endpoints_file(up):
    launched, _ = up
    assert "Lanc-9-Senha" not in Path(f"/proc/{launched.proc.pid}/cmdline").read_text()
    assert "Lanc-9-Senha" not in launched.file.read_text() and "p12-Lanc-4" not in launched.file.read_text()


def test_restart_cp_returns_once_a_new_cp_is_healthy(up):
    launched, data = up
    before = data["processes"]["cp"]["pid"]
    done = subprocess.run([sys.executable, "-m", "sandbox", "restart", "cp", "--runtime", str(launched.runtime)],
                          cwd=str(ROOT), capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr
    after = json.loads(launched.file.read_text())["processes"]["cp"]["pid"]
    assert after != before and _gone(before)
    server, _ = _contexts(data)
    admin_root = data["cp_admin_api"].removesuffix("/admin/api")
    assert httpx.get(admin_root + "/.well-known/jwks.json", verify=server).status_code == 200  # no wait needed


def test_sigterm_stops_every_process_and_removes_the_endpoints_file(up):
    launched, _ = up
    pids = [p["pid"] for p in json.loads(launched.file.read_text())["processes"].values()]
    assert launched.stop() == 0
    assert all(_gone(pid) for pid in pids)
    assert not launched.file.exists()


def test_restart_without_a_running_launcher_says_so(tmp_path):
    done = subprocess.run([sys.executable, "-m", "sandbox", "restart", "cp", "--runtime", str(tmp_path)],
                          cwd=str(ROOT), capture_output=True, text=True, timeout=30)
    assert done.returncode == 1 and f"no sandbox launcher runs in {tmp_path}" in done.stderr


def test_a_child_that_dies_ends_the_launcher_naming_it(tmp_path):
    launched = Up(tmp_path)
    try:
        data = launched.endpoints()
        os.kill(data["processes"]["exporter"]["pid"], signal.SIGKILL)
        code = launched.proc.wait(30)
    finally:
        launched.stop()
    assert code == 1
    report = json.loads((launched.runtime / "exit.json").read_text())
    assert (report["reason"], report["process"], report["code"]) == ("process-died", "exporter", -9)
    assert report["log"] == data["processes"]["exporter"]["log"]
    assert "sandbox process exporter exited with code -9" in launched.proc.stderr.read()
    assert all(_gone(p["pid"]) for p in data["processes"].values())


TAKE_PORTS = """
import json, socket, sys
from pathlib import Path
from sandbox.launcher import Launcher, Options
folder, cache, names = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
launcher = Launcher(Options(runtime=folder / "run", cache=cache, startup_timeout_seconds=30))
taken = {}
for name in names:  # another process takes the ports the launcher picked
    taken[name] = socket.socket()
    taken[name].bind(("127.0.0.1", launcher.ports[name]))
    taken[name].listen()
try:
    print(json.dumps({"taken": {n: s.getsockname()[1] for n, s in taken.items()}, "endpoints": launcher.start()}),
          flush=True)
finally:
    launcher.stop()
"""


def test_ports_taken_before_their_processes_bind_them_start_them_again_on_others(tmp_path):
    """A free port is picked a second before its process binds it; another process (another sandbox, the local
    end of any outgoing connection) may take it meanwhile: that part starts again on a new port (the database
    first, then the services), once healthy the endpoints say the new ones, and each log says why."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XPORY_", "SANDBOX_"))}
    ran = subprocess.run([sys.executable, "-c", TAKE_PORTS, str(tmp_path), str(SHARED), "db", "importer"],
                         cwd=str(ROOT), env=env, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr[-3000:]
    seen = json.loads(ran.stdout.splitlines()[-1])
    for name, key in (("db", "cp_dsn"), ("importer", "importer_url")):
        assert f":{seen['taken'][name]}/" not in seen["endpoints"][key] + "/", (name, seen)
        assert "was taken by another process" in (tmp_path / "run" / "logs" / f"{name}.log").read_text()


HOLD_THE_CP_PORT = """
import json, socket, sys, threading, time
from pathlib import Path
from sandbox.launcher import Launcher, Options
folder, cache = Path(sys.argv[1]), Path(sys.argv[2])
launcher = Launcher(Options(runtime=folder / "run", cache=cache, startup_timeout_seconds=30))
try:
    before = launcher.start()
    launcher.terminate(["cp"])
    held = socket.socket()
    held.bind(("127.0.0.1", launcher.ports["cp_admin"]))  # taken in the moment the old CP let it go
    held.listen()
    threading.Timer(0.4, held.close).start()
    seconds = launcher.restart("cp", 30)
    print(json.dumps({"seconds": seconds, "before": before["cp_admin_api"], "after": launcher.endpoints()["cp_admin_api"]}),
          flush=True)
finally:
    launcher.stop()
"""


def test_a_cp_restart_waits_for_its_port_held_by_another_process_and_keeps_it(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XPORY_", "SANDBOX_"))}
    ran = subprocess.run([sys.executable, "-c", HOLD_THE_CP_PORT, str(tmp_path), str(SHARED)], cwd=str(ROOT),
                         env=env, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr[-3000:]
    seen = json.loads(ran.stdout.splitlines()[-1])
    assert seen["after"] == seen["before"]  # the same port: the suite keeps using the URL it has
    assert seen["seconds"] >= 0.4  # it could bind only once the other process let the port go
    assert (tmp_path / "run" / "logs" / "cp.log").read_text().lower().count("address already in use") >= 1
