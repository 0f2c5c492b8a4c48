"""support/journal.py against a real PostgreSQL: a change beyond the runbook is journaled on disk before
it is made, put back at the end of the scenario, or by the next run after a crash; restores are
idempotent; an untagged scenario or a profile without the opt-in cannot change anything."""
from __future__ import annotations

import json
import stat
from decimal import Decimal

import psycopg
import pytest
from fake_docker import install
from psycopg.rows import dict_row

from support import journal
from support.database import Databases
from support.errors import UnsafeOperation
from support.journal import ChangeJournal
from support.masking import Masker

ACCOUNT = 8780


@pytest.fixture
def direct(postgres):
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{postgres}/wl-03", autocommit=True,
                         row_factory=dict_row) as conn:
        conn.execute("DROP TABLE IF EXISTS xbalance, xtransaction_maturity, account_privileges, offer")
        conn.execute("CREATE TABLE xbalance (id int PRIMARY KEY, account_id int, value numeric)")
        conn.execute("INSERT INTO xbalance VALUES (8772, 8780, 100000), (9001, 90805, 5000)")
        conn.execute("CREATE TABLE xtransaction_maturity (id int PRIMARY KEY, account_id int, amount numeric(12,2),"
                     " matures_at timestamptz, meta jsonb)")
        conn.execute("INSERT INTO xtransaction_maturity VALUES (1, 8780, 10.50, '2026-01-06 10:00:00+00', '{\"k\": [1]}'),"
                     " (2, 8780, 0.01, '2026-02-01 00:00:00.123456+00', NULL), (3, 1, 7, now(), NULL)")
        conn.execute("CREATE TABLE account_privileges (id int, account_id int, buy_offer boolean)")
        conn.execute("INSERT INTO account_privileges VALUES (5, 8780, true)")
        conn.execute("CREATE TABLE offer (id int PRIMARY KEY, price numeric(12,2), stock int)")
        conn.execute("INSERT INTO offer VALUES (80204, 99.90, 12)")
        yield conn


def dbs(port: int) -> Databases:
    dsn = f"postgresql://postgres@127.0.0.1:{port}/wl-03"
    return Databases(dsn, dsn, dsn, Masker([]))


@pytest.fixture
def book(tmp_path, postgres, direct):
    made = ChangeJournal(tmp_path / "alteracoes-pendentes" / "staging-local.json", dbs(postgres), allowed=True)
    made.begin_scenario("Saldo baixo", {"fora-do-runbook", "trades"})
    return made


def table(conn, name: str, order: str = "id") -> list[dict]:
    return conn.execute(f"SELECT * FROM {name} ORDER BY {order}").fetchall()


def lower_balance(book: ChangeJournal, value: Decimal) -> int:
    rows = book.databases.importer.rows("SELECT id, value FROM xbalance WHERE id=%s", (8772,))
    restore = journal.restore_values("xbalance", "id", rows, ("value",))
    return book.change("importer", "saldo X$ do comprador", restore,
                       lambda: book.databases.destructive(book.databases.importer,
                                                          "UPDATE xbalance SET value=%s WHERE id=8772", (value,)))


def test_the_original_value_is_on_disk_before_the_change_and_back_at_the_end(book, direct):
    seen_before_change = []

    def change():
        seen_before_change.append(json.loads(book.path.read_text()))
        return book.databases.destructive(book.databases.importer, "UPDATE xbalance SET value=1 WHERE id=8772")

    rows = book.databases.importer.rows("SELECT id, value FROM xbalance WHERE id=8772")
    assert book.change("importer", "saldo X$", journal.restore_values("xbalance", "id", rows, ("value",)), change) == 1
    (entries,) = seen_before_change
    assert entries[0]["what"] == "saldo X$" and "100000" in entries[0]["restore"]
    assert stat.S_IMODE(book.path.stat().st_mode) == 0o600
    assert direct.execute("SELECT value FROM xbalance WHERE id=8772").fetchone()["value"] == 1
    assert book.end_scenario() == ["saldo X$ (cenário 'Saldo baixo')"]
    assert direct.execute("SELECT value FROM xbalance WHERE id=8772").fetchone()["value"] == Decimal("100000")
    assert not book.path.exists()


def test_after_a_crash_the_next_run_puts_everything_back_newest_first(book, direct, postgres):
    lower_balance(book, Decimal("3"))
    lower_balance(book, Decimal("2"))  # a second change of the same row: restored in reverse order
    # the run dies here: no end_scenario. The next run opens the same journal:
    next_run = ChangeJournal(book.path, dbs(postgres), allowed=False)
    assert len(next_run.restore()) == 2
    assert direct.execute("SELECT value FROM xbalance WHERE id=8772").fetchone()["value"] == Decimal("100000")
    assert next_run.entries() == [] and not book.path.exists()


def test_a_restore_whose_change_never_happened_changes_nothing(book, direct):
    rows = book.databases.importer.rows("SELECT id, value FROM xbalance WHERE id=8772")
    book.guard("importer", "saldos da conta QA", journal.restore_values("xbalance", "id", rows, ("value",)))
    version = direct.execute("SELECT xmin::text AS v FROM xbalance WHERE id=8772").fetchone()["v"]
    book.end_scenario()
    assert direct.execute("SELECT xmin::text AS v FROM xbalance WHERE id=8772").fetchone()["v"] == version  # not written


def test_deleted_rows_come_back_exactly_and_restoring_twice_is_harmless(book, direct):
    before = table(direct, "xtransaction_maturity")
    rows = book.databases.importer.rows("SELECT * FROM xtransaction_maturity WHERE account_id=%s", (ACCOUNT,))
    restore = journal.restore_rows("xtransaction_maturity", "account_id", ACCOUNT, rows)
    book.change("importer", "maturidade do comprador", restore, lambda: book.databases.destructive(
        book.databases.importer, "DELETE FROM xtransaction_maturity WHERE account_id=%s", (ACCOUNT,)))
    assert len(table(direct, "xtransaction_maturity")) == 1
    book.databases.destructive(book.databases.importer, restore)  # e.g. a crash after the restore, before the file
    book.end_scenario()
    assert table(direct, "xtransaction_maturity") == before


def test_the_restore_runs_the_same_through_docker_exec_psql(tmp_path, monkeypatch, postgres, direct):
    from test_database_docker import PSQL

    install(tmp_path / "docker", monkeypatch, db_containers=["postgres-db"], pg_port=postgres, psql=PSQL)
    dsn = "postgresql://postgres@wl-db/wl-03"
    book = ChangeJournal(tmp_path / "j.json", Databases(dsn, dsn, dsn, Masker([]), containers={"importer": "postgres-db"}),
                         allowed=True)
    book.begin_scenario("Sem maturidade", {"fora-do-runbook"})
    before = table(direct, "xtransaction_maturity")
    rows = book.databases.importer.rows("SELECT * FROM xtransaction_maturity WHERE account_id=%s", (ACCOUNT,))
    assert rows == [r for r in before if r["account_id"] == ACCOUNT]
    book.change("importer", "maturidade", journal.restore_rows("xtransaction_maturity", "account_id", ACCOUNT, rows),
                lambda: book.databases.destructive(book.databases.importer,
                                                   "DELETE FROM xtransaction_maturity WHERE account_id=%s", (ACCOUNT,)))
    book.end_scenario()
    assert table(direct, "xtransaction_maturity") == before


def test_extra_rows_are_removed_and_the_kept_ones_stay(book, direct):
    ids = [r["id"] for r in book.databases.importer.rows("SELECT id FROM account_privileges WHERE account_id=%s", (ACCOUNT,))]
    restore = journal.restore_keep_only("account_privileges", "account_id", ACCOUNT, "id", ids)
    book.change("importer", "privilégios duplicados", restore, lambda: book.databases.destructive(
        book.databases.importer, "INSERT INTO account_privileges VALUES (6, 8780, true)"))
    book.end_scenario()
    assert table(direct, "account_privileges") == [{"id": 5, "account_id": ACCOUNT, "buy_offer": True}]


def test_several_columns_are_restored_together(book, direct):
    rows = book.databases.exporter.rows("SELECT id, price, stock FROM offer WHERE id=80204")
    book.change("exporter", "preço e estoque da oferta 80204", journal.restore_values("offer", "id", rows, ("price", "stock")),
                lambda: book.databases.destructive(book.databases.exporter, "UPDATE offer SET price=1, stock=0 WHERE id=80204"))
    book.end_scenario()
    assert table(direct, "offer") == [{"id": 80204, "price": Decimal("99.90"), "stock": 12}]


def test_only_the_scenarios_own_entries_are_restored_at_its_end(book, direct, postgres):
    lower_balance(book, Decimal("1"))
    other = ChangeJournal(book.path, dbs(postgres), allowed=True)
    other.begin_scenario("Outro", {"fora-do-runbook"})
    assert other.end_scenario() == []
    assert len(book.entries()) == 1
    book.end_scenario()


def test_a_scenario_without_the_tag_cannot_change_anything(book, direct):
    book.begin_scenario("Sem tag", {"trades"})
    with pytest.raises(UnsafeOperation, match="sem a tag @fora-do-runbook"):
        lower_balance(book, Decimal("1"))
    assert direct.execute("SELECT value FROM xbalance WHERE id=8772").fetchone()["value"] == Decimal("100000")
    assert not book.path.exists()


def test_without_the_opt_in_nothing_changes(book, direct):
    book.allowed = False
    with pytest.raises(UnsafeOperation, match="XPORY_PERMITIR_ALTERACOES_FORA_DO_RUNBOOK=false"):
        lower_balance(book, Decimal("1"))
    assert direct.execute("SELECT value FROM xbalance WHERE id=8772").fetchone()["value"] == Decimal("100000")
    assert not book.path.exists()
