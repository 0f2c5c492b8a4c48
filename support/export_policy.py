"""export_policy expectations derived from the stack itself (the CP snapshots), never from one day's
numbers: the exporter's `total` for a policy that filters by one dimension only."""
from __future__ import annotations


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
