"""export_policy expectations derived from the stack itself, never from one day's numbers: one general
evaluator of any policy (`predict`) over the CP snapshots and the exporter's catalogue (its broad export:
every active offer, with category, entity, creation instant and price)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from .wl_shapes import ExportedOffer

FIELDS = ("enabled", "min_created_at", "include_categories", "exclude_categories", "entity_allowlist",
          "entity_blocklist", "price_min", "price_max")
BASE_INSTANT = "2000-01-01T00:00:00Z"  # the runbook's min_created_at: cuts nothing
LIST_FIELDS = ("include_categories", "exclude_categories", "entity_allowlist", "entity_blocklist")


def predicted_total(policy: dict | None, categories: list[dict], entities: list[dict]) -> int:
    """The active offers the exporter must export under `policy`, from the snapshots' counts.

    Supports what the snapshots can answer: no policy / disabled, include or exclude categories,
    entity allow- or blocklist (one dimension at a time; `min_created_at` must not cut anything).
    """
    by_category = {c["categoryId"]: int(c["activeCount"]) for c in categories}
    by_entity = {e["entityId"]: int(e["activeOffersCount"]) for e in entities}
    everything = sum(by_category.values())
    if not policy or policy.get("enabled") is False:
        return everything
    include = policy.get("include_categories") or []
    exclude = set(policy.get("exclude_categories") or [])
    allow = policy.get("entity_allowlist") or []
    block = set(policy.get("entity_blocklist") or [])
    dimensions = sum(bool(x) for x in ((include or exclude), (allow or block)))
    if dimensions > 1:
        raise ValueError("a previsão pelos snapshots cobre uma dimensão por vez (categorias OU entidades)")
    if include or exclude:
        chosen = set(include) if include else set(by_category)
        return sum(n for cid, n in by_category.items() if cid in chosen and cid not in exclude)
    if allow or block:
        chosen = set(allow) if allow else set(by_entity)
        return sum(n for eid, n in by_entity.items() if eid in chosen and eid not in block)
    return everything


def _instant(text: str) -> dt.datetime:
    """A policy's instant (ISO-8601 ending in Z: the contract's min_created_at)."""
    parsed = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def matches(policy: dict | None, offer: ExportedOffer) -> bool:
    """Whether an active offer passes the policy, by the contract's rules (wl.md §3.2): disabled ⇒
    everything; exclude beats include; blocklist beats allowlist; include ∧ allowlist; `min_created_at`
    inclusive; price bounds inclusive."""
    if not policy or policy.get("enabled") is False:
        return True
    category, entity = str(offer.category), str(offer.entity)
    include = policy.get("include_categories") or []
    if category in (policy.get("exclude_categories") or []):
        return False
    if include and category not in include:
        return False
    if entity in (policy.get("entity_blocklist") or []):
        return False
    allow = policy.get("entity_allowlist") or []
    if allow and entity not in allow:
        return False
    if policy.get("min_created_at") and _aware(offer.created_at) < _instant(policy["min_created_at"]):
        return False
    price = float(offer.price or 0)
    if policy.get("price_min") is not None and price < float(policy["price_min"]):
        return False
    if policy.get("price_max") is not None and price > float(policy["price_max"]):
        return False
    return True


def base_policy(**changes) -> dict:
    """An enabled policy that restricts nothing, with `changes` applied (lists of string ids)."""
    policy = {"enabled": True, "min_created_at": BASE_INSTANT, "include_categories": [],
              "exclude_categories": [], "entity_allowlist": [], "entity_blocklist": []}
    policy.update(changes)
    return policy


def snapshots_answer(policy: dict | None) -> bool:
    """Whether the CP snapshots' counts alone predict the total: no policy, a disabled one, or one that
    filters by categories only or by entities only, with no instant and no price bound."""
    if not policy or policy.get("enabled") is False:
        return True
    if policy.get("min_created_at") not in (None, "", BASE_INSTANT):
        return False
    if policy.get("price_min") is not None or policy.get("price_max") is not None:
        return False
    by_category = bool(policy.get("include_categories") or policy.get("exclude_categories"))
    by_entity = bool(policy.get("entity_allowlist") or policy.get("entity_blocklist"))
    return not (by_category and by_entity)


@dataclass(frozen=True)
class Prediction:
    """What the exporter must export to the importer under a policy."""
    total: int
    ids: tuple[int, ...] | None  # the offers, when the catalogue was read (None: the snapshots sufficed)
    source: str  # "snapshots" or "catálogo"


def predict(policy: dict | None, categories: list[dict], entities: list[dict],
            catalogue: Callable[[], list[ExportedOffer]], *, ids: bool = False) -> Prediction:
    """The export under ANY policy: from the snapshots' counts when they can answer (and `ids` is not
    asked), otherwise by evaluating every active offer of the catalogue with the contract's rules
    (`matches`); the catalogue is read only then."""
    if snapshots_answer(policy) and not ids:
        return Prediction(predicted_total(policy, categories, entities), None, "snapshots")
    chosen = tuple(sorted(o.id for o in catalogue() if o.active is not False and matches(policy, o)))
    return Prediction(len(chosen), chosen, "catálogo")

