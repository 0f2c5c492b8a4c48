"""The draft map: every entry of the current map, confirmed, captured or left as it is.

- a known entry the stack shows (or that no read-only call can show) is kept as it is;
- an unknown entry, or one the stack contradicts, gets the value the stack shows when exactly one
  candidate fits (`estado = "capturado"`, `origem = "capturado de <perfil> em <data>"`, the note says
  what showed it); otherwise it is (or becomes) `desconhecido`, the note saying what the stack showed.

So a capture on a stack the map already describes writes the map itself, byte for byte.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from support.readiness.judge import judge
from support.stackmap import MapError, StackMap
from support.stackmap.catalogue import BY_NAME, FACTS
from support.stackmap.loader import _check_value
from support.stackmap.model import DIVERGENT, READY, Entry

from .inferir import infer


@dataclass
class Summary:
    confirmed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    captured: list[str] = field(default_factory=list)
    divergent: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def working_map(base: StackMap, entries: dict[str, Entry]) -> StackMap:
    return StackMap(path=base.path, profile=base.profile, description=base.description, entries=dict(entries))


def _valid(entry: Entry) -> bool:
    try:
        _check_value(Path("(rascunho)"), BY_NAME[entry.name], entry.value, entry.role)
    except MapError:
        return False
    return True


def _captured(entry: Entry, found, origin: str, was: str | None) -> Entry | None:
    note = found.how + (f"; o mapa dizia {was}" if was else "")
    role = found.role if BY_NAME[entry.name].kind == "element" or entry.role is not None or found.role else None
    candidate = Entry(entry.name, found.value, "capturado", origin, role, note)
    return candidate if _valid(candidate) else None


def one_pass(base: StackMap, entries: dict[str, Entry], observed, email: str, origin: str) -> tuple[dict, dict]:
    """One pass over every entry (later entries may use what earlier ones captured): (entries, verdicts)."""
    current = working_map(base, entries)
    verdicts = judge(current, [f.name for f in FACTS], observed)
    out = dict(entries)
    for fact in FACTS:
        entry, verdict = base.entries[fact.name], verdicts.get(fact.name)
        if entry.known and (verdict is None or verdict.state == READY):
            out[fact.name] = entry
            continue
        found = infer(working_map(base, out), fact.name, observed, email)
        was = f"{entry.value!r} ({verdict.detail})" if entry.known and verdict is not None else None
        new = _captured(entry, found, origin, was) if found is not None else None
        if new is not None:
            out[fact.name] = new
        elif entry.known:  # the stack contradicts it and shows nothing else that fits
            out[fact.name] = Entry(fact.name, None, "desconhecido", entry.source, None,
                                   f"divergente na stack: {verdict.detail}; o mapa dizia {entry.value!r}")
        else:
            out[fact.name] = entry
    return out, verdicts


def draft(base: StackMap, observed, email: str, origin: str) -> tuple[dict[str, Entry], dict]:
    """Passes until nothing changes (a column is captured once its table is)."""
    entries = dict(base.entries)
    for _ in range(4):
        new, verdicts = one_pass(base, entries, observed, email, origin)
        if new == entries:
            break
        entries = new
    return entries, verdicts


def summarize(base: StackMap, entries: dict[str, Entry], verdicts: dict) -> Summary:
    summary = Summary()
    for fact in FACTS:
        before, after, verdict = base.entries[fact.name], entries[fact.name], verdicts.get(fact.name)
        if after.state == "capturado" and after != before:
            summary.captured.append(fact.name)
        elif before.known and not after.known:
            summary.divergent.append(fact.name)
        elif not after.known:
            summary.unknown.append(fact.name)
        elif verdict is not None and verdict.state == READY and verdict.checked:
            summary.confirmed.append(fact.name)
        elif verdict is not None and verdict.state == DIVERGENT:
            summary.divergent.append(fact.name)
        else:
            summary.kept.append(fact.name)
    return summary


def with_notes_of(entries: dict[str, Entry], base: StackMap) -> dict[str, Entry]:
    """Entries that did not change keep the map's own text (note included)."""
    return {name: (base.entries[name] if replace(entry, note=base.entries[name].note) == base.entries[name] else entry)
            for name, entry in entries.items()}
