"""Reads of the WLs' offer data: the exporter's export (HTTP) and, by SQL, its catalogue and the
importer's imported offers. The SQL uses the WL node's table names (`offer` at the exporter,
`imported_offer` at the importer); on another stack adjust only this module."""
from __future__ import annotations

from .expect import expect
from .export_policy import matches
from .session import Session


def export_items(session: Session, importer_id: str | None, page: int = 500) -> tuple[int, list[dict]]:
    """Every item the exporter exports (to `importer_id`, or broadly when None), paging by limit/offset."""
    items: list[dict] = []
    total = None
    while total is None or len(items) < total:
        body = expect(session.exporter.export_offers(importer_id, limit=page, offset=len(items)), 200, session,
                      "exportação de ofertas")
        total = int(body["total"])
        batch = body.get("items") or []
        if not batch:
            break
        items.extend(batch)
    return int(total or 0), items


def exporter_offers(session: Session, ids: list[int] | None = None) -> list[dict]:
    """The exporter's catalogue rows, shaped like export items."""
    sql = ('SELECT id, category_id AS "categoryId", entity_id AS "entityId", created_at AS "createdAt", '
           'price, stock, active FROM offer')
    if ids is None:
        return session.db.exporter.rows(sql)
    return session.db.exporter.rows(sql + " WHERE id = ANY(%s)", (ids,))


def imported_rows(session: Session) -> list[dict]:
    return session.db.importer.rows(
        "SELECT id, offer_id, origin_offer_id, eligible, lifecycle_status, offers_available, unit_price "
        "FROM imported_offer ORDER BY id")


def imported_violations(session: Session, policy: dict | None) -> list[dict]:
    """Imported offers whose origin offer is inactive or outside `policy` at the exporter."""
    rows = imported_rows(session)
    if not rows:
        return []
    origin = {int(r["origin_offer_id"]): r for r in rows}
    catalogue = {int(o["id"]): o for o in exporter_offers(session, list(origin))}
    bad = []
    for origin_id, row in origin.items():
        offer = catalogue.get(origin_id)
        if offer is None or not offer["active"] or not matches(policy, {**offer, "createdAt": offer["createdAt"].isoformat()}):
            bad.append({"imported": row["offer_id"], "origin": origin_id, "offer": offer})
    return bad
