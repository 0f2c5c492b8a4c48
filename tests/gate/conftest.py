"""Fixtures of the gate tests (their helpers are in gatekit.py)."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def shared_runtime(tmp_path_factory):
    """One XPORY_RUNTIME_DIR for the gate tests that run the embedded stack with the profile's own
    passwords: the first run builds the PKI and the PostgreSQL template, the others reuse them (each
    run still has its own folder, database and logs under runs/)."""
    return tmp_path_factory.mktemp("runtime-compartilhado")
