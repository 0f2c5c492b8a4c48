"""Shared fixtures of the support-layer unit tests: profile folders, a generated PKI, a real PostgreSQL
and a real local HTTP server (Starlette + uvicorn) on loopback (the TLS server is in tests/conftest.py)."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

import certificates as pki
from support import config as config_module

P12_PASSWORD = "p12-s3cret-pw"


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def closed_port() -> int:
    return free_port()


# --- profiles -------------------------------------------------------------------------------------
@pytest.fixture
def profiles_dir(tmp_path: Path) -> Path:
    """A copy of the repository's three profile files (no *.local.env), safe to modify."""
    folder = tmp_path / "profiles"
    folder.mkdir()
    for name in config_module.PROFILES:
        shutil.copy(config_module.PROFILES_DIR / f"{name}.env", folder / f"{name}.env")
    return folder


def _full_environ(**overrides: str) -> dict[str, str]:
    """Every endpoint and secret of a non-embedded stack, as an environment would give them."""
    env = {
        "XPORY_CP_ADMIN_API": "https://cp.localhost/admin/api",
        "XPORY_CP_URL": "https://cp.localhost",
        "XPORY_ADMIN_UI_URL": "https://cp.localhost/admin/",
        "XPORY_EXPORTER_URL": "http://localhost:8081",
        "XPORY_IMPORTER_URL": "http://localhost:8090",
        "XPORY_STOREFRONT_URL": "http://xpory.localhost",
        "XPORY_EXPORTER_GATEWAY_URL": "http://host.docker.internal:8081",
        "XPORY_IMPORTER_GATEWAY_URL": "http://host.docker.internal:8090",
        "XPORY_CA_FILE": "/tmp/ca.crt",
        "XPORY_CLIENT_P12": "/tmp/wl-client.p12",
        "XPORY_CP_DSN": "postgresql://xpory_cp:supersecret@127.0.0.1:5433/xpory_cp",
        "XPORY_EXPORTER_DSN": "postgresql://postgres:postgres@127.0.0.1:5432/wl-01",
        "XPORY_IMPORTER_DSN": "postgresql://postgres:postgres@127.0.0.1:5432/wl-03",
        "XPORY_CLIENT_P12_PASSWORD": "p12-pass-Xyz",
        "XPORY_ADMIN_PASSWORD": "admin-pass-Xyz",
        "XPORY_TRADER_PASSWORD": "trader-pass-Xyz",
        "XPORY_BUYER_TOKEN": "buyer-token-Xyz",
        "XPORY_QA_TOKEN": "qa-token-Xyz",
        "XPORY_EXPORTER_WL_ID": "fd1a88a9-3a01-43bb-ae20-32618c1b3752",
        "XPORY_IMPORTER_WL_ID": "2a6f8e2c-874c-4476-aac3-0d535fb52ac7",
        "XPORY_BUYER_ACCOUNT_ID": "8780",
        "XPORY_BUYER_XBALANCE_ID": "8772",
        "XPORY_QA_ACCOUNT_ID": "90805",
        "XPORY_QA_ENTITY_ID": "90803",
    }
    env.update(overrides)
    return env


@pytest.fixture
def full_environ():
    """Factory: the environment of a complete non-embedded profile, with overrides."""
    return _full_environ


@pytest.fixture
def p12_password() -> str:
    return P12_PASSWORD


# --- PKI ------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def embedded_pki(tmp_path_factory):
    """The embedded stack's PKI as its launcher makes it (CA, server cert, client .p12 with P12_PASSWORD)."""
    from sandbox.pki import ensure_pki

    return ensure_pki(tmp_path_factory.mktemp("pki"), P12_PASSWORD)


@dataclass(frozen=True)
class ForeignPki:
    ca_cert: Path
    server_cert: Path
    server_key: Path
    client_p12: Path


@pytest.fixture(scope="session")
def foreign_pki(tmp_path_factory) -> ForeignPki:
    """Another CA, with a server certificate for localhost and a client .p12 it signed."""
    from cryptography.hazmat.primitives import serialization

    folder = tmp_path_factory.mktemp("foreign-pki")
    ca_cert, ca_key = pki.make_ca("Some-Other-CA")
    server_cert, server_key = pki.issue(ca_cert, ca_key, "localhost", server=True,
                                        dns=("localhost",), ips=("127.0.0.1",))
    client_cert, client_key = pki.issue(ca_cert, ca_key, "intruder", server=False)
    pem = serialization.Encoding.PEM
    files = ForeignPki(folder / "ca.crt", folder / "server.crt", folder / "server.key", folder / "client.p12")
    files.ca_cert.write_bytes(ca_cert.public_bytes(pem))
    files.server_cert.write_bytes(server_cert.public_bytes(pem))
    files.server_key.write_bytes(pki.pem_key(server_key))
    files.client_p12.write_bytes(pki.client_p12_bytes(client_cert, client_key, ca_cert, P12_PASSWORD))
    return files


# --- a real PostgreSQL ---------------------------------------------------------------------------
@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL (the sandbox's embedded one) on a free loopback port, with an empty `wl-03`
    database; yields the port."""
    from sandbox.db import start_server, wait_accepting
    from sandbox.settings import Settings

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    runtime = Path(tempfile.mkdtemp(prefix="xpory-support-pg-"))
    os.chmod(runtime, 0o755)
    settings = Settings(runtime_dir=runtime, pki_dir=runtime / "pki", db_port=port)
    (runtime / "logs").mkdir()
    server, _ = start_server(settings, runtime / "logs" / "postgres.log")
    try:
        wait_accepting(settings, server)
        with psycopg.connect(settings.dsn("postgres"), autocommit=True) as conn:
            conn.execute('CREATE DATABASE "wl-03"')
        yield port
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(15)
        shutil.rmtree(runtime, ignore_errors=True)


# --- the embedded sandbox, opened as the suite opens it -----------------------------------------------
@pytest.fixture(scope="session")
def sandbox_session(tmp_path_factory):
    """A real Session (support.session.open_session) on the embedded sandbox, started once for the tests
    that need the whole stack; its change journal is opened as the hooks open it."""
    from support import journal
    from support.session import open_session

    session = open_session(config_module.load(environ={"XPORY_RUNTIME_DIR": str(tmp_path_factory.mktemp("sandbox"))}))
    session.journal = journal.for_session(session)
    try:
        yield session
    finally:
        session.close()


# --- a real HTTP server (Starlette + uvicorn in a thread) -----------------------------------------
@dataclass
class AppState:
    """What the fake CP/WL app saw and how it behaves; reset before each test."""

    logins: int = 0
    valid_tokens: set = field(default_factory=set)
    password: str = "right-password-123"
    always_401: bool = False
    seen_auth: list = field(default_factory=list)

    def reset(self) -> None:
        self.__init__()


def _build_app(state: AppState):
    import anyio
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, PlainTextResponse
    from starlette.routing import Route

    async def login(request: Request):
        body = await request.json()
        state.logins += 1
        if body.get("password") != state.password:
            return JSONResponse({"error": "Invalid credentials"}, status_code=401)
        token = f"admin-token-{state.logins}-abcdef"
        state.valid_tokens.add(token)
        return JSONResponse({"token": token, "user": {"email": body.get("email")}})

    async def wls(request: Request):
        auth = request.headers.get("authorization", "")
        state.seen_auth.append(auth)
        token = auth.removeprefix("Bearer ")
        if state.always_401 or token not in state.valid_tokens:
            return JSONResponse({"error": "Unauthorized"}, status_code=401)
        # echoes the caller's token under an innocent key: the log must still hide it
        return JSONResponse({"items": [{"id": "wl-1"}], "echo": token})

    async def secrets(request: Request):
        return JSONResponse({
            "user": "ana",
            "password": "hunter2-hunter2",
            "accessToken": "opaque-access-token-value",
            "nested": {"refresh_token": "opaque-refresh-value", "kept": "visible-value"},
            "note": "use Authorization: Bearer opaque-bearer-value please",
            "blob": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
        })

    async def slow(request: Request):
        await anyio.sleep(0.12)
        return PlainTextResponse("ok")

    async def big(request: Request):
        return PlainTextResponse("x" * 5000)

    async def echo(request: Request):
        raw = await request.body()
        return PlainTextResponse(raw.decode() or "empty", status_code=201)

    async def status(request: Request):
        return PlainTextResponse("nope", status_code=int(request.path_params["code"]))

    return Starlette(routes=[
        Route("/admin/api/auth/login", login, methods=["POST"]),
        Route("/admin/api/wls", wls, methods=["GET"]),
        Route("/secrets", secrets),
        Route("/slow", slow),
        Route("/big", big),
        Route("/echo", echo, methods=["POST"]),
        Route("/status/{code:int}", status),
    ])


@dataclass
class HttpServer:
    url: str
    state: AppState


@pytest.fixture(scope="session")
def _uvicorn_server():
    import uvicorn

    state = AppState()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(_build_app(state), host="127.0.0.1", port=port,
                                           log_level="error", lifespan="off", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    yield HttpServer(f"http://127.0.0.1:{port}", state)
    server.should_exit = True
    thread.join(5)


@pytest.fixture
def http_server(_uvicorn_server) -> HttpServer:
    """A real local HTTP server (Starlette + uvicorn) with a fresh AppState."""
    _uvicorn_server.state.reset()
    return _uvicorn_server
