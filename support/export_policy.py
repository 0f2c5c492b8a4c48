"""export_policy expectations derived from the stack itself (the CP snapshots), never from one day's
numbers: the exporter's `total` for a policy that filters by one dimension only."""
from __future__ import annotations

import datetime as dt
import re

from .wl_shapes import ExportedOffer


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
    policy = {"enabled": True, "min_created_at": "2000-01-01T00:00:00Z", "include_categories": [],
              "exclude_categories": [], "entity_allowlist": [], "entity_blocklist": []}
    policy.update(changes)
    return policy


class PolicyVocabulary:
    """Turns the features' Portuguese policy phrases into export_policy JSON, choosing ids from the
    stack's own data (CP snapshots and the exporter's broad export), never from fixed numbers."""

    def __init__(self, categories: list[dict], entities: list[dict], items_provider):
        self.categories = categories
        self.entities = entities
        self._items_provider = items_provider  # () -> the broad export (ExportedOffer), loaded on demand
        self._items: list[ExportedOffer] | None = None

    @property
    def items(self) -> list[ExportedOffer]:
        if self._items is None:
            self._items = self._items_provider()
        return self._items

    def _category_without_active(self) -> str:
        empty = [c["categoryId"] for c in self.categories if int(c["activeCount"]) == 0]
        if not empty:
            raise AssertionError("o snapshot do CP não tem categoria com activeCount 0")
        return sorted(empty)[0]

    def _entity_with(self, count: int) -> str:
        found = [e["entityId"] for e in self.entities if int(e["activeOffersCount"]) == count]
        if not found:
            raise AssertionError(f"o snapshot do CP não tem entidade com activeOffersCount {count}")
        return sorted(found)[0]

    def _median_created_at(self) -> str:
        stamps = sorted(_aware(i.created_at) for i in self.items)
        middle = stamps[len(stamps) // 2]
        return middle.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def _entity_in_category(self, category: str) -> str:
        entities = sorted({str(i.entity) for i in self.items if str(i.category) == category})
        if not entities:
            raise AssertionError(f"nenhuma oferta ativa exportada na categoria {category}")
        return entities[0]

    def policy(self, phrase: str) -> dict:
        quoted = re.findall(r'"([^"]+)"', phrase)
        cid = quoted[0] if quoted else None
        table = {
            "incluir só uma categoria sem ofertas ativas":
                lambda: base_policy(include_categories=[self._category_without_active()]),
            'incluir só a categoria "#"': lambda: base_policy(include_categories=[cid]),
            'excluir a categoria "#"': lambda: base_policy(exclude_categories=[cid]),
            "permitir só uma entidade com 3 ofertas ativas":
                lambda: base_policy(entity_allowlist=[self._entity_with(3)]),
            "bloquear a entidade com 3 ofertas ativas":
                lambda: base_policy(entity_blocklist=[self._entity_with(3)]),
            'desligada, mas excluindo a categoria "#"':
                lambda: base_policy(enabled=False, exclude_categories=[cid]),
            "permitir e bloquear a mesma entidade":
                lambda: base_policy(entity_allowlist=[self._entity_with(3)], entity_blocklist=[self._entity_with(3)]),
            'incluir e excluir a categoria "#"':
                lambda: base_policy(include_categories=[cid], exclude_categories=[cid]),
            "só ofertas criadas a partir da data mediana do catálogo":
                lambda: base_policy(min_created_at=self._median_created_at()),
            'incluir a categoria "#" e permitir só uma entidade dela':
                lambda: base_policy(include_categories=[cid], entity_allowlist=[self._entity_in_category(cid)]),
        }
        key = re.sub(r'"[^"]+"', '"#"', phrase)
        if key not in table:
            raise AssertionError(f"política desconhecida: {phrase!r}. Conhecidas: {sorted(table)}")
        return table[key]()
