"""Peer tokens made ahead of the scenario that lets them expire: minted with that scenario's scopes and its
control call sent while valid, once per later expiring scenario the run executes; handed to that scenario only
(its token, then its control, once); a control that failed ahead fails in its own scenario; dropped when the
environment changed since (a reset or a new import)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from support import token_ahead
from support.reset.state import ResetState


def given_step(context, escopos):
    pass


def when_step(context, chamada):
    pass


@token_ahead.waits_for_token_expiry
def expiry_step(context):
    pass


def _step(func, **arguments):
    return SimpleNamespace(func=func, arguments=[SimpleNamespace(name=k, value=v) for k, v in arguments.items()])


def _scenario(line, *steps, runs=True):
    return SimpleNamespace(filename="features/seguranca.feature", line=line, name=f"cenário {line}",
                           steps=list(steps), should_run=lambda config: runs)


def _expiring(line, scopes, call, runs=True):
    return _scenario(line, _step(given_step, escopos=scopes), _step(when_step, chamada=call), _step(expiry_step),
                     runs=runs)


def _context(current, scenarios, session):
    registry = SimpleNamespace(find_match=lambda step: step)
    return SimpleNamespace(scenario=current, feature=SimpleNamespace(walk_scenarios=lambda: iter(scenarios)),
                           config=None, _runner=SimpleNamespace(step_registry=registry), session=session)


def _session():
    return SimpleNamespace(reset_state=ResetState(phase=3, imported_under={"import": 1}), tokens_ahead={})


@pytest.fixture
def calls(monkeypatch):
    made = []
    minted = iter(["token-1", "token-2", "token-3"])
    monkeypatch.setattr(token_ahead.security, "real_peer_token", lambda s, scopes: next(minted))
    monkeypatch.setattr(token_ahead.token_misuse, "expiry_call", lambda s, call, token: (call, token))

    def served(session, token, call, what):
        made.append(call)
        if what == "falha":
            raise AssertionError("o token venceu antes da chamada de controle")

    monkeypatch.setattr(token_ahead.token_misuse, "served_while_valid", served)
    return made


def test_only_later_expiring_scenarios_that_run_get_a_token_and_their_control_call(calls):
    scopes = ("offers:sync", "trader:purchase")
    first, second = _expiring(1, scopes, "listar"), _expiring(2, scopes, "importar")
    skipped, plain = _expiring(3, scopes, "listar", runs=False), _scenario(4, _step(given_step, escopos=scopes))
    scenarios, session = [first, second, skipped, plain], _session()
    context = _context(first, scenarios, session)
    assert token_ahead.prepare(context, given_step, when_step) == ["cenário 2"]
    assert token_ahead.prepare(context, given_step, when_step) == []  # once per scenario
    assert calls == [("importar", "token-1")]
    assert token_ahead.take_token(context, scopes) is None  # not the current scenario's
    later = _context(second, scenarios, session)
    assert token_ahead.take_token(later, ("offers:sync",)) is None  # other scopes: it mints its own
    assert token_ahead.take_token(later, scopes) == "token-1"
    assert token_ahead.control_done(later, "token-1", "listar") is False  # another call: it sends its own
    assert token_ahead.control_done(later, "token-1", "importar") is True
    assert token_ahead.control_done(later, "token-1", "importar") is False  # handed once


def test_a_control_that_failed_ahead_fails_in_its_own_scenario(calls):
    scopes = ("offers:sync",)
    first, second = _expiring(1, scopes, "listar"), _expiring(2, scopes, "falha")
    session = _session()
    assert token_ahead.prepare(_context(first, [first, second], session), given_step, when_step) == ["cenário 2"]
    with pytest.raises(AssertionError, match="venceu antes da chamada de controle"):
        token_ahead.control_done(_context(second, [first, second], session), "token-1", "falha")


def test_after_a_reset_or_a_new_import_the_scenario_mints_its_own(calls):
    scopes = ("offers:sync",)
    first, second = _expiring(1, scopes, "listar"), _expiring(2, scopes, "importar")
    session = _session()
    token_ahead.prepare(_context(first, [first, second], session), given_step, when_step)
    session.reset_state.imported_under = {"import": 2}
    assert token_ahead.take_token(_context(second, [first, second], session), scopes) is None
