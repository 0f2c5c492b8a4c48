"""Fixtures of the gate tests (helpers in gatekit.py)."""
from __future__ import annotations

import pytest

from gatekit import start_tls_server


@pytest.fixture
def tls_server():
    """Factory: start_tls_server(cert, key, client_ca=None) -> port; servers stop after the test."""
    servers: list = []
    yield lambda cert, key, client_ca=None: start_tls_server(servers, cert, key, client_ca)
    for server in servers:
        server.shutdown()
        server.server_close()
