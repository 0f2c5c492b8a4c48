"""SQL through `docker exec -i <container> psql`, the way the runbook reaches the WL databases, so the
suite needs no published database port (settings XPORY_<CP|EXPORTER|IMPORTER>_DB_CONTAINER).

- The user and the database come from the DSN (`psql -U <user> -d <db>`); its password, if any, travels
  in the environment (`docker exec -e PGPASSWORD`), never on a command line. Host and port of the DSN
  are not used: psql runs inside the container.
- Parameters are bound on the client with psycopg's own quoting (`sql.Literal`), `%s` / `%(name)s` /
  `%%` as psycopg reads them; the statement goes to psql's standard input.
- A query's rows come back typed like psycopg's: psql describes the result (`\\gdesc`: names and types),
  prints it as CSV, and psycopg's loaders turn each text value into Decimal, datetime, dict, list...
- A write returns the row count of its command tag (`UPDATE 3`). An SQL error is raised as psycopg's
  own exception class for its SQLSTATE (so a deadlock is retried like over a connection).
- Local or remote: a container counts as local when the docker engine it runs on is (DOCKER_HOST, or
  the current docker context, is a Unix socket or a loopback address). The destructive-SQL guard uses it.
"""
from __future__ import annotations

import csv
import io
import os
import re
import subprocess
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote, urlparse

import psycopg
from psycopg import postgres, pq, sql
from psycopg.adapt import Transformer

from .config import is_loopback
from .errors import StackError

NULL = "<<xpory:null>>"
SEPARATOR = "<<xpory:rows>>"
TIMEOUT_SECONDS = 120.0
_PLACEHOLDER = re.compile(r"%(%|s|\((\w+)\)s)")
_TAG = re.compile(r"^(INSERT \d+|UPDATE|DELETE|MERGE|SELECT|COPY) (\d+)$")
_SQLSTATE = re.compile(r"^(?:ERROR|FATAL):\s+([0-9A-Z]{5}):\s*(.*)$", re.MULTILINE)


def bind(query: str, params: Sequence[Any] | dict | None) -> str:
    """`query` with its placeholders replaced by SQL literals (no placeholder parsing without params)."""
    if params is None:
        return query
    positional = iter(params) if not isinstance(params, dict) else None

    def literal(match: re.Match) -> str:
        if match.group(1) == "%":
            return "%"
        value = params[match.group(2)] if match.group(2) else next(positional)
        return sql.Literal(value).as_string()

    return _PLACEHOLDER.sub(literal, query)


def _loader_for(type_name: str):
    """psycopg's text loader for a type as psql's \\gdesc names it ("numeric(12,2)", "integer[]")."""
    name = re.sub(r"\(\d+(,\d+)?\)", "", type_name).strip()
    array = name.endswith("[]")
    info = postgres.types.get(name.removesuffix("[]"))
    if info is None:
        return None
    return Transformer().get_loader(info.array_oid if array else info.oid, pq.Format.TEXT)


class DockerPsql:
    """One database reached as `docker exec -i <container> psql -U <user> -d <db>`."""

    def __init__(self, container: str, dsn: str, setting: str):
        parsed = urlparse(dsn)
        self.container, self.setting = container, setting
        self.user = unquote(parsed.username or "postgres")
        self.dbname = unquote(parsed.path.lstrip("/"))
        self._password = unquote(parsed.password) if parsed.password else None
        self._engine_host: str | None = None

    @property
    def label(self) -> str:
        return f"{self.dbname}@docker:{self.container}"

    def _command(self, quiet: bool) -> list[str]:
        command = ["docker", "exec", "-i"]
        if self._password:
            command += ["-e", "PGPASSWORD"]
        command += [self.container, "psql", "-X", "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose",
                    "-U", self.user, "-d", self.dbname]
        return command + (["-q"] if quiet else [])

    def _run(self, script: str, quiet: bool) -> str:
        env = dict(os.environ)
        if self._password:
            env["PGPASSWORD"] = self._password
        try:
            done = subprocess.run(self._command(quiet), input=script, capture_output=True, text=True,
                                  timeout=TIMEOUT_SECONDS, env=env)
        except FileNotFoundError:
            raise StackError(f"'docker' não está instalado: {self.setting}={self.container} pede docker exec.") from None
        except subprocess.TimeoutExpired:
            raise StackError(f"'docker exec {self.container} psql' não terminou em {TIMEOUT_SECONDS:g}s "
                             f"({self.setting}).") from None
        if done.returncode == 3:  # psql: an SQL error, the script stopped (ON_ERROR_STOP)
            raise self._sql_error(done.stderr)
        if done.returncode != 0:
            raise StackError(f"Banco {self.label} inacessível ({self.setting}): docker exec terminou com "
                             f"código {done.returncode}: {done.stderr.strip()[-300:]}")
        return done.stdout

    def _sql_error(self, stderr: str) -> psycopg.Error:
        found = _SQLSTATE.search(stderr)
        if found is None:
            return psycopg.DatabaseError(stderr.strip()[-500:])
        return psycopg.errors.lookup(found.group(1))(found.group(2).strip())

    def rows(self, query: str, params: Sequence[Any] | dict | None = None) -> list[dict]:
        statement = bind(query, params).strip().rstrip(";")
        script = (f"\\pset format csv\n\\pset null '{NULL}'\n{statement}\n\\gdesc\n\\echo {SEPARATOR}\n"
                  f"{statement}\n\\g\n")
        described, _, data = self._run(script, quiet=True).partition(SEPARATOR + "\n")
        types = [row[1] for row in list(csv.reader(io.StringIO(described)))[1:]]
        table = list(csv.reader(io.StringIO(data)))
        if not table:
            return []
        loaders = [_loader_for(t) for t in types]
        header = table[0]
        return [{name: self._load(loaders[i] if i < len(loaders) else None, value)
                 for i, (name, value) in enumerate(zip(header, row, strict=True))} for row in table[1:]]

    @staticmethod
    def _load(loader, value: str) -> Any:
        if value == NULL:
            return None
        return value if loader is None else loader.load(value.encode())

    def write(self, query: str, params: Sequence[Any] | dict | None = None) -> int:
        """Run one statement; its row count (-1 when the command tag carries none, e.g. TRUNCATE)."""
        output = self._run(bind(query, params).strip().rstrip(";") + ";\n", quiet=False)
        for line in reversed(output.strip().splitlines()):
            tag = _TAG.match(line.strip())
            if tag:
                return int(tag.group(2))
        return -1

    @property
    def engine_is_local(self) -> bool:
        """The docker engine the container runs on is this machine (Unix socket or loopback TCP)."""
        host = self.engine_host
        if host.startswith(("unix://", "npipe://")):
            return True
        parsed = urlparse(host)
        return parsed.scheme == "tcp" and is_loopback(parsed.hostname)

    @property
    def engine_host(self) -> str:
        if self._engine_host is None:
            self._engine_host = os.environ.get("DOCKER_HOST") or self._current_context_host()
        return self._engine_host

    def _current_context_host(self) -> str:
        try:
            done = subprocess.run(["docker", "context", "inspect", "--format", "{{.Endpoints.docker.Host}}"],
                                  capture_output=True, text=True, timeout=30)
        except (FileNotFoundError, subprocess.TimeoutExpired):
            return "(desconhecido)"
        return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else "(desconhecido)"
