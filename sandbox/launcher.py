"""`python -m sandbox up`: the sandbox's own launcher. It picks free loopback ports, makes the PKI, gives
the run a RAM data folder and a copy of the seeded cluster template, starts PostgreSQL, the CP and the two
WLs, waits until each is healthy, writes the endpoints file, then supervises its children.

Whoever drives the sandbox (the acceptance suite's embedded profile, a person at a terminal) needs only
this command line and the files it documents (sandbox/README.md, "Launcher"): the endpoints file (JSON,
neutral keys), `<runtime>/logs/<process>.log`, and `<runtime>/exit.json` when it stops for a reason other
than being asked. `python -m sandbox restart cp --runtime DIR` asks the running launcher, through request
files in `<runtime>/control/`, to restart the CP; it returns once the CP is healthy again.

Children are spawned from the main thread only, each in its own process group and with
PR_SET_PDEATHSIG, so they never outlive the launcher, however it ends.
"""
from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from . import forked

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("db", "cp", "exporter", "importer")
SERVICES = ("cp", "exporter", "importer")
COMMANDS = {"db": ["-m", "sandbox.db"], "cp": ["-m", "sandbox.cp"],
            "exporter": ["-m", "sandbox.wl", "exporter"], "importer": ["-m", "sandbox.wl", "importer"]}
PORTS = ("db", "cp_admin", "cp_mtls", "exporter", "importer", "storefront")
DATABASES = {"cp": "xpory_cp", "exporter": "wl-01", "importer": "wl-03"}
EXPORTER_WL_ID = "fd1a88a9-3a01-43bb-ae20-32618c1b3752"
IMPORTER_WL_ID = "2a6f8e2c-874c-4476-aac3-0d535fb52ac7"
PORTS_OF = {"db": ("db",), "cp": ("cp_admin", "cp_mtls"), "exporter": ("exporter",),
            "importer": ("importer", "storefront")}
# The ports are picked free (bound to port 0 and released) before the processes bind them, a second later:
# meanwhile another process may take one (another sandbox, or the local end of any outgoing connection: the
# kernel hands those out from the same range). A part that then cannot bind starts again on new ports.
PORT_ATTEMPTS = 3
PORT_TAKEN = "address already in use"  # uvicorn's and PostgreSQL's words for EADDRINUSE
PORT_RETRY_PAUSE = 0.05  # a restart waits this long before binding its port again
SUPERVISE_INTERVAL = 0.02  # seconds between looks at the children and the control folder
STOP_GRACE = 10.0


class LaunchError(RuntimeError):
    """The stack could not be brought (or kept) up; `report` is what `<runtime>/exit.json` says."""

    def __init__(self, message: str, report: dict):
        super().__init__(message)
        self.report = {**report, "message": message}


class Stopped(Exception):
    """SIGTERM/SIGINT arrived: stop everything and exit 0."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Own process group (a terminal's Ctrl-C reaches only the launcher), and SIGTERM when the launcher dies."""
    os.setpgrp()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def write_json_atomically(path: Path, data: dict) -> None:
    """Write `path` as a whole or not at all: a temporary file beside it, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class Options:
    """What `sandbox up` takes (the command line: `__main__.py`)."""

    runtime: Path
    cache: Path
    endpoints: Path | None = None
    hold_ttl_seconds: float = 90.0
    peer_token_ttl_seconds: int = 300
    relationship_poll_seconds: float = 180.0
    cp_start_delay_seconds: float = 0.0
    exporter_wl_id: str = EXPORTER_WL_ID
    importer_wl_id: str = IMPORTER_WL_ID
    bootstrap_password: str = "changeit"
    client_p12_password: str = "changeit"
    bcrypt_rounds: int = 4
    startup_timeout_seconds: float = 60.0
    variant: str = "a"  # the personality (sandbox/personality.py): a | b
    python: str = sys.executable
    extra_env: dict[str, str] = field(default_factory=dict)


class Launcher:
    def __init__(self, options: Options):
        self.options = options
        self.runtime = options.runtime.resolve()
        self.cache = options.cache.resolve()
        self.logs = self.runtime / "logs"
        self.control = self.runtime / "control"
        self.pki_dir = self.cache / "pki"
        self.client_p12 = self.runtime / "pki" / "wl-client.p12"  # this launch's password, its own file
        shm = Path("/dev/shm")  # the run's database in RAM when the machine has it (no disk writeback)
        self.pgdata = (shm / f"xpory-{self.runtime.name}-{os.getpid()}" if shm.is_dir() and os.access(shm, os.W_OK)
                       else self.runtime / "pgdata")
        self.ports = {name: free_port() for name in PORTS}
        self.procs: dict[str, subprocess.Popen | forked.Child] = {}
        self.stopping = False
        self.started = time.perf_counter()
        self.cold_start_seconds: float | None = None
        self._env: dict[str, str] = {}
        self._log_starts: dict[Path, int] = {}  # log -> its size when the part last started

    # --- what the children read ---------------------------------------------------------------
    def child_env(self) -> dict[str, str]:
        o, p = self.options, self.ports
        env = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_")}
        env.update({
            "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
            "SANDBOX_RUNTIME_DIR": str(self.runtime),
            "SANDBOX_PG_TEMPLATE_DIR": str(self.cache / "pg-template"),
            "SANDBOX_PGDATA_DIR": str(self.pgdata),
            "SANDBOX_PKI_DIR": str(self.pki_dir),
            "SANDBOX_DB_PORT": str(p["db"]), "SANDBOX_CP_ADMIN_PORT": str(p["cp_admin"]),
            "SANDBOX_CP_MTLS_PORT": str(p["cp_mtls"]), "SANDBOX_EXPORTER_PORT": str(p["exporter"]),
            "SANDBOX_IMPORTER_PORT": str(p["importer"]), "SANDBOX_STOREFRONT_PORT": str(p["storefront"]),
            "SANDBOX_EXPORTER_WL_ID": o.exporter_wl_id, "SANDBOX_IMPORTER_WL_ID": o.importer_wl_id,
            "SANDBOX_HOLD_TTL_SECONDS": str(o.hold_ttl_seconds),
            "SANDBOX_RELATIONSHIP_POLL_SECONDS": str(o.relationship_poll_seconds),
            "SANDBOX_PEER_TOKEN_TTL_SECONDS": str(o.peer_token_ttl_seconds),
            "SANDBOX_CP_START_DELAY_SECONDS": str(o.cp_start_delay_seconds),
            "SANDBOX_BOOTSTRAP_PASSWORD": o.bootstrap_password,
            "SANDBOX_CLIENT_P12_PASSWORD": o.client_p12_password,
            "SANDBOX_BCRYPT_ROUNDS": str(o.bcrypt_rounds),
            "SANDBOX_PERSONALITY": o.variant,
            "SANDBOX_WAIT_FOR_DB": "1",  # CP and WLs start with the database and wait for its ready file
        })
        env.update(o.extra_env)
        return env

    def endpoints(self) -> dict:
        """The endpoints file: neutral keys, the certificate files, the timings in force, the processes."""
        o, p = self.options, self.ports
        dsn = f"postgresql://postgres@127.0.0.1:{p['db']}/"
        pki = self.pki_dir
        return {
            "cp_admin_api": f"https://localhost:{p['cp_admin']}/admin/api",
            "admin_ui_url": f"https://localhost:{p['cp_admin']}/admin/",
            "cp_url": f"https://localhost:{p['cp_mtls']}",
            "exporter_url": f"http://127.0.0.1:{p['exporter']}",
            "importer_url": f"http://127.0.0.1:{p['importer']}",
            "storefront_url": f"http://127.0.0.1:{p['storefront']}",
            "exporter_gateway_url": f"http://127.0.0.1:{p['exporter']}",
            "importer_gateway_url": f"http://127.0.0.1:{p['importer']}",
            "cp_dsn": dsn + DATABASES["cp"], "exporter_dsn": dsn + DATABASES["exporter"],
            "importer_dsn": dsn + DATABASES["importer"],
            "ca_file": str(pki / "ca.crt"), "client_p12": str(self.client_p12),
            "client_cert": str(pki / "wl-client.crt"), "client_key": str(pki / "wl-client.key"),
            "exporter_wl_id": o.exporter_wl_id, "importer_wl_id": o.importer_wl_id,
            "hold_ttl_seconds": o.hold_ttl_seconds, "peer_token_ttl_seconds": o.peer_token_ttl_seconds,
            "relationship_poll_seconds": o.relationship_poll_seconds,
            "cp_start_delay_seconds": o.cp_start_delay_seconds, "variant": o.variant,
            "launcher_pid": os.getpid(), "runtime": str(self.runtime), "logs_dir": str(self.logs),
            "processes": {part: {"pid": proc.pid, "log": str(self.log(part))} for part, proc in self.procs.items()},
            "cold_start_seconds": self.cold_start_seconds,
        }

    # --- processes ----------------------------------------------------------------------------
    def log(self, part: str) -> Path:
        return self.logs / f"{part}.log"

    def log_tail(self, part: str, lines: int = 15) -> str:
        path = self.log(part)
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def spawn(self, part: str) -> None:
        """Start `part`: a service is forked from this launcher (sandbox/forked.py: its modules are already
        imported here), the database (and any part when another Python is asked for) is a new process."""
        for path in self._logs_of(part):
            self._log_starts[path] = path.stat().st_size if path.exists() else 0
        with open(self.log(part), "ab") as log:
            log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} start {part}\n".encode())
            log.flush()
            if part in forked.ENTRIES and self.options.python == sys.executable:
                self.procs[part] = forked.fork(*forked.ENTRIES[part], self._env, self.log(part), ROOT,
                                               _die_with_parent)
                return
            self.procs[part] = subprocess.Popen(
                [self.options.python, *COMMANDS[part]], cwd=str(ROOT), env=self._env, stdout=log,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)

    def _logs_of(self, part: str) -> list[Path]:
        return [self.log(part), self.logs / "postgres.log"] if part == "db" else [self.log(part)]

    def port_taken(self, part: str) -> bool:
        """Whether `part`, since it last started, said that one of its ports was taken."""
        for path in self._logs_of(part):
            if path.exists():
                with open(path, "rb") as log:
                    log.seek(self._log_starts.get(path, 0))
                    if PORT_TAKEN in log.read().decode(errors="replace").lower():
                        return True
        return False

    def _start(self, parts: tuple[str, ...], wait, after_spawn=lambda: None) -> None:
        """Spawn `parts` and `wait()` for them; when one could not bind a port, stop them all, pick new ports for
        that one and start them again (at most PORT_ATTEMPTS times)."""
        for attempt in range(1, PORT_ATTEMPTS + 1):
            for part in parts:
                self.spawn(part)
            after_spawn()
            try:
                return wait()
            except LaunchError as exc:
                taken = [part for part in parts if self.port_taken(part)]
                if attempt == PORT_ATTEMPTS or exc.report.get("reason") != "start-failed" or not taken:
                    raise
            self.terminate(list(parts))
            if "db" in parts:  # a new cluster copy: the next attempt starts from the template again
                shutil.rmtree(self.pgdata, ignore_errors=True)
            for part in taken:
                old = {name: self.ports[name] for name in PORTS_OF[part]}
                self.ports.update({name: free_port() for name in PORTS_OF[part]})
                with open(self.log(part), "ab") as log:
                    log.write(f"=== a port of {part} was taken by another process ({old}); starting again on "
                              f"{ {name: self.ports[name] for name in PORTS_OF[part]} }\n".encode())
            self._env = self.child_env()

    def dead(self) -> str | None:
        """The first child that has exited (None: all running)."""
        return next((part for part, proc in self.procs.items() if proc.poll() is not None), None)

    def _died_report(self, part: str, reason: str) -> LaunchError:
        code = self.procs[part].returncode
        return LaunchError(f"sandbox process {part} exited with code {code}; log: {self.log(part)}",
                           {"reason": reason, "process": part, "code": code, "log": str(self.log(part)),
                            "log_tail": self.log_tail(part)})

    def _check(self, part: str) -> None:
        if self.stopping:
            raise Stopped()
        if self.procs[part].poll() is not None:
            raise self._died_report(part, "start-failed")

    def _wait(self, part: str, what: str, ready, deadline: float) -> None:
        """Poll `ready()` (tightly: cheap local probes) until true; the child must stay alive meanwhile."""
        interval = 0.01
        while True:
            self._check(part)
            if ready():
                return
            if time.monotonic() > deadline:
                raise LaunchError(f"{what} was not ready within {self.options.startup_timeout_seconds:g}s; "
                                  f"log: {self.log(part)}",
                                  {"reason": "start-timeout", "process": part, "what": what,
                                   "seconds": self.options.startup_timeout_seconds, "log": str(self.log(part)),
                                   "log_tail": self.log_tail(part)})
            time.sleep(interval)
            interval = min(interval * 1.5, 0.05)

    # --- health ---------------------------------------------------------------------------------
    def health_checks(self, part: str) -> list[tuple[str, int, str, ssl.SSLContext | None]]:
        """(what, port, path, TLS context) the part must answer before it counts as up."""
        p = self.ports
        if part == "cp":
            server = ssl.create_default_context(cafile=str(self.pki_dir / "ca.crt"))
            mtls = ssl.create_default_context(cafile=str(self.pki_dir / "ca.crt"))
            mtls.load_cert_chain(str(self.pki_dir / "wl-client.crt"), str(self.pki_dir / "wl-client.key"))
            return [("CP admin listener", p["cp_admin"], "/.well-known/jwks.json", server),
                    ("CP mTLS listener", p["cp_mtls"], "/.well-known/jwks.json", mtls)]
        if part == "exporter":
            return [("exporter WL", p["exporter"], "/", None)]
        return [("importer WL", p["importer"], "/", None), ("storefront", p["storefront"], "/", None)]

    def wait_healthy(self, parts: tuple[str, ...], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for part in parts:
            for what, port, path, context in self.health_checks(part):
                self._wait(part, what, lambda port=port, path=path, context=context: answers(port, path, context),
                           deadline)

    def wait_db(self, timeout: float) -> None:
        ready = self.runtime / "run" / "db.ready"
        self._wait("db", "PostgreSQL", ready.exists, time.monotonic() + timeout)

    # --- life cycle -------------------------------------------------------------------------------
    def start(self) -> dict:
        """Bring everything up; the endpoints (also written to the endpoints file, if any)."""
        from .pki import ensure_pki

        prune_leftover_data()
        for folder in (self.logs, self.runtime / "run", self.control):
            folder.mkdir(parents=True, exist_ok=True)
        (self.runtime / "exit.json").unlink(missing_ok=True)
        (self.runtime / "launcher.pid").write_text(str(os.getpid()))
        self._env = self.child_env()
        timeout = self.options.startup_timeout_seconds

        prepared: list[bool] = []

        def meanwhile() -> None:  # while the database starts (the first time): the PKI, the services' modules
            if not prepared:
                ensure_pki(self.pki_dir, self.options.client_p12_password, self.client_p12)
                forked.preload()
                prepared.append(True)

        # the database first: it takes longest. CP and WLs start once it is ready: started alongside it (they
        # would wait for its ready file), their imports compete with the cluster copy, or the template build,
        # on a small machine.
        self._start(("db",), lambda: self.wait_db(timeout), meanwhile)
        self._start(SERVICES, lambda: self.wait_healthy(SERVICES, timeout))
        self.cold_start_seconds = round(time.perf_counter() - self.started, 3)
        return self.publish()

    def publish(self) -> dict:
        data = self.endpoints()
        if self.options.endpoints is not None:
            write_json_atomically(self.options.endpoints, data)
        return data

    def restart(self, part: str, timeout: float) -> float:
        """Stop `part`, start it again on the same ports (the suite knows them), wait until healthy; the seconds
        it took. While another process holds one of its ports (the local end of a connection made in the
        moment it was free), it starts again, until `timeout`."""
        began = time.perf_counter()
        deadline = time.monotonic() + timeout
        self.terminate([part])
        while True:
            self.spawn(part)
            try:
                self.wait_healthy((part,), max(0.0, deadline - time.monotonic()))
                break
            except LaunchError as exc:
                if exc.report.get("reason") != "start-failed" or not self.port_taken(part) \
                        or time.monotonic() > deadline:
                    exc.report["reason"] = "restart-failed"
                    raise
            self.terminate([part])
            time.sleep(PORT_RETRY_PAUSE)
        self.publish()  # its new pid
        return round(time.perf_counter() - began, 3)

    def terminate(self, parts: list[str]) -> None:
        """SIGTERM to `parts` at once; SIGKILL to whatever outlives the grace period."""
        procs = [self.procs.pop(p) for p in parts if p in self.procs]
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(STOP_GRACE)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

    def stop(self) -> None:
        """CP and WLs at once, then the database; then the run's data folder and the published files."""
        self.terminate([p for p in ("importer", "exporter", "cp") if p in self.procs])
        self.terminate(["db"])
        shutil.rmtree(self.pgdata, ignore_errors=True)
        if self.options.endpoints is not None:
            self.options.endpoints.unlink(missing_ok=True)
        (self.runtime / "launcher.pid").unlink(missing_ok=True)

    def supervise(self) -> None:
        """Until asked to stop: answer control requests; a child that exits ends the run (LaunchError)."""
        while not self.stopping:
            part = self.dead()
            if part is not None:
                raise self._died_report(part, "process-died")
            for request in sorted(self.control.glob("*.request")):
                self.answer(request)
            time.sleep(SUPERVISE_INTERVAL)

    def answer(self, request: Path) -> None:
        response = request.with_suffix(".response")
        try:
            asked = json.loads(request.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            asked = {"command": None, "error": str(exc)}
        finally:
            request.unlink(missing_ok=True)
        if asked.get("command") != "restart" or asked.get("process") not in SERVICES:
            write_json_atomically(response, {"ok": False, "error": f"unknown request {asked!r}"})
            return
        try:
            seconds = self.restart(asked["process"], float(asked.get("timeout") or self.options.startup_timeout_seconds))
        except LaunchError as exc:
            write_json_atomically(response, {"ok": False, "error": str(exc), "log_tail": exc.report.get("log_tail", "")})
            return
        write_json_atomically(response, {"ok": True, "seconds": seconds})


def answers(port: int, path: str, context: ssl.SSLContext | None) -> bool:
    """True when the listener answers: a JWKS path with HTTP 200 and a `keys` array, any other with
    a status that is not a gateway's 502/503/504."""
    try:
        conn = (http.client.HTTPSConnection("localhost", port, context=context, timeout=2) if context
                else http.client.HTTPConnection("127.0.0.1", port, timeout=2))
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
    except (OSError, http.client.HTTPException):
        return False
    if path.endswith("jwks.json"):
        try:
            return response.status == 200 and isinstance(json.loads(body).get("keys"), list)
        except (ValueError, AttributeError):
            return False
    return response.status not in (502, 503, 504)


def prune_leftover_data() -> None:
    """RAM data folders (/dev/shm/xpory-…-<pid>) of launchers that are gone (a crash, a SIGKILL)."""
    for leftover in Path("/dev/shm").glob("xpory-*-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not pid_alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


def run(options: Options, announce=print) -> int:
    """`sandbox up`: start, announce, supervise; the exit code (0 asked to stop, 1 a child died, 2 no start)."""
    launcher = Launcher(options)

    def stop(*_: object) -> None:
        launcher.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = 0
    try:
        announce(launcher.start())
        launcher.supervise()
    except Stopped:
        pass
    except LaunchError as exc:
        code = 1 if exc.report.get("reason") == "process-died" else 2
        write_json_atomically(launcher.runtime / "exit.json", exc.report)
        print(f"sandbox: {exc}", file=sys.stderr, flush=True)
        if exc.report.get("log_tail"):
            print(exc.report["log_tail"], file=sys.stderr, flush=True)
    finally:
        launcher.stop()
    return code


def request_restart(runtime: Path, process: str, timeout: float) -> tuple[bool, str]:
    """Ask the launcher running in `runtime` to restart `process`; (ok, what happened) once it answered."""
    pid_file = runtime / "launcher.pid"
    try:
        pid = int(pid_file.read_text())
    except (OSError, ValueError):
        return False, f"no sandbox launcher runs in {runtime} ({pid_file} missing)"
    request_id = uuid.uuid4().hex
    control = runtime / "control"
    write_json_atomically(control / f"{request_id}.request",
                          {"command": "restart", "process": process, "timeout": timeout})
    response = control / f"{request_id}.response"
    deadline = time.monotonic() + timeout + 5  # the launcher's own wait is `timeout`
    interval = 0.01
    while not response.exists():
        if not pid_alive(pid):
            return False, f"the sandbox launcher (pid {pid}) ended before restarting {process}"
        if time.monotonic() > deadline:
            with contextlib.suppress(OSError):
                (control / f"{request_id}.request").unlink()
            return False, f"the sandbox launcher did not restart {process} within {timeout:g}s"
        time.sleep(interval)
        interval = min(interval * 1.5, 0.05)
    answer = json.loads(response.read_text(encoding="utf-8"))
    response.unlink(missing_ok=True)
    if answer.get("ok"):
        return True, f"{process} restarted and healthy in {answer.get('seconds')}s"
    return False, f"{answer.get('error')}\n{answer.get('log_tail', '')}".rstrip()
