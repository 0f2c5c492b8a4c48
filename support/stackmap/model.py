"""A loaded stack map: its entries, each entry's readiness on the live stack, and what code asks of it.

Code asks by the entry's full name, always written out (`m.name("wl.exporter.offer.price")`), so the
needs of a scenario can be derived from the source (support/stackmap/needs.py):

- `name(entry)` / `value(entry)`: the entry's value; raises `FactNotReady` when the entry is unknown in
  the map or diverges from the live stack;
- `element(entry)`: an `Element` (ARIA role + accessible name) of a UI entry;
- `optional(entry)`: the value when ready, else None (for code that can do without it);
- `require(entry, ...)`: for code that uses the runbook's names verbatim (its SQL), the same check.

While a scenario runs, `scenario_needs` holds what it declared it needs; reading an entry outside it
raises `UndeclaredNeed` (the derivation missed a path: a defect of the suite, never of the product).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..text import accent_insensitive_pattern
from .catalogue import BY_NAME, Fact

STATES = ("fato", "documentado", "capturado", "suposição", "desconhecido")
READY, UNKNOWN, DIVERGENT = "pronto", "desconhecido", "divergente"


@dataclass(frozen=True)
class Entry:
    name: str
    value: str | None  # None when desconhecido
    state: str
    source: str
    role: str | None = None  # UI elements and templates shown in a role
    note: str = ""
    cannot_differ: str = ""  # nao_pode_diferir: why this guess has the same value in every profile's map

    @property
    def fact(self) -> Fact:
        return BY_NAME[self.name]

    @property
    def known(self) -> bool:
        return self.state != "desconhecido"


@dataclass(frozen=True)
class Element:
    role: str
    name: str  # "" = any accessible name


@dataclass(frozen=True)
class Readiness:
    state: str  # pronto | desconhecido | divergente
    detail: str
    checked: bool = False  # a read-only probe confirmed it (pronto) or refuted it (divergente)


class FactNotReady(AssertionError):
    """The code needs an entry the map does not know, or that the live stack contradicts."""


class UndeclaredNeed(AssertionError):
    """A scenario read an entry that its derived needs do not list (a defect of the suite's derivation)."""


def fill_hint(path: Path, entry: str) -> str:
    return (f"preencha {entry} em {path} (valor, estado, origem), ou rode "
            f"`python -m tools.reconhecer` para capturá-lo da stack")


@dataclass
class StackMap:
    path: Path
    profile: str
    description: str
    entries: dict[str, Entry]
    readiness: dict[str, Readiness] = field(default_factory=dict)
    scenario_needs: frozenset[str] | None = None
    reads: set[str] = field(default_factory=set)

    def entry(self, name: str) -> Entry:
        if name not in self.entries:
            raise KeyError(f"o mapa não tem a entrada {name!r} (support/stackmap/catalogue.py)")
        return self.entries[name]

    def status(self, name: str) -> Readiness:
        if name in self.readiness:
            return self.readiness[name]
        entry = self.entry(name)
        if not entry.known:
            return Readiness(UNKNOWN, "sem valor no mapa")
        return Readiness(READY, f"{entry.state}: {entry.source}")

    def ready(self, name: str) -> bool:
        return self.status(name).state == READY

    def _read(self, name: str) -> Entry:
        entry = self.entry(name)
        if self.scenario_needs is not None and name not in self.scenario_needs:
            raise UndeclaredNeed(
                f"o cenário usou a entrada {name} do mapa sem que suas necessidades a listem: a derivação "
                "(support/stackmap/needs.py) não viu esse caminho no código; declare-o com @precisa:" + name)
        self.reads.add(name)
        return entry

    def value(self, name: str) -> str:
        entry = self._read(name)
        status = self.status(name)
        if status.state != READY:
            raise FactNotReady(f"{name} está {status.state} no mapa {self.path}: {status.detail}; "
                               f"{fill_hint(self.path, name)}")
        return entry.value

    name = value  # reads as m.name("wl.exporter.offer.price") for SQL names and keys

    def element(self, name: str) -> Element:
        value = self.value(name)
        return Element(self.entries[name].role or "", value)

    def require(self, *names: str) -> None:
        """Declare that the code right here depends on these entries (e.g. the runbook's verbatim SQL):
        raises FactNotReady when one is not ready on this stack."""
        for name in names:
            self.value(name)

    def optional(self, name: str) -> str | None:
        entry = self._read(name)
        return entry.value if self.ready(name) else None

    def template(self, name: str, **values: str) -> str:
        """A template entry filled with `values` (every marker of the entry must be given)."""
        text = self.value(name)
        return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), text)

    def template_pattern(self, name: str, *, anchored: bool = True, **values: str) -> re.Pattern:
        """A template entry as a regular expression over a whole text (`anchored`) or inside one,
        tolerant of accents, case and spacing: the given markers literal, the others a number
        (captured, in order)."""
        out = []
        for part in re.split(r"(\{\w+\})", self.value(name)):
            marker = re.fullmatch(r"\{(\w+)\}", part)
            if marker is None:
                out.append(r"\s*" + accent_insensitive_pattern(part).pattern + r"\s*" if part.strip() else r"\s*")
            elif marker.group(1) in values:
                out.append(accent_insensitive_pattern(str(values[marker.group(1)])).pattern)
            else:
                out.append(r"(\d+)")
        body = "".join(out)
        return re.compile(r"^\s*" + body + r"\s*$" if anchored else body, re.IGNORECASE)
