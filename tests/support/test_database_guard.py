"""support/database.py: destructive statements refuse databases off loopback unless opted in."""
from __future__ import annotations

import pytest

from support.database import Databases
from support.errors import StackError, UnsafeOperation
from support.masking import Masker

LOCAL = "postgresql://postgres:pgpass-1234@127.0.0.1:5432/wl-01"


def dbs(cp: str = LOCAL, exporter: str = LOCAL, importer: str = LOCAL, allow_remote: bool = False) -> Databases:
    return Databases(cp, exporter, importer, Masker(["pgpass-1234"]), allow_remote=allow_remote)


@pytest.mark.parametrize("dsn", [
    "postgresql://postgres@localhost:5432/wl-01",
    "postgresql://postgres:x@127.0.0.1:5433/xpory_cp",
    "postgresql://postgres@127.0.0.2/wl-01",
    "postgresql://postgres@[::1]:5432/wl-03",
    "postgresql://postgres@db.localhost:5432/wl-03",
    "postgres://postgres@cp.localhost/xpory_cp",
    "postgresql://postgres@localhost/wl-01?host=/var/run/postgresql",  # a Unix socket
])
def test_loopback_databases_are_accepted(dsn):
    dbs(dsn, dsn, dsn).check_destructive_allowed()


@pytest.mark.parametrize("dsn", [
    "postgresql://postgres:pw@10.0.0.5:5432/wl-03",
    "postgresql://postgres@db.example.com/wl-03",
    "postgresql://postgres@localhost.example.com/wl-03",
    "postgresql://postgres@[2001:db8::1]:5432/wl-03",
])
def test_a_remote_database_is_refused_naming_its_setting_and_the_opt_in(dsn):
    with pytest.raises(UnsafeOperation) as info:
        dbs(importer=dsn).check_destructive_allowed()
    message = str(info.value)
    assert "XPORY_IMPORTER_DSN" in message
    assert "XPORY_CP_DSN" not in message and "XPORY_EXPORTER_DSN" not in message  # only the remote one
    assert "XPORY_ALLOW_REMOTE_RESET=true" in message
    assert "wl-03@" in message
    assert ":pw@" not in message


def test_every_remote_database_is_listed():
    remote = "postgresql://u:pw@10.1.2.3:5432/x"
    with pytest.raises(UnsafeOperation) as info:
        dbs(cp=remote, exporter=remote).check_destructive_allowed()
    assert "XPORY_CP_DSN" in str(info.value) and "XPORY_EXPORTER_DSN" in str(info.value)


def test_the_opt_in_allows_remote_databases():
    dbs(cp="postgresql://u@db.example.com/xpory_cp", allow_remote=True).check_destructive_allowed()


def test_only_the_given_targets_are_checked():
    databases = dbs(cp="postgresql://u@db.example.com/xpory_cp")
    databases.check_destructive_allowed(databases.exporter, databases.importer)
    with pytest.raises(UnsafeOperation):
        databases.check_destructive_allowed(databases.cp)


@pytest.mark.parametrize("dsn", [
    # libpq takes the host from the query string over the one in the authority
    "postgresql://postgres@127.0.0.1:5432/wl-03?host=db.example.com",
    "postgresql://postgres@localhost/wl-03?hostaddr=10.0.0.5",
    "postgresql://postgres@127.0.0.1/wl-03?host=127.0.0.1,db.example.com",
])
def test_a_remote_host_hidden_in_the_query_string_is_refused(dsn):
    with pytest.raises(UnsafeOperation, match="XPORY_IMPORTER_DSN"):
        dbs(importer=dsn).check_destructive_allowed()


def test_destructive_refuses_before_connecting():
    # 192.0.2.1 (TEST-NET) never answers: a connection attempt would hang or fail with StackError
    databases = dbs(importer="postgresql://postgres@192.0.2.1:5432/wl-03")
    with pytest.raises(UnsafeOperation):
        databases.destructive(databases.importer, "TRUNCATE TABLE imported_offer")


def test_unreachable_database_names_its_setting_without_the_password(closed_port):
    databases = dbs(exporter=f"postgresql://postgres:pgpass-1234@127.0.0.1:{closed_port}/wl-01")
    with pytest.raises(StackError) as info:
        databases.exporter.rows("SELECT 1")
    message = str(info.value)
    assert "XPORY_EXPORTER_DSN" in message and f"wl-01@127.0.0.1:{closed_port}" in message
    assert "pgpass-1234" not in message


def test_the_refusal_shows_the_host_libpq_would_really_use():
    with pytest.raises(UnsafeOperation) as info:
        dbs(importer="postgresql://postgres@127.0.0.1:5432/wl-03?host=db.example.com").check_destructive_allowed()
    assert "wl-03@db.example.com:5432" in str(info.value)


def test_a_dsn_without_host_follows_pghost(monkeypatch):
    hostless = "postgresql:///wl-03"
    monkeypatch.delenv("PGHOSTADDR", raising=False)
    monkeypatch.delenv("PGHOST", raising=False)
    dbs(importer=hostless).check_destructive_allowed()  # a local Unix socket
    monkeypatch.setenv("PGHOST", "db.example.com")
    with pytest.raises(UnsafeOperation, match="XPORY_IMPORTER_DSN"):
        dbs(importer=hostless).check_destructive_allowed()


def test_an_unreadable_dsn_is_refused():
    with pytest.raises(UnsafeOperation, match="XPORY_CP_DSN"):
        dbs(cp="postgresql://u@127.0.0.1/x?sslmode=bogus&&=").check_destructive_allowed()
