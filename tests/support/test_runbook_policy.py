"""How an export_policy reaches the exporter: its own poll, or the runbook's SQL override (which needs
the cache row the exporter writes on its first pull)."""
from types import SimpleNamespace

import pytest

from support import queries
from support.errors import StackError
from support.reset import runbook_steps

POLICY = {"enabled": True, "exclude_categories": ["15"]}


def _session(wait: float, pull: float):
    return SimpleNamespace(config=SimpleNamespace(policy_wait_seconds=wait, relationship_pull_timeout_seconds=pull))


def test_the_exporters_own_poll_is_used_when_it_arrives_in_time(monkeypatch):
    seen = iter([None, {"old": True}, POLICY])
    monkeypatch.setattr(queries, "cached_policy", lambda s: next(seen))
    monkeypatch.setattr(runbook_steps, "force_relationship_cache", lambda s, p: pytest.fail("no SQL override expected"))
    assert runbook_steps.apply_policy_at_exporter(_session(wait=5, pull=5), POLICY) == "poll"


def test_without_waiting_the_override_runs_once_the_exporter_has_pulled_the_row(monkeypatch):
    updated = iter([0, 0, 1])
    calls = []
    monkeypatch.setattr(runbook_steps, "force_relationship_cache", lambda s, p: calls.append(p) or next(updated))
    assert runbook_steps.apply_policy_at_exporter(_session(wait=0, pull=5), POLICY) == "sql"
    assert calls == [POLICY, POLICY, POLICY]


def test_a_row_that_never_appears_stops_with_the_setting_to_raise(monkeypatch):
    monkeypatch.setattr(runbook_steps, "force_relationship_cache", lambda s, p: 0)
    with pytest.raises(StackError, match="XPORY_RELATIONSHIP_PULL_TIMEOUT_SECONDS"):
        runbook_steps.apply_policy_at_exporter(_session(wait=0, pull=0.3), POLICY)
