"""The reset as ordered phases, so each scenario's "Dado" brings the stack to the state it needs.

How far the reset went lives in `session.reset_state` (`support.reset.state.ResetState`): a scenario
that needs phase N continues from where the run left off, or starts over from phase 1 when the stack
is already past N (or outside the sequence), so it never sees what a later phase added.
"""
from __future__ import annotations

from .. import queries, wl_sql
from ..expect import expect
from ..session import Session
from .runbook_steps import (
    BROAD_POLICY,
    activate_relationship,
    apply_policy_at_exporter,
    clean_cp,
    clean_wls,
    cp_export_policy,
    create_trader,
    debug_import,
    peer_token,
    put_export_policy,
    recreate_wl,
    restart_cp,
    set_visibility,
    sync_snapshots,
    wl_plans,
)


def _configure_wls(session: Session) -> None:
    exporter_plan, importer_plan = wl_plans(session)
    set_visibility(session, exporter_plan, importer_plan.wl_id)
    set_visibility(session, importer_plan, exporter_plan.wl_id)
    activate_relationship(session, exporter_plan.wl_id, importer_plan.wl_id)
    activate_relationship(session, importer_plan.wl_id, exporter_plan.wl_id)
    for plan in (exporter_plan, importer_plan):
        create_trader(session, plan)


def _set_broad_policy(session: Session) -> None:
    changed = cp_export_policy(session) != BROAD_POLICY
    put_export_policy(session, BROAD_POLICY)
    apply_policy_at_exporter(session, BROAD_POLICY, cp_changed=changed)


PHASES = (
    ("CP limpo e reiniciado", lambda s: (clean_cp(s), restart_cp(s))),
    ("WLs limpos", clean_wls),
    ("WLs recriados com ids fixos", lambda s: [recreate_wl(s, p) for p in wl_plans(s)]),
    ("visibilidade, relacionamentos e contas trader", _configure_wls),
    ("snapshots sincronizados", sync_snapshots),
    ("export_policy ampla aplicada no exportador", _set_broad_policy),
    ("ofertas importadas", lambda s: debug_import(s, peer_token(s))),
)
PHASE = {name: number for number, (name, _) in enumerate(PHASES, start=1)}
FULL_RESET = PHASE["ofertas importadas"]


def reach(session: Session, phase: int) -> None:
    """Bring the stack exactly to `phase`, continuing from where the run left off.

    The progress lives in `session.reset_state.phase`. When the stack is already past `phase` (or in a
    state outside this sequence: None), the reset starts over from phase 1, so a scenario never sees
    what a later phase added.
    """
    state = session.reset_state
    current = state.phase or 0
    if current == phase:
        return
    if current > phase:
        current = 0
    if current == 0:
        state.forget()  # a new reset: nothing known of the old state holds any more
    for number in range(current + 1, phase + 1):
        PHASES[number - 1][1](session)
        state.phase = number


def at_least(session: Session, phase: int) -> None:
    """Bring the stack to `phase` or keep it where it is when it is already past it (for steps whose
    claim also holds in the later phases, e.g. "the relationship is active")."""
    current = session.reset_state.phase
    if current is None or current < phase:
        reach(session, phase)


def mark(session: Session, phase: int | None) -> None:
    """Record that a step just did phase `phase` by hand (None: the stack is now outside the sequence)."""
    session.reset_state.phase = phase


def _full_reset_known(session: Session) -> bool:
    state = session.reset_state
    return state.phase == FULL_RESET and state.categories is not None


def _full_reset(session: Session) -> None:
    reach(session, FULL_RESET)
    state = session.reset_state
    state.categories = queries.category_snapshot(session)
    state.entities = queries.entity_snapshot(session)


def ensure_ready_environment(session: Session) -> tuple[list[dict], list[dict]]:
    """The state the trade features start from: the full reset done, the broad export_policy in force
    at the CP and at the exporter, and the last import made under it. A full reset runs only when the
    run has none yet (or a scenario left the stack outside the reset sequence); when only the policy
    moved (the export_policy feature, an edit in the Admin UI), the broad policy is put back and the
    import is redone. Returns the CP snapshots (categories, entities)."""
    if not _full_reset_known(session):
        _full_reset(session)
    elif not broad_policy_in_force(session):
        _set_broad_policy(session)
        debug_import(session, peer_token(session))
    state = session.reset_state
    return state.categories, state.entities


def snapshots_after_full_reset(session: Session) -> tuple[list[dict], list[dict]]:
    """The CP snapshots (categories, entities) read after the run's full reset, running the full reset
    when the run has none yet, or when the importer holds trades since it (the runbook checks the
    export_policy right after its reset: an offer bought since keeps its row at the importer, disabled,
    after an import that no longer brings it, so the stack is no longer what the reset left); unlike
    `ensure_ready_environment`, a policy a scenario set since is left in force (for scenarios that set
    their own)."""
    if _full_reset_known(session) and wl_sql.importer_trade_count(session):
        session.reset_state.phase = None  # the stack moved on since the reset: the reset starts over
    if not _full_reset_known(session):
        _full_reset(session)
    state = session.reset_state
    return state.categories, state.entities


def broad_policy_in_force(session: Session) -> bool:
    c = session.config
    relationship = expect(session.cp_admin.get_relationship(c.exporter_wl_id, c.importer_wl_id), 200, session,
                          "relacionamento exportador → importador")
    return (relationship.get("export_policy") == BROAD_POLICY and queries.cached_policy(session) == BROAD_POLICY
            and session.reset_state.imported_under == BROAD_POLICY)
