"""export_policy rules of the exporter (contract wl.md §3.2), unit-level and through the real endpoint."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from wl_fixtures import E, I, get_stack

from sandbox.wl.export import InvalidPolicy, parse_policy

UTC = dt.UTC


def offer(**kw):
    base = dict(active=True, category_id="20", entity_id="7000001", price=Decimal("100.00"),
                created_at=dt.datetime(2025, 6, 1, tzinfo=UTC), domestic=False, under_budget=False)
    base.update(kw)
    return base


def allows(policy, **kw):
    parsed = parse_policy(policy)
    return (parsed.allows(offer(**kw)) if parsed else offer(**kw)["active"])


def test_no_policy_disabled_or_null_means_no_filter():
    assert parse_policy(None) is None
    assert parse_policy("") is None
    assert parse_policy("null") is None
    assert parse_policy({"enabled": False, "include_categories": ["15"]}) is None


def test_invalid_policies_are_rejected_for_the_broad_fallback():
    for bad in ("{not json", "[1,2]", {"include_categories": [15]}, {"enabled": "yes"},
                {"min_created_at": "2025-01-01T00:00:00"}, {"price_min": 10, "price_max": 5},
                {"entity_allowlist": [""]}, {"price_min": "abc"}):
        with pytest.raises(InvalidPolicy):
            parse_policy(bad)


def test_only_active_offers_pass():
    assert not allows({"enabled": True}, active=False)
    assert allows({"enabled": True})


def test_include_categories_allowlist_and_empty_list_does_not_restrict():
    assert allows({"enabled": True, "include_categories": ["15"]}, category_id="15")
    assert not allows({"enabled": True, "include_categories": ["15"]}, category_id="16")
    assert allows({"enabled": True, "include_categories": []}, category_id="16")


def test_exclude_beats_include():
    policy = {"enabled": True, "include_categories": ["15"], "exclude_categories": ["15"]}
    assert not allows(policy, category_id="15")
    assert not allows({"enabled": True, "exclude_categories": ["15"]}, category_id="15")
    assert allows({"enabled": True, "exclude_categories": ["15"]}, category_id="16")


def test_blocklist_beats_allowlist_and_empty_allowlist_does_not_restrict():
    assert allows({"enabled": True, "entity_allowlist": ["7739330"]}, entity_id="7739330")
    assert not allows({"enabled": True, "entity_allowlist": ["7739330"]}, entity_id="1")
    both = {"enabled": True, "entity_allowlist": ["7739330"], "entity_blocklist": ["7739330"]}
    assert not allows(both, entity_id="7739330")
    assert allows({"enabled": True, "entity_allowlist": []}, entity_id="1")


def test_include_categories_and_entity_allowlist_are_cumulative():
    policy = {"enabled": True, "include_categories": ["15"], "entity_allowlist": ["7739330"]}
    assert allows(policy, category_id="15", entity_id="7739330")
    assert not allows(policy, category_id="15", entity_id="1")
    assert not allows(policy, category_id="16", entity_id="7739330")


def test_min_created_at_is_inclusive_utc():
    policy = {"enabled": True, "min_created_at": "2025-06-01T00:00:00Z"}
    assert allows(policy, created_at=dt.datetime(2025, 6, 1, tzinfo=UTC))
    assert not allows(policy, created_at=dt.datetime(2025, 5, 31, 23, 59, 59, tzinfo=UTC))


def test_price_bounds_are_inclusive():
    policy = {"enabled": True, "price_min": 10, "price_max": "20.50"}
    assert allows(policy, price=Decimal("10"))
    assert allows(policy, price=Decimal("20.50"))
    assert not allows(policy, price=Decimal("9.99"))
    assert not allows(policy, price=Decimal("20.51"))


def test_booleans_apply_only_when_defined():
    assert allows({"enabled": True}, domestic=True, under_budget=True)
    assert not allows({"enabled": True, "include_domestic": False}, domestic=True)
    assert allows({"enabled": True, "include_domestic": True}, domestic=True)
    assert not allows({"enabled": True, "include_under_budget": False}, under_budget=True)


# ------------------------------------------------------------------------------------ real endpoint
def _total(stack, importer=I):
    with stack.exp() as c:
        url = "/api/v2/control-plane/export/offers" + (f"?importerWlId={importer}" if importer else "")
        r = c.get(url)
    assert r.status_code == 200, r.text
    return r.json()["total"]


def _force(stack, policy):
    """The runbook's cache-forcing SQL (wl-01)."""
    stack.sql("wl-01", "INSERT INTO cp_relationship_cache (source_white_label_id, target_white_label_id, status)"
              " VALUES (%s, %s, 'active') ON CONFLICT DO NOTHING", (E, I))
    stack.sql("wl-01", f"""UPDATE cp_relationship_cache
SET export_policy='{json.dumps(policy) if policy is not None else ''}'
WHERE source_white_label_id='{E}'
  AND target_white_label_id='{I}';""")


def _active(stack, where="true"):
    return stack.sql("wl-01", f"SELECT count(*) FROM offer WHERE active AND {where}")[0][0]


def test_export_endpoint_applies_the_cached_policy_per_importer():
    stack = get_stack()
    try:
        broad = _total(stack)
        assert broad == _active(stack)
        _force(stack, {"enabled": True, "include_categories": ["15"]})
        food = _total(stack)
        assert food == _active(stack, "category_id='15'") and 0 < food < broad
        _force(stack, {"enabled": True, "exclude_categories": ["15"]})
        assert _total(stack) == broad - food
        _force(stack, {"enabled": True, "include_categories": ["1029401"]})
        assert _total(stack) == 0
        _force(stack, {"enabled": True, "entity_allowlist": ["7739330"]})
        assert _total(stack) == 3
        _force(stack, {"enabled": True, "entity_blocklist": ["7739330"]})
        assert _total(stack) == broad - 3
        assert _total(stack, importer=None) == broad  # no importerWlId: broad export
        _force(stack, {"enabled": False, "include_categories": ["15"]})
        assert _total(stack) == broad
        _force(stack, {"enabled": True, "include_categories": [15]})  # invalid: fallback
        assert _total(stack) == broad
    finally:
        stack.sql("wl-01", "TRUNCATE cp_relationship_cache, offer_export_index RESTART IDENTITY CASCADE")


def test_export_pagination_and_bad_input():
    stack = get_stack()
    with stack.exp() as c:
        first = c.get("/api/v2/control-plane/export/offers?limit=10&offset=0").json()
        second = c.get("/api/v2/control-plane/export/offers?limit=10&offset=10").json()
        assert len(first["items"]) == 10 and first["total"] == second["total"]
        assert first["items"][-1]["id"] < second["items"][0]["id"]
        item = first["items"][0]
        assert {"id", "title", "categoryId", "entityId", "createdAt", "price", "stock", "active"} <= set(item)
        bad = c.get("/api/v2/control-plane/export/offers?limit=abc")
        assert bad.status_code == 400 and "limit" in bad.json()["error"]
