"""The exporter's offer export and its export_policy filter (contract wl.md §3.1-§3.2).

Rules, applied to active offers only:
  (1) policy absent, not a JSON object, invalid, or `enabled: false` => no filter (broad export);
  (2) entity_blocklist beats entity_allowlist; (3) empty/null lists do not restrict;
  (4) exclude_categories always removes; (5) price_min/price_max inclusive;
  (6) min_created_at (ISO-8601 UTC ending in Z) inclusive; (7) include_domestic / include_under_budget
  only when defined (false => drop offers carrying that flag); (8) include_categories AND entity_allowlist.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from starlette.requests import Request

from .db import iso, money
from .errors import ApiError, JSONResponse, int_param

MAX_LIMIT = 1000
DEFAULT_LIMIT = 500


class InvalidPolicy(ValueError):
    pass


@dataclass(frozen=True)
class ExportPolicy:
    min_created_at: dt.datetime | None = None
    include_categories: frozenset | None = None
    exclude_categories: frozenset = frozenset()
    entity_allowlist: frozenset | None = None
    entity_blocklist: frozenset = frozenset()
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    include_domestic: bool | None = None
    include_under_budget: bool | None = None

    def allows(self, offer: dict) -> bool:
        if not offer.get("active"):
            return False
        category = str(offer.get("category_id"))
        entity = str(offer.get("entity_id"))
        if category in self.exclude_categories:
            return False
        if self.include_categories and category not in self.include_categories:
            return False
        if entity in self.entity_blocklist:
            return False
        if self.entity_allowlist and entity not in self.entity_allowlist:
            return False
        price = Decimal(offer["price"])
        if self.price_min is not None and price < self.price_min:
            return False
        if self.price_max is not None and price > self.price_max:
            return False
        if self.min_created_at is not None:
            created = offer["created_at"]
            if created.tzinfo is None:
                created = created.replace(tzinfo=dt.UTC)
            if created < self.min_created_at:
                return False
        if self.include_domestic is False and offer.get("domestic"):
            return False
        if self.include_under_budget is False and offer.get("under_budget"):
            return False
        return True


def _ids(policy: dict, key: str) -> frozenset | None:
    value = policy.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise InvalidPolicy(f"{key} must be an array of non-blank strings")
    return frozenset(v.strip() for v in value)


def _decimal(policy: dict, *keys: str) -> Decimal | None:
    for key in keys:
        if policy.get(key) is not None:
            value = policy[key]
            if isinstance(value, bool):
                raise InvalidPolicy(f"{key} must be numeric")
            try:
                return Decimal(str(value))
            except InvalidOperation:
                raise InvalidPolicy(f"{key} must be numeric") from None
    return None


def _bool(policy: dict, key: str) -> bool | None:
    value = policy.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise InvalidPolicy(f"{key} must be a boolean")
    return value


def parse_policy(raw) -> ExportPolicy | None:
    """The active filter of an export_policy (JSON text or dict); None = broad export.
    Raises InvalidPolicy for an invalid policy (callers then fall back to the broad export)."""
    if raw is None:
        return None
    if isinstance(raw, str):
        if not raw.strip():
            return None
        try:
            raw = json.loads(raw)
        except ValueError:
            raise InvalidPolicy("export_policy is not JSON") from None
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise InvalidPolicy("export_policy is not a JSON object")
    enabled = _bool(raw, "enabled")
    created = raw.get("min_created_at", raw.get("minCreatedAt"))
    min_created = None
    if created is not None:
        if not isinstance(created, str) or not created.endswith("Z"):
            raise InvalidPolicy("min_created_at must be an ISO-8601 UTC instant ending in Z")
        try:
            min_created = dt.datetime.fromisoformat(created[:-1] + "+00:00")
        except ValueError:
            raise InvalidPolicy("min_created_at is not an ISO-8601 instant") from None
    policy = ExportPolicy(
        min_created_at=min_created,
        include_categories=_ids(raw, "include_categories"),
        exclude_categories=_ids(raw, "exclude_categories") or frozenset(),
        entity_allowlist=_ids(raw, "entity_allowlist"),
        entity_blocklist=_ids(raw, "entity_blocklist") or frozenset(),
        price_min=_decimal(raw, "price_min", "priceMin"),
        price_max=_decimal(raw, "price_max", "priceMax"),
        include_domestic=_bool(raw, "include_domestic"),
        include_under_budget=_bool(raw, "include_under_budget"),
    )
    if policy.price_min is not None and policy.price_max is not None and policy.price_min > policy.price_max:
        raise InvalidPolicy("price_min > price_max")
    if enabled is False:
        return None
    return policy


def effective_policy(db, exporter_id: str, importer_id: str | None) -> tuple[ExportPolicy | None, str]:
    """(filter, note) for the relationship exporter -> importer from cp_relationship_cache."""
    if not importer_id:
        return None, "no importerWlId: broad export"
    row = db.one("SELECT export_policy FROM cp_relationship_cache WHERE source_white_label_id=%s"
                 " AND target_white_label_id=%s", (exporter_id, importer_id))
    if row is None or row["export_policy"] is None:
        return None, "no export_policy cached: broad export"
    try:
        policy = parse_policy(row["export_policy"])
    except InvalidPolicy as exc:
        return None, f"invalid export_policy ({exc}): broad export"
    return policy, "export_policy applied" if policy else "export_policy disabled: broad export"


OFFER_SQL = (
    "SELECT o.id, o.title, o.description, o.image_url, o.category_id, c.name AS category_name, o.entity_id,"
    " e.name AS entity_name, o.created_at, o.updated_at, o.price, o.stock, o.active, o.domestic, o.under_budget"
    " FROM offer o JOIN offer_category c ON c.id = o.category_id JOIN entity e ON e.id = o.entity_id"
    " WHERE o.active ORDER BY o.id"
)


def exportable(db, exporter_id: str, importer_id: str | None) -> tuple[list[dict], ExportPolicy | None, str]:
    policy, note = effective_policy(db, exporter_id, importer_id)
    offers = db.all(OFFER_SQL)
    if policy is not None:
        offers = [o for o in offers if policy.allows(o)]
    return offers, policy, note


def item(offer: dict) -> dict:
    return {
        "id": offer["id"],
        "title": offer["title"],
        "description": offer["description"],
        "imageUrl": offer["image_url"],
        "categoryId": offer["category_id"],
        "categoryName": offer["category_name"],
        "entityId": offer["entity_id"],
        "entityName": offer["entity_name"],
        "createdAt": iso(offer["created_at"]),
        "updatedAt": iso(offer["updated_at"]),
        "price": money(offer["price"]),
        "stock": offer["stock"],
        "active": offer["active"],
        "domestic": offer["domestic"],
        "underBudget": offer["under_budget"],
    }


def export_offers(request: Request):
    """GET /api/v2/control-plane/export/offers?importerWlId=&limit=&offset= (no auth, as in the runbook)."""
    state = request.app.state.wl
    q = request.query_params
    limit = int_param(q.get("limit"), "limit", minimum=1, maximum=MAX_LIMIT, default=DEFAULT_LIMIT)
    offset = int_param(q.get("offset"), "offset", minimum=0, default=0)
    importer = (q.get("importerWlId") or q.get("importer_wl_id") or "").strip() or None
    if importer is not None and len(importer) > 64:
        raise ApiError(400, "importerWlId is too long")
    offers, policy, note = exportable(state.db, state.cfg.wl_id, importer)
    page = offers[offset:offset + limit]
    if importer and page:
        state.db.run(
            "INSERT INTO offer_export_index (importer_wl_id, offer_id, policy_applied, last_exported_at)"
            " SELECT %s, unnest(%s::bigint[]), %s, now()"
            " ON CONFLICT (importer_wl_id, offer_id) DO UPDATE SET last_exported_at = now(),"
            " policy_applied = EXCLUDED.policy_applied",
            (importer, [o["id"] for o in page], policy is not None))
    return JSONResponse({
        "total": len(offers),
        "count": len(page),
        "limit": limit,
        "offset": offset,
        "exporterWlId": state.cfg.wl_id,
        "importerWlId": importer,
        "policyApplied": policy is not None,
        "policyNote": note,
        "items": [item(o) for o in page],
    })
