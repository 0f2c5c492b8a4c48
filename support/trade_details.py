"""Checks of the CP's trade details: no placeholder where a value should be, and the right parties."""
from __future__ import annotations

from . import queries, wl_sql

PLACEHOLDERS = {"-", "—", "–", "", "N/A", "null", "None"}
REQUIRED = (("offerName",), ("importer", "clientName"), ("importer", "clientPhone"),
            ("exporter", "clientName"), ("exporter", "clientPhone"))


def placeholders(details: dict) -> list[str]:
    """The required fields (offer, buyer, seller) that are missing or hold a placeholder."""
    bad = []
    for path in REQUIRED:
        value = details
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if value is None or str(value).strip() in PLACEHOLDERS:
            bad.append(".".join(path) + f"={value!r}")
    return bad


def _name(value) -> str:
    return " ".join(str(value or "").split()).casefold()


def party_problems(details: dict, seller: str | None) -> list[str]:
    """Whether the details name the right parties: the seller (`exporter.clientName`) is `seller`, the name
    the CP's entity snapshot gives the entity that sells the bought offer (found by the suite, cp.md §6.1),
    and the buyer (`importer.clientName`) is someone else."""
    exporter, importer = details.get("exporter") or {}, details.get("importer") or {}
    out = []
    if seller is None:
        out.append("o snapshot de entidades do CP não tem a entidade da oferta comprada")
    elif _name(exporter.get("clientName")) != _name(seller):
        out.append(f"vendedor {exporter.get('clientName')!r}, mas a oferta comprada é da entidade {seller!r}")
    if _name(importer.get("clientName")) == _name(exporter.get("clientName")):
        out.append(f"comprador e vendedor com o mesmo nome {importer.get('clientName')!r}")
    return out


def seller_of(session, origin_offer_id: int) -> str | None:
    """The name of the entity selling the exporter's offer `origin_offer_id`: the offer's entity in the
    exporter's catalogue, named by the CP's entity snapshot (None when either does not know it)."""
    offers = wl_sql.catalogue_offers(session, [origin_offer_id])
    if not offers:
        return None
    names = {str(e.get("entityId")): e.get("name") for e in queries.entity_snapshot(session)}
    return names.get(offers[0].entity)
