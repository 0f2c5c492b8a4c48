"""How an export_policy reaches the exporter: pulled by the exporter from the CP (its cp_relationship_cache
refreshed by its own poller), or written there by the runbook's UPDATE (passo 5).

`support.reset.runbook_steps.apply_policy_at_exporter` reports which path it took ("poll" or "sql"). A
profile with XPORY_POLICY_WAIT_SECONDS > 0 says its exporter pulls policies by itself within that time,
so there the path is a claim a scenario can check; with 0 (staging: the runbook always applies its
UPDATE) propagation cannot be proven and the scenario says so.
"""
from __future__ import annotations

from . import queries, wl_sql
from .session import Session
from .wait import until


def propagation_provable(session: Session) -> str | None:
    """None when this profile's exporter is expected to pull policies by itself; else why not provable."""
    if session.config.policy_wait_seconds > 0:
        return None
    return ("o perfil aplica direto o UPDATE do runbook no cache do exportador (XPORY_POLICY_WAIT_SECONDS=0): "
            "a chegada da export_policy pelo CP não é provada aqui")


def exporter_clock(session: Session):
    return queries.database_now(session.db.exporter)


def wait_next_pull(session: Session, since) -> None:
    """Until the exporter has pulled its exporter → importer relationship from the CP again after `since`
    (its cache row's fetch time, exporter database clock), within XPORY_RELATIONSHIP_PULL_TIMEOUT_SECONDS."""
    until(lambda: wl_sql.relationship_pulled_at(session), lambda at: at is not None and at > since,
          timeout=session.config.relationship_pull_timeout_seconds, interval=0.1, max_interval=1.0,
          describe="o exportador puxar de novo o relacionamento do CP")
