"""Helpers of the gate tests: run behave (or a CI script) as a real process and a PKI.

The TLS server fixture is in tests/conftest.py.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization

import certificates as pki

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
    files.server_key.write_bytes(pki.pem_key(server_key))
    files.client_p12.write_bytes(pki.client_p12_bytes(client_cert, client_key, ca_cert, P12_PASSWORD))
    return files


