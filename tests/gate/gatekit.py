"""Helpers of the gate tests: run behave (or a CI script) as a real process, a PKI, a TLS server."""
from __future__ import annotations

import http.server
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from support import pki

REPO = Path(__file__).resolve().parents[2]
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")


@dataclass
class Ran:
    code: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + "\n" + self.stderr


def clean_environ(**overrides: str) -> dict[str, str]:
    """This process's environment without any XPORY_* (the profile decides), plus `overrides`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XPORY_", "SANDBOX_"))}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHON"] = sys.executable
    env.update(overrides)
    return env


def run(command: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 300) -> Ran:
    started = time.monotonic()
    done = subprocess.run(command, cwd=str(cwd), env=env, capture_output=True, text=True, timeout=timeout)
    return Ran(done.returncode, done.stdout, done.stderr, time.monotonic() - started)


def behave(*args: str, cwd: Path = REPO, env: dict[str, str], timeout: float = 300) -> Ran:
    return run([sys.executable, "-m", "behave", *args], cwd=cwd, env=env, timeout=timeout)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def project(folder: Path, feature: str, steps: str) -> Path:
    """A behave project in `folder` that reuses the suite: the repository's behave.ini and
    environment.py (hooks -> support/, found through PYTHONPATH), its own feature and steps."""
    (folder / "features").mkdir(parents=True)
    (folder / "steps").mkdir()
    shutil.copy(REPO / "behave.ini", folder / "behave.ini")
    shutil.copy(REPO / "environment.py", folder / "environment.py")
    (folder / "features" / "teste.feature").write_text(feature, encoding="utf-8")
    (folder / "steps" / "teste_steps.py").write_text(steps, encoding="utf-8")
    return folder


# --- PKI and a TLS server ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Authority:
    ca_cert: Path
    server_cert: Path
    server_key: Path
    client_p12: Path


P12_PASSWORD = "p12-gate-Pw-4821"


def make_authority(folder: Path, name: str) -> Authority:
    folder.mkdir(parents=True, exist_ok=True)
    ca_cert, ca_key = pki.make_ca(name)
    server_cert, server_key = pki.issue(ca_cert, ca_key, "localhost", server=True, dns=("localhost",),
                                        ips=("127.0.0.1",))
    client_cert, client_key = pki.issue(ca_cert, ca_key, "wl-client", server=False)
    pem = serialization.Encoding.PEM
    files = Authority(folder / "ca.crt", folder / "server.crt", folder / "server.key", folder / "wl-client.p12")
    files.ca_cert.write_bytes(ca_cert.public_bytes(pem))
    files.server_cert.write_bytes(server_cert.public_bytes(pem))
    files.server_key.write_bytes(pki._pem_key(server_key))
    files.client_p12.write_bytes(pki.client_p12_bytes(client_cert, client_key, ca_cert, P12_PASSWORD))
    return files


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        body = b'{"keys": []}'
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

    def finish_request(self, request, client_address) -> None:
        request.settimeout(5)
        with self.tls.wrap_socket(request, server_side=True) as tls_socket:
            super().finish_request(tls_socket, client_address)

    def handle_error(self, request, client_address) -> None:
        pass


def start_tls_server(servers: list, cert: Path, key: Path, client_ca: Path | None = None) -> int:
    """An HTTPS server on loopback with a certificate, optionally requiring a client certificate
    signed by `client_ca`; returns its port (appended to `servers` for shutdown)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    if client_ca is not None:
        context.load_verify_locations(cafile=str(client_ca))
        context.verify_mode = ssl.CERT_REQUIRED
    server = _TlsServer(("127.0.0.1", 0), _Handler)
    server.tls = context
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    servers.append(server)
    return server.server_address[1]
