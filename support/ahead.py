"""Work done ahead of a later scenario of the same feature, so its imposed wait (a hold's TTL, a peer token's
validity) overlaps the scenarios before it: which later scenarios are marked as waiting, and what their steps
say. Used by support/hold_ahead.py and support/token_ahead.py."""
from __future__ import annotations


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
    return [s for s in after if s.should_run(context.config) and marked(context, s, mark)]


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
