"""Database access of a WL node: one psycopg connection pool, rows as dicts."""
from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool


class Database:
    def __init__(self, dsn: str, max_size: int = 12):
        self.pool = ConnectionPool(dsn, min_size=1, max_size=max_size, open=False,
                                   kwargs={"row_factory": dict_row, "autocommit": False})

    def open(self) -> None:
        self.pool.open(wait=False)

    def close(self) -> None:
        self.pool.close()

    @contextlib.contextmanager
    def tx(self):
        """A connection inside a transaction (committed on success, rolled back on error)."""
        with self.pool.connection() as conn:
            yield conn

    def one(self, sql: str, params=()) -> dict | None:
        with self.tx() as conn:
            return conn.execute(sql, params).fetchone()

    def all(self, sql: str, params=()) -> list[dict]:
        with self.tx() as conn:
            return conn.execute(sql, params).fetchall()

    def run(self, sql: str, params=()) -> int:
        with self.tx() as conn:
            return conn.execute(sql, params).rowcount


def iso(value, timespec: str = "seconds") -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat(timespec=timespec).replace("+00:00", "Z")
    return str(value)


def num(value):
    """Decimal -> int/float for JSON (2 decimals kept as float)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else float(value)
    return value


def money(value) -> float | None:
    return None if value is None else float(Decimal(value).quantize(Decimal("0.01")))


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
