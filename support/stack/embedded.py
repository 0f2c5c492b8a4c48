"""The embedded stack: the sandbox's processes (PostgreSQL, CP, exporter WL, importer WL + storefront)
started as subprocesses on free loopback ports, with the PKI generated into the runtime folder.

The suite does not import the sandbox: it runs `python -m sandbox.<part>` like it would run
`docker compose`, and reaches the result over HTTP(S) and SQL.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..config import ROOT, Config
from ..errors import StackError
from ..pki import ensure_embedded_pki
from ..tls import client_context, server_context
from ..wait import WaitTimeout, until
from .base import StackController, wait_until_answers

PARTS = ("db", "cp", "exporter", "importer")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Ask Linux to stop the child if the suite dies (no orphan sandbox after a crash)."""
    os.setpgrp()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


@dataclass
class Ports:
    db: int = field(default_factory=free_port)
    cp_admin: int = field(default_factory=free_port)
    cp_mtls: int = field(default_factory=free_port)
    exporter: int = field(default_factory=free_port)
    importer: int = field(default_factory=free_port)
    storefront: int = field(default_factory=free_port)


class EmbeddedStack(StackController):
    name = "sandbox embutido"

    def __init__(self, config: Config, python: str = sys.executable):
        super().__init__(config)
        self.python = python
        # Shared by runs: the PKI, the initdb'd cluster template, the PEM cache. Per run: its own
        # folder (database, logs), so two runs of the suite on one machine never collide.
        self.root = config.path("XPORY_RUNTIME_DIR")
        self.runtime = self.root / "runs" / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
        self.logs = self.runtime / "logs"
        # The run's database lives in RAM when the machine has /dev/shm (no disk writeback to wait for).
        shm = Path("/dev/shm")
        self.pgdata = (shm / f"xpory-{self.runtime.name}" if shm.is_dir() and os.access(shm, os.W_OK)
                       else self.runtime / "pgdata")
        self.ports = Ports()
        self.procs: dict[str, subprocess.Popen] = {}
        self.cold_start_seconds: float | None = None
        self._env: dict[str, str] = {}

    # --- environment of the sandbox processes ----------------------------------------------
    def _sandbox_env(self, pki_dir: Path) -> dict[str, str]:
        c = self.config
        env = {k: v for k, v in os.environ.items() if not k.startswith(("XPORY_", "SANDBOX_"))}
        env.update({
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "SANDBOX_RUNTIME_DIR": str(self.runtime),
            "SANDBOX_PG_TEMPLATE_DIR": str(self.root / "pg-template"),
            "SANDBOX_PGDATA_DIR": str(self.pgdata),
            "SANDBOX_PKI_DIR": str(pki_dir),
            "SANDBOX_DB_PORT": str(self.ports.db),
            "SANDBOX_CP_ADMIN_PORT": str(self.ports.cp_admin),
            "SANDBOX_CP_MTLS_PORT": str(self.ports.cp_mtls),
            "SANDBOX_EXPORTER_PORT": str(self.ports.exporter),
            "SANDBOX_IMPORTER_PORT": str(self.ports.importer),
            "SANDBOX_STOREFRONT_PORT": str(self.ports.storefront),
            "SANDBOX_EXPORTER_WL_ID": c.exporter_wl_id,
            "SANDBOX_IMPORTER_WL_ID": c.importer_wl_id,
            "SANDBOX_HOLD_TTL_SECONDS": str(c.hold_ttl_seconds),
            "SANDBOX_RELATIONSHIP_POLL_SECONDS": str(c.get("XPORY_SANDBOX_RELATIONSHIP_POLL_SECONDS", 0.5)),
            "SANDBOX_PEER_TOKEN_TTL_SECONDS": str(c.get("XPORY_SANDBOX_PEER_TOKEN_TTL_SECONDS", 300)),
            "SANDBOX_CP_START_DELAY_SECONDS": str(c.get("XPORY_SANDBOX_CP_START_DELAY_SECONDS", 0)),
            "SANDBOX_BOOTSTRAP_PASSWORD": c.admin_password,
            "SANDBOX_CLIENT_P12_PASSWORD": c.client_p12_password,
            "SANDBOX_BCRYPT_ROUNDS": "4",
            # CP and WLs start with the database and wait for its ready file (faster cold start)
            "SANDBOX_WAIT_FOR_DB": "1",
        })
        return env

    def endpoints(self) -> dict[str, str]:
        p, host = self.ports, "localhost"
        pki = self.root / "pki"
        dsn = f"postgresql://postgres@127.0.0.1:{p.db}/"
        return {
            "XPORY_CP_ADMIN_API": f"https://{host}:{p.cp_admin}/admin/api",
            "XPORY_ADMIN_UI_URL": f"https://{host}:{p.cp_admin}/admin/",
            "XPORY_CP_URL": f"https://{host}:{p.cp_mtls}",
            "XPORY_EXPORTER_URL": f"http://127.0.0.1:{p.exporter}",
            "XPORY_IMPORTER_URL": f"http://127.0.0.1:{p.importer}",
            "XPORY_STOREFRONT_URL": f"http://127.0.0.1:{p.storefront}",
            "XPORY_EXPORTER_GATEWAY_URL": f"http://127.0.0.1:{p.exporter}",
            "XPORY_IMPORTER_GATEWAY_URL": f"http://127.0.0.1:{p.importer}",
            "XPORY_CA_FILE": str(pki / "ca.crt"),
            "XPORY_CLIENT_P12": str(pki / "wl-client.p12"),
            "XPORY_CP_DSN": dsn + "xpory_cp",
            "XPORY_EXPORTER_DSN": dsn + "wl-01",
            "XPORY_IMPORTER_DSN": dsn + "wl-03",
        }

    # --- processes --------------------------------------------------------------------------
    def _spawn(self, part: str) -> subprocess.Popen:
        args = {"db": ["-m", "sandbox.db"], "cp": ["-m", "sandbox.cp"],
                "exporter": ["-m", "sandbox.wl", "exporter"], "importer": ["-m", "sandbox.wl", "importer"]}[part]
        log = open(self.logs / f"{part}.log", "ab")
        log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} start {part}\n".encode())
        log.flush()
        proc = subprocess.Popen([self.python, *args], cwd=str(ROOT), env=self._env, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                preexec_fn=_die_with_parent if os.name == "posix" else None)
        log.close()
        self.procs[part] = proc
        return proc

    def _alive(self, part: str):
        def check() -> None:
            proc = self.procs[part]
            if proc.poll() is not None:
                tail = self.log_tail(part)
                raise StackError(
                    f"O processo {part} do sandbox terminou com código {proc.returncode} ao iniciar. "
                    f"Log: {self.logs / (part + '.log')}\n{tail}"
                )
        return check

    def died(self) -> str | None:
        """The sandbox process that ended during the run (named, with its exit code and log tail)."""
        for part, proc in self.procs.items():
            if proc.poll() is not None:
                return (f"o processo {part} do sandbox terminou durante a execução (código {proc.returncode}). "
                        f"Log: {self.logs / (part + '.log')}\n{self.log_tail(part)}")
        return None

    def log_tail(self, part: str, lines: int = 15) -> str:
        path = self.logs / f"{part}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def _wait_db(self, timeout: float) -> None:
        ready = self.runtime / "run" / "db.ready"
        alive = self._alive("db")

        def probe() -> bool:
            alive()
            return ready.exists()

        try:
            until(probe, bool, timeout=timeout, describe="PostgreSQL do sandbox", fatal=(StackError,),
                  interval=0.02, max_interval=0.05)  # a file check: cheap, so poll tightly
        except WaitTimeout:
            raise StackError(f"PostgreSQL do sandbox não ficou pronto em {timeout:g}s. Log:\n{self.log_tail('db')}") from None

    def _wait_services(self, parts: tuple[str, ...], timeout: float) -> None:
        c = self.config
        ca = self.root / "pki" / "ca.crt"
        server = server_context(ca)
        mtls = client_context(ca, self.root / "pki" / "wl-client.p12", c.client_p12_password,
                              self.root / "tls")
        p = self.ports
        checks = {
            "cp": [("CP admin", "XPORY_CP_ADMIN_API", f"https://localhost:{p.cp_admin}/.well-known/jwks.json", server),
                   ("CP mTLS", "XPORY_CP_URL", f"https://localhost:{p.cp_mtls}/.well-known/jwks.json", mtls)],
            "exporter": [("WL exportador", "XPORY_EXPORTER_URL", f"http://127.0.0.1:{p.exporter}/", True)],
            "importer": [("WL importador", "XPORY_IMPORTER_URL", f"http://127.0.0.1:{p.importer}/", True),
                         ("Loja", "XPORY_STOREFRONT_URL", f"http://127.0.0.1:{p.storefront}/", True)],
        }
        for part in parts:
            for label, setting, url, verify in checks[part]:
                wait_until_answers(f"{label} (sandbox)", setting, url, verify=verify, timeout=timeout,
                                   alive=self._alive(part))

    def start(self) -> Config:
        started = time.perf_counter()
        c = self.config
        self._prune_old_runs()
        self.logs.mkdir(parents=True, exist_ok=True)
        (self.runtime / "run").mkdir(parents=True, exist_ok=True)
        pki = ensure_embedded_pki(self.root / "pki", c.client_p12_password)
        self._env = self._sandbox_env(pki.directory)
        timeout = c.startup_timeout_seconds
        try:
            self._spawn("db")
            self._wait_db(timeout)
            for part in ("cp", "exporter", "importer"):
                self._spawn(part)
            self._wait_services(("cp", "exporter", "importer"), timeout)
        except BaseException:
            self.stop()
            raise
        self.cold_start_seconds = time.perf_counter() - started
        return c.with_values(**self.endpoints())

    def restart_cp(self) -> None:
        """Like `docker compose restart controlplane`: stop the CP process, start it, wait healthy."""
        self._terminate("cp")
        self._spawn("cp")
        self._wait_services(("cp",), self.config.cp_restart_timeout_seconds)

    def _terminate(self, part: str, timeout: float = 10.0) -> None:
        proc = self.procs.pop(part, None)
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def stop(self) -> None:
        """SIGTERM to CP and WLs at once, then the database; SIGKILL whatever outlives 10 s."""
        services = [self.procs.pop(p) for p in ("importer", "exporter", "cp") if p in self.procs]
        for proc in services:
            if proc.poll() is None:
                proc.terminate()
        for proc in services:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        self._terminate("db")
        shutil.rmtree(self.pgdata, ignore_errors=True)

    def _prune_old_runs(self, keep: int = 5) -> None:
        """Remove the folders of older runs whose processes are gone, keeping the newest `keep`."""
        runs = sorted((p for p in (self.root / "runs").glob("*-*") if p.is_dir()), key=lambda p: p.name)
        for old in runs[:-keep] if len(runs) > keep else []:
            alive = old.name.rsplit("-", 1)[-1].isdigit() and Path(f"/proc/{old.name.rsplit('-', 1)[-1]}").exists()
            if not alive and not (old / "pgdata" / "postmaster.pid").exists():  # a parallel worker's run stays
                shutil.rmtree(old, ignore_errors=True)
        for leftover in Path("/dev/shm").glob("xpory-*-*"):  # RAM data of runs that crashed
            pid = leftover.name.rsplit("-", 1)[-1]
            if pid.isdigit() and not Path(f"/proc/{pid}").exists():
                shutil.rmtree(leftover, ignore_errors=True)

    def describe(self) -> str:
        return f"{self.name} (logs em {self.logs})"
