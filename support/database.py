"""SQL access to the stack's databases: `xpory_cp` (CP), `wl-01` (exporter), `wl-03` (importer).

Each database is reached with psycopg through its DSN, or, when the profile names its container
(XPORY_<CP|EXPORTER|IMPORTER>_DB_CONTAINER), through `docker exec -i <container> psql` like the runbook
(support/docker_psql.py): the same rows, the same row counts, the same error classes.

Destructive statements (TRUNCATE, UPDATE, DELETE, INSERT) go through `Databases.destructive()`, which
refuses unless every target database is on loopback or XPORY_ALLOW_REMOTE_RESET=true. A database in a
container counts as local when the docker engine that runs the container is this machine's (DOCKER_HOST
or the current docker context is a Unix socket or a loopback address): `docker exec` then reaches it
without leaving the machine. An engine elsewhere (tcp://host, ssh://host) is remote.
"""
from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row

from .config import is_loopback
from .docker_psql import DockerPsql
from .errors import StackError, UnsafeOperation
from .masking import Masker

NAMES = {"cp": "XPORY_CP_DSN", "exporter": "XPORY_EXPORTER_DSN", "importer": "XPORY_IMPORTER_DSN"}
CONTAINER_SETTINGS = {"cp": "XPORY_CP_DB_CONTAINER", "exporter": "XPORY_EXPORTER_DB_CONTAINER",
                      "importer": "XPORY_IMPORTER_DB_CONTAINER"}


LOCK_TIMEOUT = "100ms"  # per lock, for the suite's writes (Database._write)
LOCKS_DEADLINE_SECONDS = 15.0


def _write_with_lock_timeout(conn: psycopg.Connection, sql: str, params) -> int:
    with conn.transaction():
        conn.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        return conn.execute(sql, params).rowcount


@dataclass
class Database:
    name: str  # cp | exporter | importer
    dsn: str
    masker: Masker
    container: str | None = None  # reach it through `docker exec -i <container> psql`

    def __post_init__(self) -> None:
        self._kept: psycopg.Connection | None = None
        self.docker = DockerPsql(self.container, self.dsn, CONTAINER_SETTINGS[self.name]) if self.container else None

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
        if self.docker is not None:
            return self.docker.engine_is_local
        return all(h.startswith(("/", "@")) or is_loopback(h) for h in self.hosts)  # "/..." = Unix socket

    @property
    def setting(self) -> str:
        return CONTAINER_SETTINGS[self.name] if self.docker is not None else NAMES[self.name]

    @property
    def label(self) -> str:
        if self.docker is not None:
            return f"{self.docker.label} (docker {self.docker.engine_host})"
        parsed = urlparse(self.dsn)
        return f"{parsed.path.lstrip('/')}@{','.join(self.hosts) or parsed.hostname}:{parsed.port or 5432}"

    @contextmanager
    def connect(self) -> Iterator[psycopg.Connection]:
        """The run's connection to this database: opened on first use and kept (autocommit, so no state
        carries over between statements); opened again when the kept one was closed or broke."""
        if self.docker is not None:
            raise StackError(f"{self.setting}: o banco {self.docker.label} só é alcançado por docker exec psql; "
                             "use Database.rows/scalar/counts (não há conexão direta)")
        conn = self._kept
        if conn is None or conn.closed or conn.broken:
            conn = self._kept = self._open()
        yield conn

    def _open(self) -> psycopg.Connection:
        try:
            return psycopg.connect(self.dsn, row_factory=dict_row, connect_timeout=5, autocommit=True)
        except psycopg.OperationalError as exc:
            raise StackError(
                f"Banco {self.label} inacessível ({NAMES[self.name]}): {self.masker.text(str(exc)).strip()[:300]}"
            ) from None

    def _execute(self, run):
        """`run(conn)` on the kept connection; once more on a new one when the kept connection turned out
        dead (the server closed it: a restart, an idle timeout), since nothing ran on it then."""
        reused = self._kept is not None and not self._kept.closed
        try:
            with self.connect() as conn:
                return run(conn)
        except psycopg.OperationalError:
            if not reused or self._kept is None or not (self._kept.closed or self._kept.broken):
                raise
            self.close()
            with self.connect() as conn:
                return run(conn)

    def close(self) -> None:
        conn, self._kept = self._kept, None
        if conn is not None:
            conn.close()

    def rows(self, sql: str, params: Sequence[Any] | dict | None = None) -> list[dict]:
        if self.docker is not None:
            return self.docker.rows(sql, params)
        return self._execute(lambda conn: list(conn.execute(sql, params).fetchall()))

    def scalar(self, sql: str, params: Sequence[Any] | dict | None = None) -> Any:
        rows = self.rows(sql, params)
        return None if not rows else next(iter(rows[0].values()))

    def counts(self, tables: Sequence[str]) -> dict[str, int]:
        """Row count of each table, in one query."""
        if not tables:
            return {}
        columns = ", ".join(f'(SELECT count(*) FROM {t}) AS "{t}"' for t in tables)
        return {t: int(n) for t, n in self.rows(f"SELECT {columns}")[0].items()}

    def _write(self, sql: str, params: Sequence[Any] | dict | None = None) -> int:
        """Run one write. The running stack writes to the same tables all the time (the WLs' pollers, the CP's
        telemetry), so a TRUNCATE of several tables can meet one of their transactions halfway: the write
        waits at most LOCK_TIMEOUT for each lock (PostgreSQL's deadlock check would take a whole second) and
        is tried again, PostgreSQL having rolled it back whole, until LOCKS_DEADLINE_SECONDS."""
        deadline = time.monotonic() + LOCKS_DEADLINE_SECONDS
        pause = 0.01
        while True:
            try:
                if self.docker is not None:
                    return self.docker.write(sql, params)
                return self._execute(lambda conn: _write_with_lock_timeout(conn, sql, params))
            except (psycopg.errors.DeadlockDetected, psycopg.errors.LockNotAvailable) as exc:
                if time.monotonic() + pause > deadline:
                    raise StackError(
                        f"Banco {self.label}: a escrita não obteve os locks das tabelas em {LOCKS_DEADLINE_SECONDS:g}s; "
                        f"a stack segura essas tabelas sem parar ({type(exc).__name__}: "
                        f"{self.masker.text(str(exc)).strip()[:200]})") from None
            time.sleep(pause)
            pause = min(pause * 2, 0.2)

    def table_exists(self, table: str) -> bool:
        return bool(self.scalar("SELECT to_regclass(%s) IS NOT NULL AS present", (table,)))


class Databases:
    def __init__(self, cp_dsn: str, exporter_dsn: str, importer_dsn: str, masker: Masker,
                 allow_remote: bool = False, containers: dict[str, str | None] | None = None):
        containers = containers or {}
        self.cp = Database("cp", cp_dsn, masker, containers.get("cp"))
        self.exporter = Database("exporter", exporter_dsn, masker, containers.get("exporter"))
        self.importer = Database("importer", importer_dsn, masker, containers.get("importer"))
        self.allow_remote = allow_remote

    @classmethod
    def from_config(cls, config, masker: Masker) -> Databases:
        """The run's three databases: DSNs, containers (if named) and XPORY_ALLOW_REMOTE_RESET."""
        containers = {name: config.get(setting) for name, setting in CONTAINER_SETTINGS.items()}
        return cls(config.cp_dsn, config.exporter_dsn, config.importer_dsn, masker,
                   allow_remote=config.allow_remote_reset, containers=containers)

    def all(self) -> tuple[Database, ...]:
        return (self.cp, self.exporter, self.importer)

    def close(self) -> None:
        for database in self.all():
            database.close()

    def check_destructive_allowed(self, *targets: Database) -> None:
        remote = [db for db in (targets or self.all()) if not db.on_loopback]
        if remote and not self.allow_remote:
            names = ", ".join(f"{db.label} ({db.setting})" for db in remote)
            raise UnsafeOperation(
                f"Recusado: o reset apaga dados (TRUNCATE/UPDATE) e estes bancos não estão no loopback: {names}. "
                "Se é isso mesmo, defina XPORY_ALLOW_REMOTE_RESET=true."
            )

    def destructive(self, target: Database, sql: str, params: Sequence[Any] | dict | None = None) -> int:
        """Run a destructive statement after the loopback check; return the affected row count."""
        self.check_destructive_allowed(target)
        return target._write(sql, params)
