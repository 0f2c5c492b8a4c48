"""The run's readiness plan, made in before_all: the needs of every selected scenario (derived from its
steps, support/stackmap/needs.py), the map checked on the live stack for those entries, the tables
printed; then, per scenario, the skip when it needs an entry that is not ready, or the needs it may
read while it runs."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field

from ..stackmap.catalogue import BY_NAME
from ..stackmap.model import READY, UNKNOWN
from ..stackmap.needs import Index, Needs, scenario_needs
from . import report
from .judge import judge
from .observe import observe

MAX_NAMED = 12


@dataclass
class Plan:
    features: list = field(default_factory=list)  # [(feature, [(scenario, Needs)])]
    needs: dict[int, Needs] = field(default_factory=dict)  # id(scenario) -> Needs

    def wanted(self) -> set[str]:
        """The entries to check: every entry a selected scenario may read; but the screens' entries only when
        a scenario requires one of them. Only @ui scenarios read the screens (a screen branch of a step is a
        deferred need, tests/support/test_stackmap_needs.py), so a run with none of them opens no browser
        for entries it will not read."""
        readable = {n for needs in self.needs.values() for n in needs.readable}
        if any(_on_screen(n) for needs in self.needs.values() for n in needs.required):
            return readable
        return {n for n in readable if not _on_screen(n)}


def _on_screen(name: str) -> bool:
    return BY_NAME[name].surface.startswith("ui:")


def prepare(features, config, registry) -> Plan:
    """The needs of each scenario that will run (tags and names as behave selects them); `registry` is
    the runner's step registry (behave replaces the module's when it loads the steps)."""
    index, plan = Index(), Plan()
    for feature in features:
        selected = [s for s in feature.walk_scenarios() if s.should_run(config)]
        if not selected:
            continue
        rows = [(scenario, scenario_needs(index, scenario, registry)) for scenario in selected]
        plan.features.append((feature, rows))
        plan.needs.update((id(scenario), needs) for scenario, needs in rows)
    return plan


def check(session, runner, config, *, full: bool = False) -> Plan:
    """Make the plan, probe the stack for the entries it needs, print the tables (and write them)."""
    m = session.stack_map
    plan = prepare(runner.features, config, runner.step_registry)
    wanted = plan.wanted()
    surfaces = {BY_NAME[n].surface for n in wanted if BY_NAME[n].surface and m.entry(n).known}
    m.readiness.update(judge(m, wanted, observe(session, surfaces, wanted)))
    (session.reports_dir / report.FILE).write_text(report.tables(m, plan.features, full=True), encoding="utf-8")
    print(report.tables(m, plan.features, full=full).rstrip()
          + f"\n  (tabela completa em {session.reports_dir / report.FILE})", file=sys.stderr)
    session.readiness = plan
    return plan


def skip_reason(session, scenario) -> str | None:
    """Why `scenario` cannot be proven on this stack (the entries it needs that are not ready), or None."""
    plan, m = session.readiness, session.stack_map
    needs = plan.needs.get(id(scenario)) if plan is not None else None
    if needs is None:
        return None
    blocked = sorted(n for n in needs.required if m.status(n).state != READY)
    if not blocked:
        return None
    unknown = [n for n in blocked if m.status(n).state == UNKNOWN]
    divergent = [f"{n} ({m.status(n).detail})" for n in blocked if m.status(n).state != UNKNOWN]
    parts = []
    if unknown:
        parts.append("desconhecidas: " + ", ".join(unknown[:MAX_NAMED]) +
                     (f" e mais {len(unknown) - MAX_NAMED}" if len(unknown) > MAX_NAMED else ""))
    if divergent:
        parts.append("divergentes da stack: " + "; ".join(divergent[:MAX_NAMED]) +
                     (f" e mais {len(divergent) - MAX_NAMED}" if len(divergent) > MAX_NAMED else ""))
    return (f"precisa de {len(blocked)} entrada(s) do mapa da stack que não estão prontas — {' — '.join(parts)}. "
            f"Preencha-as em {m.path} (ou rode `python -m tools.reconhecer --perfil {session.config.perfil}`)")


def or_skip(context, action):
    """Run `action()`; when it needs a map entry that is not ready on this stack (an optional need that
    this run's values do need), skip the scenario as not proven, naming the entry, and return None."""
    from ..run_outcome import skip_not_proven
    from ..stackmap import FactNotReady

    try:
        return action()
    except FactNotReady as exc:
        skip_not_proven(context, context.scenario, f"precisa, para estes valores, de {exc}")
        return None


def begin(session, scenario) -> None:
    """While `scenario` runs, the map answers only what its needs list (support/stackmap/model.py)."""
    plan = session.readiness
    needs = plan.needs.get(id(scenario)) if plan is not None else None
    session.stack_map.scenario_needs = needs.readable if needs is not None else None


def end(session) -> None:
    session.stack_map.scenario_needs = None
