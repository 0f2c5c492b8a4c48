"""Helpers of the CP tests: a real PostgreSQL with only `xpory_cp`, the CP as a subprocess
(`python -m sandbox.cp`) on free ports, and a tiny fake WL HTTP server recording the CP's calls."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ports import free_port, start_on_free_ports  # noqa: E402

from sandbox.db import start_server, wait_accepting  # noqa: E402
from sandbox.pki import ensure_pki  # noqa: E402
from sandbox.settings import Settings  # noqa: E402


@dataclass
class CpStack:
    settings: Settings
    env: dict
    postgres: subprocess.Popen
    cp: subprocess.Popen | None = None
    started_in: float = 0.0

    @property
    def admin(self) -> str:
        return f"https://localhost:{self.settings.cp_admin_port}"

    @property
    def mtls(self) -> str:
        return f"https://localhost:{self.settings.cp_mtls_port}"

    def admin_client(self) -> httpx.Client:
        return httpx.Client(base_url=self.admin + "/admin/api", verify=self._ssl(), timeout=20)

    def wl_client(self) -> httpx.Client:
        return httpx.Client(base_url=self.mtls, verify=self._ssl(client=True), timeout=20)

    def _ssl(self, client: bool = False) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.settings.ca_cert))
        if client:
            context.load_cert_chain(str(self.settings.client_cert), str(self.settings.client_key))
        return context

    def sql(self, query: str, params=None) -> list:
        with psycopg.connect(self.settings.dsn("xpory_cp"), autocommit=True) as conn:
            cur = conn.execute(query, params)
            return cur.fetchall() if cur.description else []

    def start_cp(self) -> None:
        started = time.monotonic()
        log = open(self.settings.runtime_dir / "logs" / "cp.log", "ab")
        self.cp = subprocess.Popen([sys.executable, "-m", "sandbox.cp"], cwd=str(ROOT), env=self.env,
                                   stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.cp.poll() is not None:
                raise RuntimeError("the CP exited: " + (self.settings.runtime_dir / "logs" / "cp.log").read_text())
            try:
                socket.create_connection(("127.0.0.1", self.settings.cp_mtls_port), 0.2).close()
                socket.create_connection(("127.0.0.1", self.settings.cp_admin_port), 0.2).close()
                self.started_in = time.monotonic() - started
                return
            except OSError:
                time.sleep(0.02)
        raise TimeoutError("the CP did not listen within 15 s")

    def stop_cp(self) -> None:
        if self.cp and self.cp.poll() is None:
            self.cp.send_signal(signal.SIGTERM)
            try:
                self.cp.wait(10)
            except subprocess.TimeoutExpired:
                self.cp.kill()
        self.cp = None

    def stop(self) -> None:
        self.stop_cp()
        if self.postgres.poll() is None:
            self.postgres.send_signal(signal.SIGINT)
            try:
                self.postgres.wait(10)
            except subprocess.TimeoutExpired:
                self.postgres.kill()
        shutil.rmtree(self.settings.runtime_dir, ignore_errors=True)


def start_stack() -> CpStack:
    return start_on_free_ports(_start_stack)


def _start_stack() -> CpStack:
    runtime = Path(tempfile.mkdtemp(prefix="xpory-cp-test-"))
    os.chmod(runtime, 0o755)
    env = dict(os.environ, SANDBOX_RUNTIME_DIR=str(runtime), SANDBOX_DB_PORT=str(free_port()),
               SANDBOX_CP_ADMIN_PORT=str(free_port()), SANDBOX_CP_MTLS_PORT=str(free_port()),
               SANDBOX_BCRYPT_ROUNDS="4", PYTHONPATH=str(ROOT))
    old = dict(os.environ)
    os.environ.update(env)
    try:
        settings = Settings.from_env()
    finally:
        os.environ.clear()
        os.environ.update(old)
    (runtime / "logs").mkdir(parents=True, exist_ok=True)
    ensure_pki(settings.pki_dir, "changeit")
    postgres, _ = start_server(settings, runtime / "logs" / "postgres.log")
    stack = CpStack(settings, env, postgres)
    try:
        wait_accepting(settings, postgres)
        with psycopg.connect(settings.dsn("postgres"), autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS xpory_cp WITH (FORCE)")
            conn.execute("CREATE DATABASE xpory_cp")
        with psycopg.connect(settings.dsn("xpory_cp"), autocommit=True) as conn:
            conn.execute((ROOT / "sandbox" / "schema" / "cp.sql").read_text())
        stack.start_cp()
    except BaseException:
        stack.stop()
        raise
    return stack


@dataclass
class FakeWl:
    """A WL gateway stand-in: `routes[(METHOD, path_without_query)] = (status, body)`; records every call."""
    server: ThreadingHTTPServer
    routes: dict = field(default_factory=dict)
    calls: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_fake_wl() -> FakeWl:
    fake: FakeWl

    class Handler(BaseHTTPRequestHandler):
        def _serve(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = self.path.split("?")[0]
            fake.calls.append({"method": self.command, "path": self.path, "headers": dict(self.headers),
                               "body": body.decode()})
            status, answer = fake.routes.get((self.command, path), (404, {"error": "not found"}))
            if callable(answer):
                answer = answer(self.path)
            data = b"" if answer is None else json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _serve

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake = FakeWl(server)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return fake


def tls_handshake(host: str, port: int, ca: Path, cert: tuple | None) -> None:
    """Open a TLS connection and make one request (raises on handshake refusal)."""
    context = ssl.create_default_context(cafile=str(ca))
    if cert:
        context.load_cert_chain(*[str(c) for c in cert])
    with socket.create_connection((host, port), 5) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(b"GET /.well-known/jwks.json HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            data = tls.recv(100)
            if not data:
                raise ConnectionError("connection closed by the server")
