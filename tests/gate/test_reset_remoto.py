"""Destructive SQL (the reset's TRUNCATEs) refuses databases off loopback unless
XPORY_ALLOW_REMOTE_RESET=true — through the reset operations themselves, with the session wiring of
open_session (support.session.databases_for), and without even opening a connection."""
from __future__ import annotations

import socket
import threading
from types import SimpleNamespace

import pytest

from support import config as config_module
from support import database
from support.errors import StackError, UnsafeOperation
from support.masking import Masker
from support.reset import runbook_steps
from support.session import databases_for

DB_PASSWORD = "Db-Pw-gate-5521"


def non_loopback_address() -> str | None:
    """An address of this machine that is not loopback (the one its default route leaves from)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the route
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


class Listener:
    """A TCP listener that counts the connections it receives (and closes them)."""

    def __init__(self, host: str):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((host, 0))
        self.sock.listen(8)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


class FakeAdmin:
    def forget_token(self) -> None:
        pass


def make_session(full_environ_overrides: dict[str, str]) -> SimpleNamespace:
    local = "postgresql://postgres:{pw}@127.0.0.1:5432/{db}"
    env = {
        "XPORY_PERFIL": "externo",
        "XPORY_CP_ADMIN_API": "https://cp.localhost/admin/api", "XPORY_CP_URL": "https://cp.localhost",
        "XPORY_ADMIN_UI_URL": "https://cp.localhost/admin/", "XPORY_EXPORTER_URL": "http://localhost:8081",
        "XPORY_IMPORTER_URL": "http://localhost:8090", "XPORY_STOREFRONT_URL": "http://xpory.localhost",
        "XPORY_EXPORTER_GATEWAY_URL": "http://localhost:8081", "XPORY_IMPORTER_GATEWAY_URL": "http://localhost:8090",
        "XPORY_CA_FILE": "/nao/usado/ca.crt", "XPORY_CLIENT_P12": "/nao/usado/wl-client.p12",
        "XPORY_CP_DSN": local.format(pw=DB_PASSWORD, db="xpory_cp"),
        "XPORY_EXPORTER_DSN": local.format(pw=DB_PASSWORD, db="wl-01"),
        "XPORY_IMPORTER_DSN": local.format(pw=DB_PASSWORD, db="wl-03"),
        "XPORY_CLIENT_P12_PASSWORD": "p12-x", "XPORY_ADMIN_PASSWORD": "adm-x", "XPORY_TRADER_PASSWORD": "trd-x",
        "XPORY_BUYER_TOKEN": "buyer-x", "XPORY_QA_TOKEN": "qa-x",
        "XPORY_EXPORTER_WL_ID": "fd1a88a9-3a01-43bb-ae20-32618c1b3752",
        "XPORY_IMPORTER_WL_ID": "2a6f8e2c-874c-4476-aac3-0d535fb52ac7",
        "XPORY_BUYER_ACCOUNT_ID": "8780", "XPORY_BUYER_XBALANCE_ID": "8772",
        "XPORY_QA_ACCOUNT_ID": "90805", "XPORY_QA_ENTITY_ID": "90803",
        **full_environ_overrides,
    }
    config = config_module.load(environ=env)
    masker = Masker(config.secrets() + [DB_PASSWORD])
    return SimpleNamespace(config=config, masker=masker, db=databases_for(config, masker), cp_admin=FakeAdmin())


@pytest.fixture
def connections(monkeypatch) -> list:
    """Every psycopg.connect the support layer attempts (none may happen)."""
    attempts: list = []

    def spy(dsn, *args, **kwargs):
        attempts.append(dsn)
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(database.psycopg, "connect", spy)
    return attempts


@pytest.mark.parametrize("operation, setting", [
    (runbook_steps.clean_cp, "XPORY_CP_DSN"),
    (runbook_steps.clean_wls, "XPORY_IMPORTER_DSN"),
])
def test_the_reset_refuses_a_remote_database_without_connecting(operation, setting, connections):
    remote = f"postgresql://postgres:{DB_PASSWORD}@db.example.com:5432/remoto"
    session = make_session({setting: remote})
    with pytest.raises(UnsafeOperation) as info:
        operation(session)
    message = str(info.value)
    assert connections == []
    assert setting in message and "remoto@db.example.com:5432" in message
    assert "XPORY_ALLOW_REMOTE_RESET=true" in message
    assert "TRUNCATE" in message
    assert DB_PASSWORD not in message


@pytest.fixture
def remote_listener():
    address = non_loopback_address()
    if address is None:
        pytest.skip("esta máquina não tem endereço fora do loopback")
    listener = Listener(address)
    yield listener
    listener.close()


def test_a_real_remote_listener_sees_no_connection_until_the_opt_in(remote_listener):
    host, port = remote_listener.sock.getsockname()[0], remote_listener.port
    remote = {name: f"postgresql://postgres:{DB_PASSWORD}@{host}:{port}/{db}"
              for name, db in (("XPORY_CP_DSN", "xpory_cp"), ("XPORY_EXPORTER_DSN", "wl-01"),
                               ("XPORY_IMPORTER_DSN", "wl-03"))}
    for operation in (runbook_steps.clean_cp, runbook_steps.clean_wls):
        with pytest.raises(UnsafeOperation, match="XPORY_ALLOW_REMOTE_RESET=true"):
            operation(make_session(remote))
    assert remote_listener.accepted == 0

    # control: with the opt-in the same reset does connect (and fails: the listener is no PostgreSQL)
    with pytest.raises(StackError) as info:
        runbook_steps.clean_wls(make_session({**remote, "XPORY_ALLOW_REMOTE_RESET": "true"}))
    assert remote_listener.accepted >= 1
    assert "XPORY_EXPORTER_DSN" in str(info.value) and DB_PASSWORD not in str(info.value)
