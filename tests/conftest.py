"""Fixtures shared by every test folder: a real TLS server (ssl + http.server) on loopback; and the worker
group of each test (tests/worker_groups.py: how they are spread over pytest-xdist's workers).

It answers every GET with JSON naming the path and the client certificate's CN; at
/.well-known/jwks.json that JSON is also a JWKS (`keys`, empty unless a test sets `jwks_keys`), so
the suite's health check sees a CP."""
from __future__ import annotations

import http.server
import json
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from worker_groups import longest_first, module_groups


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the group marks into the node ids
def pytest_collection_modifyitems(config, items) -> None:
    groups = module_groups(items)
    for item, group in groups.items():
        item.add_marker(pytest.mark.xdist_group(group))
    items[:] = longest_first(groups)


# --- a real TLS server (ssl + http.server) --------------------------------------------------------
class _JsonHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        peer = self.connection.getpeercert() if isinstance(self.connection, ssl.SSLSocket) else None
        subject = dict(x[0] for x in peer["subject"]) if peer else {}
        answer = {"path": self.path, "client_cn": subject.get("commonName")}
        if self.path == "/.well-known/jwks.json" and self.server.jwks_keys is not None:
            answer["keys"] = self.server.jwks_keys
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


class _TlsServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    tls: ssl.SSLContext
    jwks_keys: list | None  # None: the JWKS path answers without `keys` (not a JWKS)

    def finish_request(self, request, client_address) -> None:
        # the handshake happens in the request's thread, so a refused client never blocks the server
        request.settimeout(5)
        with self.tls.wrap_socket(request, server_side=True) as tls_socket:
            super().finish_request(tls_socket, client_address)

    def handle_error(self, request, client_address) -> None:
        self.handshake_errors.append(client_address)


@dataclass
class TlsServer:
    url: str
    port: int
    server: _TlsServer = field(repr=False)

    @property
    def handshake_errors(self) -> list:
        return self.server.handshake_errors

    def serve_jwks_keys(self, keys: list | None) -> None:
        self.server.jwks_keys = keys


@pytest.fixture
def tls_server():
    """Factory: start a TLS HTTP server on loopback with a cert/key, optionally requiring a client
    certificate from `client_ca`. Stopped at the end of the test."""
    servers: list[_TlsServer] = []

    def start(cert: Path, key: Path, client_ca: Path | None = None,
              client_cert: str = "required") -> TlsServer:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(cert), str(key))
        if client_ca is not None:
            context.load_verify_locations(cafile=str(client_ca))
            context.verify_mode = ssl.CERT_REQUIRED if client_cert == "required" else ssl.CERT_OPTIONAL
        server = _TlsServer(("127.0.0.1", 0), _JsonHandler)
        server.tls = context
        server.handshake_errors = []
        server.jwks_keys = []
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        port = server.server_address[1]
        return TlsServer(f"https://localhost:{port}", port, server)

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
