"""The whole sandbox as real processes for the bad-input and token tests: PostgreSQL (a copy of the seeded
template cluster, in RAM when /dev/shm exists), the CP (`python -m sandbox.cp`, admin + mTLS listeners),
the exporter and the importer with its storefront (`python -m sandbox.wl ...`), on free loopback ports.
The CP knows both WLs (fixed ids, gateway URLs) with active relationships both ways, and the importer has
imported the exporter's offers, as after the runbook's reset."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ports import free_port, start_on_free_ports  # noqa: E402

from sandbox.db import recreate_databases, start_server, wait_accepting  # noqa: E402
from sandbox.pki import ensure_pki  # noqa: E402
from sandbox.settings import Settings  # noqa: E402

PASSWORD = "changeit"
PARTS = {"cp": ["-m", "sandbox.cp"], "exporter": ["-m", "sandbox.wl", "exporter"],
         "importer": ["-m", "sandbox.wl", "importer"]}


@dataclass
class RealStack:
    settings: Settings
    env: dict
    postgres: subprocess.Popen
    pgdata: Path
    procs: dict = field(default_factory=dict)
    admin_token: str = ""

    # --- clients ---------------------------------------------------------------------------------
    def _ssl(self, client: bool = False) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.settings.ca_cert))
        if client:
            context.load_cert_chain(str(self.settings.client_cert), str(self.settings.client_key))
        return context

    def cp_admin(self, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.settings.cp_admin_url + "/admin/api", verify=self._ssl(), timeout=20, **kw)

    def cp_mtls(self, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.settings.cp_mtls_url, verify=self._ssl(client=True), timeout=20, **kw)

    def exporter(self, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.settings.exporter_url, timeout=20, **kw)

    def importer(self, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.settings.importer_url, timeout=20, **kw)

    def storefront(self, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.settings.storefront_url, timeout=20, **kw)

    def sql(self, db: str, query: str, params=None) -> list:
        with psycopg.connect(self.settings.dsn(db), autocommit=True) as conn:
            cur = conn.execute(query, params)
            return cur.fetchall() if cur.description else []

    # --- tokens, as the runbook gets them ----------------------------------------------------------
    def peer_token(self, scopes=("offers:sync", "trader:purchase"), importer: str | None = None,
                   exporter: str | None = None) -> str:
        s = self.settings
        with self.cp_mtls() as c:
            r = c.post(f"/wls/{importer or s.importer_wl_id}/peer-token",
                       json={"targetWlId": exporter or s.exporter_wl_id, "scopes": list(scopes)})
        assert r.status_code == 201, r.text
        return r.json()["token"]

    def wl_token(self, wl_id: str, scopes=("policies:read",)) -> str:
        """`POST /wls/{id}/token` on the admin listener (no guard, as in the real CP)."""
        with self.cp_admin() as c:
            r = c.post(f"/wls/{wl_id}/token", json={"scopes": list(scopes)})
        assert r.status_code == 201, r.text
        return r.json()["token"]

    # --- processes -------------------------------------------------------------------------------
    def log(self, part: str) -> str:
        path = self.settings.runtime_dir / "logs" / f"{part}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def dead(self) -> list[str]:
        return [name for name, proc in self.procs.items() if proc.poll() is not None] + \
            (["postgres"] if self.postgres.poll() is not None else [])

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        if self.postgres.poll() is None:
            self.postgres.send_signal(signal.SIGINT)
            try:
                self.postgres.wait(10)
            except subprocess.TimeoutExpired:
                self.postgres.kill()
        shutil.rmtree(self.pgdata, ignore_errors=True)
        shutil.rmtree(self.settings.runtime_dir, ignore_errors=True)


def _environment(runtime: Path, pgdata: Path, personality: str = "a") -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XPORY_", "SANDBOX_"))}
    env.update(PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1", SANDBOX_RUNTIME_DIR=str(runtime),
               SANDBOX_PG_TEMPLATE_DIR=str(ROOT / ".xpory" / "pg-template"), SANDBOX_PGDATA_DIR=str(pgdata),
               SANDBOX_PKI_DIR=str(runtime / "pki"), SANDBOX_BCRYPT_ROUNDS="4",
               SANDBOX_BOOTSTRAP_PASSWORD=PASSWORD, SANDBOX_HOLD_TTL_SECONDS="60",
               SANDBOX_RELATIONSHIP_POLL_SECONDS="3600", SANDBOX_PERSONALITY=personality)
    for name in ("DB", "CP_ADMIN", "CP_MTLS", "EXPORTER", "IMPORTER", "STOREFRONT"):
        env[f"SANDBOX_{name}_PORT"] = str(free_port())
    return env


def _settings(env: dict) -> Settings:
    old = dict(os.environ)
    os.environ.update(env)
    try:
        return Settings.from_env()
    finally:
        os.environ.clear()
        os.environ.update(old)


def _wait_ports(stack: RealStack, ports: dict[str, int], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    pending = dict(ports)
    while pending:
        if time.monotonic() > deadline:
            raise TimeoutError(f"not listening after {timeout:g} s: {sorted(pending)}")
        for name, port in list(pending.items()):
            part = name.split(":")[0]
            if stack.procs[part].poll() is not None:
                raise RuntimeError(f"{part} exited:\n{stack.log(part)[-6000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                del pending[name]
            except OSError:
                pass
        time.sleep(0.02)


def _register(stack: RealStack) -> None:
    """Runbook steps 2-3: both WLs (POST, then the id rename), relationships active both ways."""
    s = stack.settings
    with stack.cp_admin() as c:
        for wl_id, name, url in ((s.exporter_wl_id, "wl-exporter", s.exporter_url),
                                 (s.importer_wl_id, "wl-importer", s.importer_url)):
            r = c.post("/wls", json={"name": name, "contactEmail": f"{name}@xpory.local", "gatewayUrl": url,
                                     "policy": {"importEnabled": True, "exportEnabled": True}})
            assert r.status_code == 201, r.text
            r = c.put(f"/wls/{r.json()['id']}", json={"id": wl_id})
            assert r.status_code == 200, r.text
        for src, dst in ((s.exporter_wl_id, s.importer_wl_id), (s.importer_wl_id, s.exporter_wl_id)):
            r = c.put(f"/relationships/{src}/{dst}", json={"status": "active", "fxRate": 1, "limitAmount": 1000000,
                                                            "approvalMode": "MANUAL"})
            assert r.status_code == 200, r.text
        r = c.post("/auth/login", json={"email": "master@xpory.local", "password": PASSWORD})
        assert r.status_code == 200, r.text
        stack.admin_token = r.json()["token"]
    with stack.importer() as c:
        r = c.post("/api/v2/control-plane/debug/import", headers={"Authorization": f"Bearer {stack.peer_token()}"})
    assert r.status_code == 200 and r.json()["summary"]["eligibleOffers"] > 0, r.text


def start_real_stack(personality: str = "a") -> RealStack:
    runtime = Path(tempfile.mkdtemp(prefix="xpory-real-"))
    os.chmod(runtime, 0o755)
    shm = Path("/dev/shm")
    base = shm if shm.is_dir() and os.access(shm, os.W_OK) else runtime
    pgdata = base / f"xpory-test-{os.getpid()}-{personality}"
    env = _environment(runtime, pgdata, personality)
    settings = _settings(env)
    (runtime / "logs").mkdir(parents=True, exist_ok=True)
    ensure_pki(settings.pki_dir, settings.client_p12_password)
    saved = dict(os.environ)
    os.environ.update(env)  # start_server reads the template/pgdata folders from the environment
    try:
        postgres, seeded = start_server(settings, runtime / "logs" / "postgres.log")
    finally:
        os.environ.clear()
        os.environ.update(saved)
    stack = RealStack(settings, env, postgres, pgdata)
    try:
        wait_accepting(settings, postgres)
        if not seeded:
            recreate_databases(settings)
        for part, args in PARTS.items():
            log = open(runtime / "logs" / f"{part}.log", "ab")
            stack.procs[part] = subprocess.Popen([sys.executable, *args], cwd=str(ROOT), env=env,
                                                 stdout=log, stderr=subprocess.STDOUT)
        _wait_ports(stack, {"cp:admin": settings.cp_admin_port, "cp:mtls": settings.cp_mtls_port,
                            "exporter": settings.exporter_port, "importer": settings.importer_port,
                            "importer:storefront": settings.storefront_port})
        _register(stack)
    except BaseException:
        stack.stop()
        raise
    return stack


_STACKS: dict[str, RealStack] = {}


def get_real_stack(personality: str = "a") -> RealStack:
    """One real stack per personality and test process (started on first use, stopped at exit)."""
    if personality not in _STACKS:
        import atexit

        _STACKS[personality] = start_on_free_ports(lambda: start_real_stack(personality))
        atexit.register(_STACKS[personality].stop)
    return _STACKS[personality]
