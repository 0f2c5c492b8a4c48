"""Changes to shared data beyond the runbook's own statements: opt-in, and journaled.

Some scenarios change WL data the runbook never touches (a buyer's X$ balance set below a price, the
buyer's xtransaction_maturity rows deleted, the exporter's offer price or stock changed, a real
checkout that debits the QA account). On a shared stack an interrupted run must not leave them so:

- Opt-in: those scenarios carry the tag @fora-do-runbook. They run only when
  XPORY_PERMITIR_ALTERACOES_FORA_DO_RUNBOOK=true (the `embutido` profile sets it: its stack is new at
  every run); otherwise `before_scenario` skips them as not proven, with the reason.
- Journaled: before each change, `ChangeJournal.change` writes the SQL that puts the original values
  back (built from the values read just before, as SQL literals) into
  `<XPORY_RUNTIME_DIR>/alteracoes-pendentes/<perfil>.json`, synced to disk; only then is the change
  made. `after_scenario` restores the scenario's entries (newest first) and removes them from the file.
  A run that died in between leaves them there: the next run restores them in `before_all`, before
  any scenario (not on the embedded stack, whose database is new at every run).
- Every restore statement is idempotent (a conditional UPDATE, a DELETE, a DELETE + INSERT in one
  statement), so restoring twice, or restoring something whose change never happened, is harmless.
- `guard` journals values a step may change without meaning to (the QA account's balances around a
  checkout): it needs no tag, and its restore only writes when the value differs.

A change attempted in a scenario without the tag is refused (UnsafeOperation: the suite's own bug).
"""
from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

from psycopg import sql
from psycopg.types.json import Jsonb

from .errors import UnsafeOperation

TAG = "fora-do-runbook"
SETTING = "XPORY_PERMITIR_ALTERACOES_FORA_DO_RUNBOOK"
T = TypeVar("T")


def literal(value: Any) -> str:
    """`value` as an SQL literal (psycopg's own quoting; dicts as jsonb)."""
    return sql.Literal(Jsonb(value) if isinstance(value, dict) else value).as_string()


def skip_reason() -> str:
    return (f"altera dados fora dos comandos do runbook (tag @{TAG}); neste perfil só roda com {SETTING}=true "
            "(os valores originais são guardados antes e restaurados ao fim do cenário, ou no início da "
            "próxima execução se esta for interrompida)")


# --- idempotent restore statements, every value a literal --------------------------------------------
def restore_values(table: str, key: str, rows: list[dict], columns: tuple[str, ...]) -> str:
    """Put `columns` of each row (found by `key`) back to the values in `rows`; rows already so stay untouched."""
    names = (key, *columns)
    values = ", ".join("(" + ", ".join(literal(row[n]) for n in names) + ")" for row in rows)
    differs = " OR ".join(f"t.{c} IS DISTINCT FROM v.{c}" for c in columns)
    assignments = ", ".join(f"{c} = v.{c}" for c in columns)
    return (f"UPDATE {table} AS t SET {assignments} FROM (VALUES {values}) AS v({', '.join(names)}) "
            f"WHERE t.{key} = v.{key} AND ({differs})")


def restore_rows(table: str, column: str, value: Any, rows: list[dict]) -> str:
    """Make the rows of `table` where `column` = `value` exactly `rows` again (one transaction)."""
    delete = f"DELETE FROM {table} WHERE {column} = {literal(value)}"
    if not rows:
        return delete
    names = list(rows[0])
    values = ", ".join("(" + ", ".join(literal(row[n]) for n in names) + ")" for row in rows)
    return f"BEGIN; {delete}; INSERT INTO {table} ({', '.join(names)}) VALUES {values}; COMMIT"


def restore_keep_only(table: str, column: str, value: Any, key: str, keys: list) -> str:
    """Delete the rows of `table` where `column` = `value` whose `key` is not one of `keys`."""
    kept = "ARRAY[" + ", ".join(literal(k) for k in keys) + "]" if keys else "ARRAY[]::bigint[]"
    return f"DELETE FROM {table} WHERE {column} = {literal(value)} AND NOT ({key} = ANY({kept}))"


@dataclass
class Entry:
    id: str
    scenario: str
    database: str  # cp | exporter | importer
    what: str
    restore: str  # one idempotent SQL statement, all values as literals
    created: float


class ChangeJournal:
    def __init__(self, path: Path, databases, allowed: bool):
        self.path = path
        self.databases = databases
        self.allowed = allowed
        self.scenario: str | None = None
        self.tagged = False

    # --- the file ----------------------------------------------------------------------------------
    def entries(self) -> list[Entry]:
        if not self.path.is_file():
            return []
        return [Entry(**item) for item in json.loads(self.path.read_text(encoding="utf-8"))]

    def _save(self, entries: list[Entry]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not entries:
            self.path.unlink(missing_ok=True)
            return
        temporary = self.path.with_suffix(".tmp")
        with open(temporary, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)  # the original values of shared data: this user's only
            json.dump([asdict(e) for e in entries], handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)

    # --- the scenario ------------------------------------------------------------------------------
    def begin_scenario(self, name: str, tags) -> None:
        self.scenario, self.tagged = name, TAG in tags

    def _write_ahead(self, database: str, what: str, restore: str) -> Entry:
        entry = Entry(str(uuid.uuid4()), self.scenario or "(fora de cenário)", database, what, restore, time.time())
        self._save([*self.entries(), entry])
        return entry

    def change(self, database: str, what: str, restore: str, apply: Callable[[], T]) -> T:
        """Journal `restore` (synced to disk), then `apply()` the change; the scenario must carry the tag."""
        if not self.tagged:
            raise UnsafeOperation(f"o cenário {self.scenario!r} tentou alterar dados fora do runbook ({what}) sem a tag "
                                  f"@{TAG}: marque o cenário (e ele passa a exigir {SETTING}=true fora do embutido).")
        if not self.allowed:
            raise UnsafeOperation(f"Recusado: {what} altera dados fora do runbook e {SETTING}=false.")
        self._write_ahead(database, what, restore)
        return apply()

    def guard(self, database: str, what: str, restore: str) -> None:
        """Journal `restore` for values the next step may change without meaning to (no tag needed)."""
        self._write_ahead(database, what, restore)

    # --- restoring ---------------------------------------------------------------------------------
    def restore(self, only_scenario: str | None = None) -> list[str]:
        """Run the restore statements (newest first; of one scenario, or all), dropping each once done."""
        restored = []
        for entry in reversed(self.entries()):
            if only_scenario is not None and entry.scenario != only_scenario:
                continue
            database = getattr(self.databases, entry.database)
            self.databases.destructive(database, entry.restore)
            self._save([e for e in self.entries() if e.id != entry.id])
            restored.append(f"{entry.what} (cenário {entry.scenario!r})")
        return restored

    def end_scenario(self) -> list[str]:
        restored = self.restore(only_scenario=self.scenario) if self.scenario else []
        self.scenario, self.tagged = None, False
        return restored


# --- the run's journal -------------------------------------------------------------------------------
def for_session(session) -> ChangeJournal:
    """The journal of this profile: <XPORY_RUNTIME_DIR>/alteracoes-pendentes/<perfil>.json. On the embedded
    stack (a database of its own per run) it is this process's, `<perfil>-<pid>.json`: runs in parallel
    (tools/paralelo.py) never read or drop each other's journal."""
    config = session.config
    folder = config.path("XPORY_RUNTIME_DIR") / "alteracoes-pendentes"
    if config.stack != "embedded":
        return ChangeJournal(folder / f"{config.perfil}.json", session.db, allowed=bool(config.get(SETTING, False)))
    for old in folder.glob(f"{config.perfil}-*.json"):  # journals of embedded runs that are gone
        pid = old.stem.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not Path(f"/proc/{pid}").exists():
            old.unlink(missing_ok=True)
    return ChangeJournal(folder / f"{config.perfil}-{os.getpid()}.json", session.db,
                         allowed=bool(config.get(SETTING, False)))


def recover_previous_run(book: ChangeJournal, stack: str) -> list[str]:
    """Put back what an interrupted run of this profile left changed (none on the embedded stack,
    whose database is new at every run: its stale journal is dropped)."""
    if not book.entries():
        return []
    if stack == "embedded":
        book.path.unlink(missing_ok=True)
        return []
    return book.restore()
