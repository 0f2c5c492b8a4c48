"""Reads of the WLs' offer data: the exporter's export (HTTP) and, by SQL, its catalogue and the
importer's imported offers, all with the stack map's names (support.wl_shapes, support.wl_sql)."""
from __future__ import annotations

from . import wl_shapes, wl_sql
from .export_policy import matches
from .session import Session
from .wl_shapes import ExportedOffer


def export_items(session: Session, importer_id: str | None) -> tuple[int, list[ExportedOffer]]:
    """Every offer the exporter exports (to `importer_id`, or broadly when None), with its total."""
    return wl_shapes.export_items(session, importer_id)


def exporter_offers(session: Session, ids: list[int] | None = None) -> list[ExportedOffer]:
    """The exporter's catalogue (every offer, active or not)."""
    return wl_sql.catalogue_offers(session, ids)


def imported_rows(session: Session) -> list[wl_sql.ImportedOffer]:
    return wl_sql.imported_offers(session)


def imported_violations(session: Session, policy: dict | None) -> list[dict]:
    """Imported offers whose origin offer is inactive or outside `policy` at the exporter."""
    rows = imported_rows(session)
    if not rows:
        return []
    origin = {r.origin_offer_id: r for r in rows}
    catalogue = {o.id: o for o in exporter_offers(session, list(origin))}
    bad = []
    for origin_id, row in origin.items():
        offer = catalogue.get(origin_id)
        if offer is None or not offer.active or not matches(policy, offer):
            bad.append({"importada": row.offer_id, "origem": origin_id, "no_catalogo": offer})
    return bad
