"""Read-only queries on the stack (SQL and HTTP GETs) that the reset and its checks read back: row
counts, the exporter's cached policy and export total, the CP snapshots, users, the buyer's rows."""
from __future__ import annotations

import json
from collections.abc import Callable

import httpx

from . import wl_shapes, wl_sql
from .database import Database
from .expect import expect
from .reset.tables import CP_TABLES, EXPORTER_TABLE_ENTRIES, EXPORTER_TABLES, IMPORTER_TABLE_ENTRIES, IMPORTER_TABLES
from .session import Session


def present_tables(db: Database, tables: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the tables of `tables` that exist in `db`, those that do not), each in the given order."""
    rows = db.rows("SELECT t AS name, to_regclass(t) IS NOT NULL AS present FROM unnest(%s::text[]) "
                   "WITH ORDINALITY AS u(t, n) ORDER BY n", (list(tables),))
    return (tuple(r["name"] for r in rows if r["present"]), tuple(r["name"] for r in rows if not r["present"]))


def cp_row_counts(session: Session, tables: tuple[str, ...] = CP_TABLES) -> dict[str, int]:
    """Row count of each of `tables` that the CP has (a CP older than a table's migration lacks it)."""
    present, _ = present_tables(session.db.cp, tables)
    return session.db.cp.counts(present)


def wl_row_counts(session: Session) -> dict[str, dict[str, int]]:
    session.stack_map.require(*EXPORTER_TABLE_ENTRIES, *IMPORTER_TABLE_ENTRIES)
    return {"wl-01": session.db.exporter.counts(EXPORTER_TABLES), "wl-03": session.db.importer.counts(IMPORTER_TABLES)}


# --- the CP snapshots (runbook step 4, read back) ---------------------------------------------------
def all_pages(session: Session, fetch: Callable[..., httpx.Response], what: str, page: int = 1000) -> list[dict]:
    items: list[dict] = []
    offset = 0
    while True:
        body = expect(fetch(limit=page, offset=offset), 200, session, what)
        batch = body.get("items", [])
        items.extend(batch)
        offset += len(batch)
        if not batch or offset >= body.get("count", 0):
            return items


def category_snapshot(session: Session) -> list[dict]:
    wl = session.config.exporter_wl_id
    return all_pages(session, lambda **p: session.cp_admin.categories(wl, **p), "listar categorias")


def entity_snapshot(session: Session) -> list[dict]:
    wl = session.config.exporter_wl_id
    return all_pages(session, lambda **p: session.cp_admin.entities(wl, **p), "listar entidades")


# --- the export_policy at the exporter (runbook step 5, read back) ------------------------------------
# the names of the runbook's UPDATE (passo 5), used verbatim
RUNBOOK_CACHE_UPDATE = ("wl.exporter.cp_relationship_cache.table", "wl.exporter.cp_relationship_cache.export_policy",
                        "wl.exporter.cp_relationship_cache.source_white_label_id",
                        "wl.exporter.cp_relationship_cache.target_white_label_id")


def cached_policy(session: Session) -> dict | None:
    """The export_policy the exporter's cp_relationship_cache holds for exporter → importer."""
    c = session.config
    session.stack_map.require(*RUNBOOK_CACHE_UPDATE)
    raw = session.db.exporter.scalar(
        "SELECT export_policy FROM cp_relationship_cache WHERE source_white_label_id=%s AND target_white_label_id=%s",
        (c.exporter_wl_id, c.importer_wl_id))
    if raw in (None, ""):
        return None
    return json.loads(raw) if isinstance(raw, str) else raw


def exporter_total(session: Session, *, broad: bool = False) -> int:
    """The exporter's export total to the profile's importer (`broad`: with no importer, no policy)."""
    return wl_shapes.export_total(session, None if broad else session.config.importer_wl_id)


# --- the import (runbook step 6, read back) -----------------------------------------------------------
# the names of the runbook's query (passo 7), used verbatim
RUNBOOK_BUYABLE = ("wl.importer.imported_offer.table", "wl.importer.imported_offer.offer_id",
                   "wl.importer.imported_offer.eligible", "wl.importer.imported_offer.lifecycle_status",
                   "wl.importer.imported_offer.offers_available")


def buyable_offer_ids(session: Session, limit: int = 20) -> list[int]:
    """The runbook's query of imported offers that can be bought."""
    session.stack_map.require(*RUNBOOK_BUYABLE)
    rows = session.db.importer.rows(
        "SELECT offer_id FROM imported_offer WHERE eligible=true AND lifecycle_status='ENABLED' "
        "AND COALESCE(offers_available,0) > 0 ORDER BY offer_id LIMIT %s", (limit,))
    return [int(r["offer_id"]) for r in rows]


def imported_in_category(session: Session, category: str) -> list[int]:
    """Imported offers (storefront ids) whose origin offer at the exporter is in `category`."""
    imported = wl_sql.imported_offers(session)
    if not imported:
        return []
    origin_to_local = {offer.origin_offer_id: offer.offer_id for offer in imported}
    hits = wl_sql.catalogue_offers(session, list(origin_to_local))
    return sorted(origin_to_local[offer.id] for offer in hits if offer.category == category)


# --- what the cleanup scenarios compare before and after ----------------------------------------------
def database_now(db):
    """The database server's clock (to compare with its own timestamps)."""
    return db.scalar("SELECT now() AS now")


def users_created_before(session: Session, instant) -> list[str]:
    return [r["email"] for r in session.db.cp.rows("SELECT email FROM cp_users WHERE date_created < %s",
                                                   (instant,))]


def users_by_role(session: Session) -> dict[str, dict]:
    rows = session.db.cp.rows("SELECT id, email, role, status, date_created FROM cp_users")
    return {row["role"]: row for row in rows}


# the names of the runbook's statements on the buyer (passo 7), used verbatim
RUNBOOK_BUYER = ("wl.importer.account_privileges.table", "wl.importer.account_privileges.id",
                 "wl.importer.account_privileges.account_id", "wl.importer.account_privileges.buy_offer",
                 "wl.importer.xbalance.table", "wl.importer.xbalance.id", "wl.importer.xbalance.value")


def buyer_rows(session: Session) -> dict:
    """The bulk buyer's privilege rows and X$ balance row (runbook step 7 tables)."""
    c = session.config
    session.stack_map.require(*RUNBOOK_BUYER)
    privileges = session.db.importer.rows(
        "SELECT id, buy_offer FROM account_privileges WHERE account_id=%s ORDER BY id", (c.buyer_account_id,))
    balance = session.db.importer.rows("SELECT id, value FROM xbalance WHERE id=%s", (c.buyer_xbalance_id,))
    return {"account_privileges": privileges, "xbalance": balance}


def stale_cache_rows(session: Session, since) -> dict[str, int]:
    """Cache rows in either WL fetched before `since` (a WL may re-pull fresh rows at any time)."""
    return wl_sql.stale_cache_rows(session, since)
