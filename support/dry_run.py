"""`behave --dry-run` says only true things about Scenario Outlines.

behave 1.3's `ScenarioOutline.compute_status` answers "passed" when none of its scenarios ran (every
one "untested", as in a dry run). A feature whose outline comes before a plain scenario then sees a
"passed" item followed by an "untested" one, takes it for an aborted run and reports the feature as
failed: `behave --dry-run` printed "1 feature failed" (exit code 0) for features with nothing wrong.
Here an outline whose scenarios are all untested is itself untested, so the dry run reports every
feature as untested; every other status is behave's own. Installed by environment.py (behave loads it
in dry runs too, without running its hooks).
"""
from __future__ import annotations

from behave.model import ScenarioOutline, Status

_behave_compute_status = ScenarioOutline.compute_status


def _compute_status(self):
    scenarios = self._scenarios  # built ones only, as behave's own method (never builds them here)
    if scenarios and all(scenario.status == Status.untested for scenario in scenarios):
        return Status.untested
    return _behave_compute_status(self)


def install() -> None:
    ScenarioOutline.compute_status = _compute_status
