"""Peer tokens made ahead of their scenario, so the waits for their expiry overlap (as support/hold_ahead.py
does for holds).

A scenario that lets a peer token expire (its step is marked `@waits_for_token_expiry`) waits the token's whole
validity: 3 s on the embedded sandbox, 300 s on staging. As soon as a scenario's Background has made the
environment (the first scenario of the feature, support/ahead.py), the suite does, for each later expiring
scenario of the feature that this run executes and does not skip, what that scenario's own first two steps
would do, with the stack map answering what that scenario may read: it mints a peer token with the scopes
that scenario names and sends that scenario's control call while the token is valid (the same call, the
same 200 check). The later scenario
then takes that token and finds its control call done (a control that failed ahead fails there, in the
scenario it belongs to), so its expiry wait is only what is left of the validity. Nothing else changes: the
same token, the same calls, the same refusal check.

The token is used only while the environment is the one it was made in (no reset and no new import since: the
reset state's import marker is the same object); otherwise the scenario mints its own, as it would without this.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import security, token_misuse
from .ahead import acting_for, argument, later_marked
from .ahead import key as _key

MARK = "_xpory_waits_for_token_expiry"


def waits_for_token_expiry(func):
    """Mark a step definition as the wait for a peer token's expiry (its scenario's token is made ahead)."""
    setattr(func, MARK, True)
    return func


@dataclass
class Ahead:
    token: str
    scopes: tuple[str, ...]
    call: str
    failure: AssertionError | None
    imported_under: object
    phase: int | None


def _valid(session, made: Ahead) -> bool:
    state = session.reset_state
    return state.imported_under is made.imported_under and state.phase == made.phase


def prepare(context, given_step, when_step) -> list[str]:
    """For the later expiring scenarios of this feature (once each): a token with the scopes of their
    `given_step` and the control call of their `when_step`, made now. Returns their names."""
    session, store, made = context.session, context.session.tokens_ahead, []
    for scenario in later_marked(context, MARK):
        key = _key(scenario)
        scopes = argument(context, scenario, given_step, "escopos")
        call = argument(context, scenario, when_step, "chamada")
        if scopes is None or call is None or (key in store and _valid(session, store[key])):
            continue
        with acting_for(context, scenario):
            token = security.real_peer_token(session, scopes)
            failure = None
            try:
                token_misuse.served_while_valid(session, token, token_misuse.expiry_call(session, call, token), call)
            except AssertionError as exc:  # belongs to that scenario: raised there, in its control step
                failure = exc
        state = session.reset_state
        store[key] = Ahead(token, tuple(scopes), call, failure, state.imported_under, state.phase)
        made.append(scenario.name)
    if made:
        print("Peer tokens emitidos antes do cenário, para a espera da validade correr junto com os anteriores: "
              + ", ".join(made))
    return made


def take_token(context, scopes) -> str | None:
    """The token made ahead for the current scenario with these scopes (None: none, or the environment changed)."""
    made = context.session.tokens_ahead.get(_key(context.scenario))
    if made is None or made.scopes != tuple(scopes) or not _valid(context.session, made):
        return None
    return made.token


def control_done(context, token: str, call: str) -> bool:
    """Whether the current scenario's control call with `token` was already sent ahead (once); a control that
    failed ahead is raised now."""
    store = context.session.tokens_ahead
    made = store.get(_key(context.scenario))
    if made is None or made.token != token or made.call != call:
        return False
    del store[_key(context.scenario)]
    if made.failure is not None:
        raise made.failure
    return True
