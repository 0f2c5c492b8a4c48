"""SQL access to the stack's databases: `xpory_cp` (CP), `wl-01` (exporter), `wl-03` (importer).

Destructive statements (TRUNCATE, UPDATE, DELETE, INSERT) go through `Databases.destructive()`, which
refuses unless every target database is on loopback or XPORY_ALLOW_REMOTE_RESET=true.
"""
from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row

from .config import is_loopback
from .errors import StackError, UnsafeOperation
from .masking import Masker

NAMES = {"cp": "XPORY_CP_DSN", "exporter": "XPORY_EXPORTER_DSN", "importer": "XPORY_IMPORTER_DSN"}


@dataclass
class Database:
    name: str  # cp | exporter | importer
    dsn: str
    masker: Masker

    @property
    def host(self) -> str | None:
        return urlparse(self.dsn).hostname

    @property
    def hosts(self) -> list[str]:
        """Every host libpq would reach: `host`/`hostaddr` in the query string win over the URL's authority."""
        try:
            params = conninfo_to_dict(self.dsn)
        except psycopg.Error:
            return ["(DSN ilegível)"]
        hosts = [h for key in ("host", "hostaddr") for h in str(params.get(key) or "").split(",") if h]
        if not hosts:  # no host in the DSN: libpq falls back to PGHOST/PGHOSTADDR, else a Unix socket
            hosts = [h for key in ("PGHOST", "PGHOSTADDR") for h in os.environ.get(key, "").split(",") if h]
        return hosts

    @property
    def on_loopback(self) -> bool:
        return all(h.startswith(("/", "@")) or is_loopback(h) for h in self.hosts)  # "/..." = Unix socket

    @property
    def label(self) -> str:
        parsed = urlparse(self.dsn)
        return f"{parsed.path.lstrip('/')}@{','.join(self.hosts) or parsed.hostname}:{parsed.port or 5432}"

    @contextmanager
    def connect(self) -> Iterator[psycopg.Connection]:
        try:
            conn = psycopg.connect(self.dsn, row_factory=dict_row, connect_timeout=5, autocommit=True)
        except psycopg.OperationalError as exc:
            raise StackError(
                f"Banco {self.label} inacessível ({NAMES[self.name]}): {self.masker.text(str(exc)).strip()[:300]}"
            ) from None
        try:
            yield conn
        finally:
            conn.close()

    def rows(self, sql: str, params: Sequence[Any] | dict | None = None) -> list[dict]:
        with self.connect() as conn:
            return list(conn.execute(sql, params).fetchall())

    def scalar(self, sql: str, params: Sequence[Any] | dict | None = None) -> Any:
        with self.connect() as conn:
            row = conn.execute(sql, params).fetchone()
        return None if row is None else next(iter(row.values()))

    def _write(self, sql: str, params: Sequence[Any] | dict | None = None, attempts: int = 3) -> int:
        """Run one write; a deadlock with the running stack (e.g. a TRUNCATE while the CP records
        telemetry) is retried, since PostgreSQL rolled the statement back whole."""
        for attempt in range(1, attempts + 1):
            try:
                with self.connect() as conn:
                    return conn.execute(sql, params).rowcount
            except (psycopg.errors.DeadlockDetected, psycopg.errors.LockNotAvailable):
                if attempt == attempts:
                    raise
        raise AssertionError("unreachable")

    def table_exists(self, table: str) -> bool:
        return bool(self.scalar("SELECT to_regclass(%s) IS NOT NULL AS present", (table,)))


class Databases:
    def __init__(self, cp_dsn: str, exporter_dsn: str, importer_dsn: str, masker: Masker,
                 allow_remote: bool = False):
        self.cp = Database("cp", cp_dsn, masker)
        self.exporter = Database("exporter", exporter_dsn, masker)
        self.importer = Database("importer", importer_dsn, masker)
        self.allow_remote = allow_remote

    def all(self) -> tuple[Database, ...]:
        return (self.cp, self.exporter, self.importer)

    def check_destructive_allowed(self, *targets: Database) -> None:
        remote = [db for db in (targets or self.all()) if not db.on_loopback]
        if remote and not self.allow_remote:
            names = ", ".join(f"{db.label} ({NAMES[db.name]})" for db in remote)
            raise UnsafeOperation(
                f"Recusado: o reset apaga dados (TRUNCATE/UPDATE) e estes bancos não estão no loopback: {names}. "
                "Se é isso mesmo, defina XPORY_ALLOW_REMOTE_RESET=true."
            )

    def destructive(self, target: Database, sql: str, params: Sequence[Any] | dict | None = None) -> int:
        """Run a destructive statement after the loopback check; return the affected row count."""
        self.check_destructive_allowed(target)
        return target._write(sql, params)
