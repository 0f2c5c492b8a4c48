"""Work done ahead of a later scenario of the same feature, so its imposed wait (a hold's TTL, a peer token's
validity) overlaps the scenarios before it: which later scenarios are marked as waiting, and what their steps
say. Used by support/hold_ahead.py and support/token_ahead.py."""
from __future__ import annotations

import sys
from contextlib import contextmanager

from .readiness import plan as readiness

# Work a step module asks to be done ahead, once the environment of a feature is ready: each preparer is
# called after the Background of every scenario (it acts only when its feature has later scenarios to
# prepare for, and only once for each).
_AFTER_BACKGROUND: list = []


def after_background(preparer):
    """Register `preparer(context)`: called after each scenario's Background (see `run_after_background`)."""
    _AFTER_BACKGROUND.append(preparer)
    return preparer


def run_after_background(context, step) -> None:
    """After the last step of a scenario's Background, when it passed: every registered preparer. Work done
    for a later scenario never fails this one: a preparer that raises is reported and the later scenario
    then does its own work, as without it."""
    background = getattr(context.scenario, "background_steps", None) or []
    if not background or step is not background[-1] or step.status != "passed":
        return
    for preparer in _AFTER_BACKGROUND:
        try:
            preparer(context)
        except Exception as exc:  # that later scenario does it itself
            print(f"Trabalho adiantado não feito ({type(exc).__name__}: {str(exc)[:200]}); "
                  "o cenário que o usaria o fará na hora.", file=sys.stderr)


@contextmanager
def acting_for(context, scenario):
    """While work is done now for a later `scenario`, the stack map answers what that scenario may read."""
    m = context.session.stack_map
    before = m.scenario_needs
    readiness.begin(context.session, scenario)
    try:
        yield
    finally:
        m.scenario_needs = before


def key(scenario) -> tuple[str, int]:
    return (str(scenario.filename), int(scenario.line))


def marked(context, scenario, mark: str) -> bool:
    """Whether one of `scenario`'s steps is a step definition marked `mark`."""
    return any(getattr(match.func, mark, False) for match in _matches(context, scenario))


def later_marked(context, mark: str) -> list:
    """The scenarios after the current one, in its feature, that this run executes and that have a step
    marked `mark`."""
    scenarios = list(context.feature.walk_scenarios())
    current = key(context.scenario)
    keys = [key(s) for s in scenarios]
    after = scenarios[keys.index(current) + 1:] if current in keys else []
    return [s for s in after if s.should_run(context.config) and marked(context, s, mark)
            and readiness.skip_reason(context.session, s) is None]  # a scenario skipped as not proven: nothing


def argument(context, scenario, func, name: str):
    """The typed value of parameter `name` in `scenario`'s step whose definition is `func` (None: no such step)."""
    for match in _matches(context, scenario):
        if match.func is func or getattr(match.func, "__wrapped__", None) is func:
            return next((a.value for a in match.arguments if a.name == name), None)
    return None


def _matches(context, scenario):
    registry = context._runner.step_registry
    for step in scenario.steps:
        match = registry.find_match(step)
        if match is not None:
            yield match
