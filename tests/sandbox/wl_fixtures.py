"""Fixtures of the WL node tests: a real PostgreSQL with `wl-01`/`wl-03` (schema + seed), a small fake
Control Plane (TLS listeners, the WL-facing one requiring a client certificate; RS256 peer tokens and a
JWKS; relationships, policies and telemetry from dicts) and both WL nodes served by uvicorn in threads
on free ports, so every call in the tests is a real HTTP(S) call."""
from __future__ import annotations

import base64
import datetime as dt
import os
import shutil
import signal
import socket
import ssl
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx
import jwt
import psycopg
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ports import free_port, start_on_free_ports  # noqa: E402

from sandbox.db import start_server, wait_accepting  # noqa: E402
from sandbox.pki import ensure_pki  # noqa: E402
from sandbox.serve import _Server  # noqa: E402
from sandbox.settings import EXPORTER_WL_ID, IMPORTER_WL_ID, Settings  # noqa: E402

E, I = EXPORTER_WL_ID, IMPORTER_WL_ID  # noqa: E741 - exporter / importer, as in the contract tables


def _b64(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class Signer:
    """An RSA key with a kid, like one CP WL key."""

    def __init__(self, kid: str | None = None):
        self.kid = kid or str(uuid.uuid4())
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwk(self) -> dict:
        pub = self.key.public_key().public_numbers()
        return {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid, "n": _b64(pub.n), "e": _b64(pub.e)}

    def token(self, claims: dict, ttl: int = 300, kid: str | None = None) -> str:
        now = int(time.time())
        body = {"jti": str(uuid.uuid4()), "iss": "xpory-control-plane", "iat": now, "exp": now + ttl, **claims}
        return jwt.encode(body, self.key, algorithm="RS256", headers={"kid": kid or self.kid})


@dataclass
class FakeCP:
    signer: Signer = field(default_factory=Signer)
    relationships: dict = field(default_factory=dict)
    policies: dict = field(default_factory=dict)
    telemetry: list = field(default_factory=list)
    peer_tokens: list = field(default_factory=list)
    gateways: dict = field(default_factory=dict)  # wl id -> the gatewayUrl the CP holds (GET /wls/{id})

    def peer(self, importer: str = I, exporter: str = E, scopes=("offers:sync", "trader:purchase"), ttl=300) -> str:
        return self.signer.token({"sub": exporter, "aud": exporter, "wlId": importer, "targetWlId": exporter,
                                  "scopes": sorted(scopes)}, ttl)

    def service(self, wl: str = E, ttl=300) -> str:
        return self.signer.token({"sub": wl, "aud": wl, "wlId": wl, "scopes": ["policies:read"]}, ttl)

    def set_relationship(self, src: str, dst: str, **fields) -> dict:
        rel = {"id": f"{src}:{dst}", "sourceId": src, "targetId": dst, "status": "active", "fxRate": 1,
               "limitAmount": 100000, "approvalMode": "MANUAL", "manualApprovalOnFirstTrade": False,
               "manualApprovalOnImbalance": False, "exportPolicy": None,
               "updatedAt": dt.datetime.now(dt.UTC).isoformat()}
        rel.update(fields)
        rel["export_policy"] = rel["exportPolicy"]
        rel["signature"] = {"value": "x", "algorithm": "HMAC-SHA256", "issuedAt": rel["updatedAt"]}
        self.relationships[(src, dst)] = rel
        return rel

    def app(self) -> Starlette:
        async def jwks(request: Request):
            return JSONResponse({"keys": [self.signer.jwk()]})

        async def peer_token(request: Request):
            body = await request.json()
            importer = request.path_params["wl"]
            token = self.peer(importer, body["targetWlId"], body.get("scopes") or [])
            self.peer_tokens.append((importer, body["targetWlId"]))
            return JSONResponse({"token": token, "expiresInSeconds": 300}, status_code=201)

        async def relationship(request: Request):
            rel = self.relationships.get((request.path_params["src"], request.path_params["dst"]))
            return JSONResponse(rel) if rel else Response(status_code=404)

        async def policies(request: Request):
            pol = self.policies.get(request.path_params["wl"])
            return JSONResponse(pol) if pol else Response(status_code=404)

        async def white_label(request: Request):
            wl = request.path_params["wl"]
            return JSONResponse({"id": wl, "gatewayUrl": self.gateways[wl]}) if wl in self.gateways \
                else Response(status_code=404)

        async def telemetry(request: Request):
            body = await request.json()
            self.telemetry.extend(body.get("events", [body]) if isinstance(body, dict) else body)
            return JSONResponse({}, status_code=202)

        return Starlette(routes=[
            Route("/.well-known/jwks.json", jwks),
            Route("/wls/{wl}/peer-token", peer_token, methods=["POST"]),
            Route("/relationships/{src}/{dst}", relationship),
            Route("/wls/{wl}/policies", policies),
            Route("/wls/{wl}", white_label),
            Route("/telemetry/events", telemetry, methods=["POST"]),
        ])


def _serve(app, settings: Settings, port: int, tls: bool = False, client_cert: bool = False) -> _Server:
    kwargs = dict(host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off")
    if tls:
        kwargs.update(ssl_certfile=str(settings.server_cert), ssl_keyfile=str(settings.server_key))
        if client_cert:
            kwargs.update(ssl_cert_reqs=ssl.CERT_REQUIRED, ssl_ca_certs=str(settings.ca_cert))
    server = _Server(uvicorn.Config(app, **kwargs))
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))  # here, so a port taken meanwhile fails by name (ports.start_on_free_ports)
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise TimeoutError(f"listener on {port} did not start")
        time.sleep(0.01)
    return server


@dataclass
class WlStack:
    settings: Settings
    cp: FakeCP
    postgres: object
    exporter: object = None
    importer: object = None
    servers: list = field(default_factory=list)

    def sql(self, db: str, query: str, params=None) -> list:
        with psycopg.connect(self.settings.dsn(db), autocommit=True) as conn:
            cur = conn.execute(query, params)
            return cur.fetchall() if cur.description else []

    def exp(self, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.settings.exporter_url, timeout=30, **kw)

    def imp(self, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.settings.importer_url, timeout=30, **kw)

    def store(self) -> httpx.Client:
        return httpx.Client(base_url=self.settings.storefront_url, timeout=30)

    def stop(self) -> None:
        for server in self.servers:
            server.should_exit = True
        for state in (self.exporter, self.importer):
            if state is not None:
                state.stop()
        if self.postgres.poll() is None:
            self.postgres.send_signal(signal.SIGINT)
            self.postgres.wait(10)
        shutil.rmtree(self.settings.runtime_dir, ignore_errors=True)


def start_stack() -> WlStack:
    return start_on_free_ports(_start_stack)


def _start_stack() -> WlStack:
    runtime = Path(tempfile.mkdtemp(prefix="xpory-wl-test-"))
    os.chmod(runtime, 0o755)
    settings = Settings(runtime_dir=runtime, pki_dir=runtime / "pki", db_port=free_port(),
                        cp_admin_port=free_port(), cp_mtls_port=free_port(), exporter_port=free_port(),
                        importer_port=free_port(), storefront_port=free_port(), hold_ttl_seconds=90.0,
                        relationship_poll_seconds=3600.0)
    (runtime / "logs").mkdir(parents=True, exist_ok=True)
    ensure_pki(settings.pki_dir, "changeit")
    postgres, _ = start_server(settings, runtime / "logs" / "postgres.log")
    cp = FakeCP(gateways={E: settings.exporter_url, I: settings.importer_url})
    stack = WlStack(settings, cp, postgres)
    try:
        _bring_up(stack)
    except BaseException:
        stack.stop()
        raise
    return stack


def _bring_up(stack: WlStack) -> None:
    settings, cp, postgres = stack.settings, stack.cp, stack.postgres
    wait_accepting(settings, postgres)
    from sandbox.wl import seed

    with psycopg.connect(settings.dsn("postgres"), autocommit=True) as conn:
        for name in ("wl-01", "wl-03"):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    for name, role in (("wl-01", "exporter"), ("wl-03", "importer")):
        with psycopg.connect(settings.dsn(name)) as conn:
            conn.execute((ROOT / "sandbox" / "schema" / "wl.sql").read_text())
            seed.seed(conn, role, settings)
            conn.commit()
    app = cp.app()
    stack.servers.append(_serve(app, settings, settings.cp_mtls_port, tls=True, client_cert=True))
    stack.servers.append(_serve(app, settings, settings.cp_admin_port, tls=True))

    from sandbox.wl.app import build

    stack.exporter, exp_api, _ = build("exporter", settings)
    stack.importer, imp_api, front = build("importer", settings)
    for state in (stack.exporter, stack.importer):
        state.start(poll=False)
    stack.servers.append(_serve(exp_api, settings, settings.exporter_port))
    stack.servers.append(_serve(imp_api, settings, settings.importer_port))
    stack.servers.append(_serve(front, settings, settings.storefront_port))


def with_settings(settings: Settings, **changes) -> Settings:
    return replace(settings, **changes)


_STACK: WlStack | None = None


def get_stack() -> WlStack:
    """One WL stack per test process (started on first use, stopped at exit)."""
    global _STACK
    if _STACK is None:
        import atexit

        _STACK = start_stack()
        atexit.register(_STACK.stop)
    return _STACK

