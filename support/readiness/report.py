"""The readiness tables: one per feature on the console (what is not ready, and what that means for its
scenarios), and the full tables (every entry, with its detail) in `<XPORY_REPORTS_DIR>/prontidao.txt`."""
from __future__ import annotations

from ..stackmap import StackMap
from ..stackmap.model import DIVERGENT, READY, UNKNOWN

STATES = (READY, UNKNOWN, DIVERGENT)
FILE = "prontidao.txt"


def _counts(m: StackMap, names) -> str:
    states = [m.status(n).state for n in names]
    checked = sum(1 for n in names if m.status(n).state == READY and m.status(n).checked)
    parts = [f"pronto {states.count(READY)} ({checked} verificados na stack)",
             f"desconhecido {states.count(UNKNOWN)}", f"divergente {states.count(DIVERGENT)}"]
    return " · ".join(parts)


def feature_table(m: StackMap, feature, scenarios: list, full: bool) -> list[str]:
    """One feature's table: counts, the entries not ready (every entry when `full`), the scenarios."""
    names = sorted({n for _, needs in scenarios for n in needs.required | needs.optional})
    lines = [f"Funcionalidade: {feature.name} ({feature.filename})",
             f"  {len(names)} entradas do mapa — {_counts(m, names)}"]
    for name in names:
        status = m.status(name)
        if full or status.state != READY:
            lines.append(f"  {status.state:<12} {name:<52} {status.detail}")
    blocked = [s for s, needs in scenarios if any(m.status(n).state != READY for n in needs.required)]
    lines.append(f"  cenários: {len(scenarios) - len(blocked)} prontos, {len(blocked)} serão pulados (não provados)")
    return lines


def tables(m: StackMap, features: list, full: bool) -> str:
    """Every feature's table, under a title naming the map file, and how to fill what is missing."""
    out = [f"Prontidão do mapa da stack {m.path} (perfil do mapa: {m.profile}):"]
    for feature, scenarios in features:
        out.extend(feature_table(m, feature, scenarios, full))
    if any(m.status(n).state != READY for _, rows in features for _, needs in rows for n in needs.required):
        out.append(f"Para preencher o que falta: `python -m tools.reconhecer` captura um rascunho da stack; "
                   f"depois edite {m.path} (README, 'Primeira execução no staging').")
    return "\n".join(out) + "\n"
