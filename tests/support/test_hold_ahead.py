"""Holds made ahead of the scenario that lets them expire: made once for each later expiring scenario the
run executes, handed to that scenario only (its offer, then its hold), and dropped when the environment
changed since (a reset or a new import)."""
from __future__ import annotations

from types import SimpleNamespace

from support import hold_ahead
from support.reset.state import ResetState


def _step(func):
    return SimpleNamespace(func=func)


@hold_ahead.waits_for_hold_expiry
def expires(context):
    pass


def other(context):
    pass


def _scenario(line, *funcs, runs=True):
    return SimpleNamespace(filename="features/preflight.feature", line=line, name=f"cenário {line}",
                           steps=list(funcs), should_run=lambda config: runs)


def _context(current, scenarios, session):
    registry = SimpleNamespace(find_match=lambda step: _step(step))
    return SimpleNamespace(scenario=current, feature=SimpleNamespace(walk_scenarios=lambda: iter(scenarios)),
                           config=None, _runner=SimpleNamespace(step_registry=registry), session=session)


def _session():
    state = ResetState(phase=7, imported_under={"policy": 1})
    return SimpleNamespace(reset_state=state, holds_ahead={}, readiness=None, stack_map=None)


def test_only_later_scenarios_that_run_and_let_a_hold_expire_get_one(monkeypatch):
    made = []
    offers = iter(["oferta-a", "oferta-b"])
    monkeypatch.setattr(hold_ahead.preflight, "qa_offer", lambda s: next(offers))
    monkeypatch.setattr(hold_ahead.preflight, "make_hold", lambda s, offer: made.append(offer) or f"hold de {offer}")
    first, expiring, skipped, plain = (_scenario(1, other), _scenario(2, other, expires),
                                       _scenario(3, expires, runs=False), _scenario(4, other))
    session = _session()
    context = _context(first, [first, expiring, skipped, plain], session)
    assert hold_ahead.prepare(context) == ["cenário 2"]
    assert hold_ahead.prepare(context) == []  # once per scenario
    assert made == ["oferta-a"]
    assert hold_ahead.offer_for(context) is None  # not the current scenario's
    later = _context(expiring, [first, expiring, skipped, plain], session)
    assert hold_ahead.offer_for(later) == "oferta-a"
    assert hold_ahead.take_hold(later, "outra oferta") is None
    assert hold_ahead.take_hold(later, "oferta-a") == "hold de oferta-a"
    assert hold_ahead.take_hold(later, "oferta-a") is None  # handed once


def test_a_reset_or_a_new_import_since_drops_the_hold(monkeypatch):
    monkeypatch.setattr(hold_ahead.preflight, "qa_offer", lambda s: "oferta-a")
    monkeypatch.setattr(hold_ahead.preflight, "make_hold", lambda s, offer: "hold")
    first, expiring = _scenario(1, other), _scenario(2, expires)
    session = _session()
    hold_ahead.prepare(_context(first, [first, expiring], session))
    session.reset_state.imported_under = {"policy": 1}  # equal, but a new import
    later = _context(expiring, [first, expiring], session)
    assert hold_ahead.offer_for(later) is None and hold_ahead.take_hold(later, "oferta-a") is None
