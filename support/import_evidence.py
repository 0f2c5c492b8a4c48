"""Did a refused debug import import anything? Its row count alone cannot tell: an import of the offers
already there upserts the same rows, and the count stays.

So before the call the suite makes any import visible. With offers imported, it forces into the exporter's
cp_relationship_cache, by the runbook's own UPDATE (passo 5), an export_policy that lets nothing through: an
import would then remove (or, for offers with trades, disable) every imported offer. With nothing imported,
it checks that the exporter exports something: an import would add it. What is compared is every row of
imported_offer in the runbook's own columns (offer_id, eligible, lifecycle_status, offers_available). The
exporter's cache gets its policy back afterwards (the step registers the cleanup).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from . import queries
from .session import Session

NOTHING_EXPORTABLE = {"enabled": True, "min_created_at": "2000-01-01T00:00:00Z",
                      "include_categories": ["qa-categoria-inexistente"], "exclude_categories": [],
                      "entity_allowlist": [], "entity_blocklist": []}


@dataclass(frozen=True)
class ImportEvidence:
    rows: tuple          # imported_offer before the call, runbook columns, by offer_id
    exported: int        # what the exporter exports to the importer meanwhile
    restore: Callable[[], None]


def imported_state(session: Session) -> tuple:
    session.stack_map.require(*queries.RUNBOOK_BUYABLE)
    return tuple(tuple(r.values()) for r in session.db.importer.rows(
        "SELECT offer_id, eligible, lifecycle_status, offers_available FROM imported_offer ORDER BY offer_id"))


def _set_cached_policy(session: Session, text: str | None) -> int:
    c = session.config
    session.stack_map.require(*queries.RUNBOOK_CACHE_UPDATE)
    return session.db.destructive(
        session.db.exporter,
        "UPDATE cp_relationship_cache SET export_policy=%s WHERE source_white_label_id=%s AND target_white_label_id=%s",
        (text, c.exporter_wl_id, c.importer_wl_id))


def make_import_visible(session: Session) -> ImportEvidence:
    """Bring the stack to a state where any import changes imported_offer; returns what to compare with."""
    rows = imported_state(session)
    if not rows:
        exported = queries.exporter_total(session)
        if exported == 0:
            raise AssertionError("nada importado e o exportador não exporta nada: uma importação não mudaria nada")
        return ImportEvidence(rows, exported, lambda: None)
    previous = queries.cached_policy(session)
    if _set_cached_policy(session, json.dumps(NOTHING_EXPORTABLE, separators=(",", ":"))) != 1:
        raise AssertionError("o cache do exportador não tem o relacionamento exportador → importador")
    restore = lambda: _set_cached_policy(session, None if previous is None else json.dumps(previous))  # noqa: E731
    exported = queries.exporter_total(session)
    if exported != 0:
        restore()
        raise AssertionError(f"com a export_policy que nada deixa passar o exportador ainda exporta {exported}")
    return ImportEvidence(rows, exported, restore)


def changes(session: Session, evidence: ImportEvidence) -> list[str]:
    """How imported_offer differs from before the call ([] = no import happened)."""
    now = imported_state(session)
    if now == evidence.rows:
        return []
    before, after = {r[0]: r for r in evidence.rows}, {r[0]: r for r in now}
    gone, new = sorted(set(before) - set(after)), sorted(set(after) - set(before))
    changed = sorted(k for k in set(before) & set(after) if before[k] != after[k])
    return [f"{len(gone)} ofertas importadas sumiram", f"{len(new)} novas", f"{len(changed)} mudaram"]
