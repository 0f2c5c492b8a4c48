"""support/database.py over a real PostgreSQL: one kept connection per database (opened again when the server
closed it), and writes that meet the running stack's locks wait briefly and try again instead of failing."""
from __future__ import annotations

import threading
import time

import psycopg
import pytest

from support import database as database_module
from support.database import Databases
from support.errors import StackError
from support.masking import Masker


@pytest.fixture
def db(postgres):
    dsn = f"postgresql://postgres@127.0.0.1:{postgres}/wl-03"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS travada_a, travada_b")
        conn.execute("CREATE TABLE travada_a (id int); CREATE TABLE travada_b (id int)")
        conn.execute("INSERT INTO travada_a VALUES (1), (2); INSERT INTO travada_b VALUES (3)")
    databases = Databases(dsn, dsn, dsn, Masker([]))
    yield databases.importer, dsn
    databases.close()


def _backend_pid(database) -> int:
    return database.scalar("SELECT pg_backend_pid() AS pid")


def test_one_connection_serves_every_statement(db):
    database, _ = db
    assert _backend_pid(database) == _backend_pid(database) == _backend_pid(database)


def test_a_connection_the_server_closed_is_opened_again(db):
    database, dsn = db
    before = _backend_pid(database)
    with psycopg.connect(dsn, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (before,))
    assert database.scalar("SELECT count(*) AS n FROM travada_a") == 2  # no error: a new connection
    assert _backend_pid(database) != before


def _hold_lock(dsn: str, seconds: float, started: threading.Event) -> None:
    with psycopg.connect(dsn) as conn:
        conn.execute("LOCK TABLE travada_b IN ROW EXCLUSIVE MODE")  # what a WL poller's transaction holds
        started.set()
        time.sleep(seconds)
        conn.rollback()


def test_a_truncate_that_meets_a_lock_waits_for_it_and_succeeds(db):
    database, dsn = db
    started = threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(dsn, 0.6, started))
    holder.start()
    started.wait(5)
    began = time.monotonic()
    database._write("TRUNCATE TABLE travada_a, travada_b")
    took = time.monotonic() - began
    holder.join()
    assert database.scalar("SELECT (SELECT count(*) FROM travada_a) + (SELECT count(*) FROM travada_b) AS n") == 0
    assert 0.4 < took < 3.0  # it waited for the lock (tried again), and did not give up


def test_a_lock_held_past_the_deadline_is_a_clear_setup_error(db, monkeypatch):
    database, dsn = db
    monkeypatch.setattr(database_module, "LOCKS_DEADLINE_SECONDS", 0.5)
    started = threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(dsn, 1.5, started))
    holder.start()
    started.wait(5)
    try:
        with pytest.raises(StackError, match=r"não obteve os locks das tabelas em 0.5s.*LockNotAvailable"):
            database._write("TRUNCATE TABLE travada_a, travada_b")
    finally:
        holder.join()
    assert database.scalar("SELECT count(*) AS n FROM travada_a") == 2  # rolled back whole
