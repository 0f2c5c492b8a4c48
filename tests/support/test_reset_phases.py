"""The reset phases continue from where the run left off, and a reset that starts over forgets what
the run knew of the old state (support/reset/phases.py, support/reset/state.py)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from support.reset import phases
from support.reset.state import ResetState


@pytest.fixture
def ran(monkeypatch) -> list[int]:
    """Three recording phases in place of the runbook's seven."""
    done: list[int] = []
    monkeypatch.setattr(phases, "PHASES", tuple((f"fase {n}", lambda s, n=n: done.append(n)) for n in (1, 2, 3)))
    return done


def _session() -> SimpleNamespace:
    return SimpleNamespace(reset_state=ResetState())


def test_reach_continues_from_the_last_phase_done(ran):
    session = _session()
    phases.reach(session, 2)
    phases.reach(session, 3)
    phases.reach(session, 3)
    assert ran == [1, 2, 3] and session.reset_state.phase == 3


def test_a_stack_past_the_phase_or_outside_the_sequence_starts_over_and_forgets(ran):
    session = _session()
    phases.reach(session, 3)
    state = session.reset_state
    state.offers_bought.add(7)
    state.categories, state.imported_under = [{"categoryId": "15"}], {"enabled": True}
    phases.reach(session, 2)
    assert ran == [1, 2, 3, 1, 2]
    assert (state.phase, state.offers_bought, state.categories, state.imported_under) == (2, set(), None, None)
    phases.mark(session, None)
    phases.reach(session, 1)
    assert ran == [1, 2, 3, 1, 2, 1] and state.phase == 1


def test_at_least_keeps_a_later_phase(ran):
    session = _session()
    phases.reach(session, 3)
    phases.at_least(session, 2)
    assert ran == [1, 2, 3] and session.reset_state.phase == 3


@pytest.mark.parametrize(("trades", "resets"), [(0, 1), (2, 2)])
def test_after_the_full_reset_the_reset_starts_over_only_when_the_importer_holds_trades(monkeypatch, trades, resets):
    """`snapshots_after_full_reset` (the export_policy scenarios' Given): the runbook checks the policy right
    after its reset, so trades made since (an offer bought stays at the importer, disabled, after an import
    that no longer brings it) make the whole reset run again; without trades the run's reset is kept."""
    done: list[int] = []
    monkeypatch.setattr(phases, "PHASES", tuple((f"fase {n}", lambda s, n=n: done.append(n))
                                                for n in range(1, phases.FULL_RESET + 1)))
    monkeypatch.setattr(phases.queries, "category_snapshot", lambda s: [{"categoryId": "15"}])
    monkeypatch.setattr(phases.queries, "entity_snapshot", lambda s: [{"entityId": "1"}])
    counts = iter([trades])
    monkeypatch.setattr(phases.wl_sql, "importer_trade_count", lambda s: next(counts))
    session = _session()
    phases.snapshots_after_full_reset(session)  # the run's first full reset: no trade count asked
    phases.snapshots_after_full_reset(session)
    assert done == list(range(1, phases.FULL_RESET + 1)) * resets
    assert session.reset_state.phase == phases.FULL_RESET
