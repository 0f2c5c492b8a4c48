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
    return SimpleNamespace(reset_state=ResetState(phase=3, imported_under={"import": 1}), tokens_ahead={},
                           readiness=None, stack_map=SimpleNamespace(scenario_needs=frozenset({"da-cena-atual"})))


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


def test_from_the_first_scenario_of_the_feature_the_tokens_are_made_under_each_target_s_needs(calls, monkeypatch):
    """Made right after the feature's first Background (an unrelated scenario): each later expiring scenario's
    token and control call are made while the map answers that scenario's needs, then the map is put back;
    a later scenario the readiness skips as not proven gets nothing."""
    from support.readiness import plan as readiness

    scopes = ("offers:sync",)
    opening = _scenario(1, _step(given_step, escopos=scopes))
    first, unprovable, last = _expiring(5, scopes, "listar"), _expiring(6, scopes, "x"), _expiring(7, scopes, "importar")
    session = _session()
    seen = []
    monkeypatch.setattr(readiness, "skip_reason", lambda s, sc: "precisa de entradas" if sc is unprovable else None)
    monkeypatch.setattr(readiness, "begin", lambda s, sc: setattr(s.stack_map, "scenario_needs", f"de {sc.name}"))
    monkeypatch.setattr(token_ahead.security, "real_peer_token",
                        lambda s, sc: seen.append(s.stack_map.scenario_needs) or f"token-{len(seen)}")
    made = token_ahead.prepare(_context(opening, [opening, first, unprovable, last], session), given_step, when_step)
    assert made == ["cenário 5", "cenário 7"]
    assert seen == ["de cenário 5", "de cenário 7"]
    assert session.stack_map.scenario_needs == frozenset({"da-cena-atual"})  # the current scenario's again
    assert calls == [("listar", "token-1"), ("importar", "token-2")]


def test_work_ahead_runs_after_the_last_background_step_that_passed_and_never_fails_the_scenario(monkeypatch, capsys):
    from support import ahead

    done = []
    monkeypatch.setattr(ahead, "_AFTER_BACKGROUND", [lambda c: done.append("feito"), lambda c: 1 / 0])
    steps = [SimpleNamespace(status="passed"), SimpleNamespace(status="passed")]
    context = SimpleNamespace(scenario=SimpleNamespace(background_steps=steps))
    ahead.run_after_background(context, steps[0])  # not the last Background step
    ahead.run_after_background(context, SimpleNamespace(status="passed"))  # a scenario step
    assert done == []
    failed = SimpleNamespace(status="failed")
    ahead.run_after_background(SimpleNamespace(scenario=SimpleNamespace(background_steps=[failed])), failed)
    assert done == []
    ahead.run_after_background(context, steps[-1])
    assert done == ["feito"]  # the raising preparer is reported, not raised
    assert "ZeroDivisionError" in capsys.readouterr().err
