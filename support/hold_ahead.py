"""Holds made ahead of their scenario, so the wait for a hold's expiry overlaps the scenarios before it.

A scenario that lets a hold expire (one of its steps is marked `@waits_for_hold_expiry`) waits the hold's
whole TTL: 2 s on the embedded sandbox, 90 s on staging. When an earlier scenario of the same feature
has its QA buyer ready (the Background of the preflight feature), the suite already makes the hold of
each later expiring scenario that this run will execute: it takes a fresh buyable offer for it (out of
the pool the other scenarios draw from, so no other scenario touches that offer) and asks the exporter
for a hold with a peer token minted just then, exactly as the scenario's own step would. The later
scenario then chooses that offer in its Background and finds that hold in its "reservou" step, so its
wait is only what is left of the TTL. Nothing else changes: the same preflight request, the same
checkout, the same checks.

The hold is used only while the environment is the one it was made in (no reset and no new import
since: the reset state's import marker is the same object); otherwise the scenario makes its own hold,
as it would without this.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import preflight
from .ahead import key as _key
from .ahead import later_marked
from .wl_shapes import Hold
from .wl_sql import ImportedOffer

MARK = "_xpory_waits_for_hold_expiry"


def waits_for_hold_expiry(func):
    """Mark a step definition as the wait for a hold's expiry (its scenario's hold is made ahead)."""
    setattr(func, MARK, True)
    return func


@dataclass
class Ahead:
    offer: ImportedOffer
    hold: Hold | None = None
    imported_under: object = None
    phase: int | None = None


def later_expiring_scenarios(context) -> list:
    """The scenarios after the current one, in its feature, that this run executes and that wait for a
    hold's expiry."""
    return later_marked(context, MARK)


def _store(session) -> dict:
    return session.holds_ahead


def _still_valid(session, ahead: Ahead) -> bool:
    state = session.reset_state
    return state.imported_under is ahead.imported_under and state.phase == ahead.phase


def prepare(context) -> list[str]:
    """Make now the holds of the later expiring scenarios of this feature (once per scenario); returns
    their names. Call it once the environment and the QA buyer are ready."""
    session, store, made = context.session, _store(context.session), []
    for scenario in later_expiring_scenarios(context):
        key = _key(scenario)
        if key in store and _still_valid(session, store[key]):
            continue
        offer = preflight.qa_offer(session)
        ahead = Ahead(offer, imported_under=session.reset_state.imported_under, phase=session.reset_state.phase)
        ahead.hold = preflight.make_hold(session, offer)
        store[key] = ahead
        made.append(scenario.name)
    if made:
        print(f"Reservas feitas antes do cenário, para a espera do TTL correr junto com os anteriores: {', '.join(made)}")
    return made


def offer_for(context) -> ImportedOffer | None:
    """The offer chosen ahead for the current scenario (None: none, or the environment changed since)."""
    ahead = _store(context.session).get(_key(context.scenario))
    if ahead is None or not _still_valid(context.session, ahead):
        return None
    return ahead.offer


def take_hold(context, offer: ImportedOffer) -> Hold | None:
    """The hold made ahead for the current scenario on `offer` (once; None when there is none)."""
    store = _store(context.session)
    ahead = store.get(_key(context.scenario))
    if ahead is None or ahead.offer != offer or not _still_valid(context.session, ahead):
        return None
    del store[_key(context.scenario)]
    return ahead.hold
