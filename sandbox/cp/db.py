"""The CP's settings and PostgreSQL connection pool (database `xpory_cp`)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from ..settings import Settings

_settings: Settings | None = None
_pool: ConnectionPool | None = None


def init(settings: Settings, wait_s: float = 15.0) -> None:
    """Remember the settings and open the pool, waiting for the database to accept connections."""
    global _settings, _pool
    _settings = settings
    _pool = ConnectionPool(settings.dsn("xpory_cp"), min_size=1, max_size=20, open=True,
                           kwargs={"row_factory": dict_row, "options": "-c timezone=UTC"},
                           timeout=30, name="cp")
    try:
        _pool.wait(timeout=wait_s)
    except Exception as exc:  # one clear line for the operator
        raise SystemExit(f"sandbox.cp: database xpory_cp at {settings.host}:{settings.db_port} "
                         f"is not reachable ({exc}); start `python -m sandbox.db` first") from None


def settings() -> Settings:
    assert _settings is not None, "sandbox.cp.db.init() was not called"
    return _settings


@contextmanager
def tx() -> Iterator[Any]:
    """A connection inside one transaction (committed on success, rolled back on error)."""
    assert _pool is not None, "sandbox.cp.db.init() was not called"
    with _pool.connection() as conn:
        yield conn


def all(sql: str, params: Any = None) -> list[dict]:
    with tx() as conn:
        return conn.execute(sql, params).fetchall()


def one(sql: str, params: Any = None) -> dict | None:
    with tx() as conn:
        return conn.execute(sql, params).fetchone()


def run(sql: str, params: Any = None) -> int:
    with tx() as conn:
        return conn.execute(sql, params).rowcount


def close() -> None:
    if _pool is not None:
        _pool.close()

