"""Importer debug import: peer-token checks, stale-cache warnings, discovery/eligibility relations,
and the relationship cache poller's overwrite rule."""
from __future__ import annotations

import json

from wl_fixtures import E, I, Signer, get_stack

IMPORT = "/api/v2/control-plane/debug/import"


def _import(stack, token):
    with stack.imp() as c:
        return c.post(IMPORT, headers={"Authorization": f"Bearer {token}"} if token else {})


def _reset_caches(stack):
    for db in ("wl-01", "wl-03"):
        stack.sql(db, "TRUNCATE TABLE cp_policy_cache, cp_relationship_cache, offer_export_index RESTART IDENTITY CASCADE")


def _setup_cp(stack, policy=None, **rel):
    stack.cp.set_relationship(E, I, exportPolicy=policy, **rel)
    stack.cp.set_relationship(I, E)
    stack.cp.policies[E] = {"whiteLabelId": E, "importEnabled": False, "exportEnabled": True, "exportDelayDays": 0,
                            "visibilityEnabled": True, "visibilityWls": [I]}
    stack.cp.policies[I] = {"whiteLabelId": I, "importEnabled": True, "exportEnabled": False, "exportDelayDays": 0,
                            "visibilityEnabled": True, "visibilityWls": [E]}


def test_forged_expired_and_foreign_tokens_are_refused():
    stack = get_stack()
    forged = Signer(kid=stack.cp.signer.kid).token({"wlId": I, "aud": E, "scopes": ["offers:sync"]})
    expired = stack.cp.peer(ttl=-60)
    foreign = stack.cp.peer(importer=E, exporter=I)  # a token of another WL
    unknown_kid = stack.cp.signer.token({"wlId": I, "aud": E}, kid="nope")
    for token in (None, "not-a-jwt", forged, expired, foreign, unknown_kid):
        r = _import(stack, token)
        assert r.status_code == 401, (token, r.text)
        assert r.json()["error"] == "Invalid Control Plane token"


def test_import_warns_when_caches_are_empty_then_refreshes_them():
    stack = get_stack()
    _reset_caches(stack)
    _setup_cp(stack, {"enabled": True, "exclude_categories": ["15"], "min_created_at": "2000-01-01T00:00:00Z",
                      "include_categories": [], "entity_allowlist": [], "entity_blocklist": []})
    stack.exporter.poller.refresh()  # the exporter's own poller (interval) has pulled the policy
    r = _import(stack, stack.cp.peer())
    assert r.status_code == 200, r.text
    body = r.json()
    assert "policy.stale" in body["warnings"] and "relationships.stale" in body["warnings"]
    s = body["summary"]
    with stack.exp() as c:
        total = c.get(f"/api/v2/control-plane/export/offers?importerWlId={I}&limit=1").json()["total"]
    assert 0 < s["totalOffersDiscovered"] <= total == s["exporterTotal"]
    assert s["eligibleOffers"] == s["totalOffersDiscovered"]
    assert stack.sql("wl-03", "SELECT count(*) FROM imported_offer WHERE category_id='15'")[0][0] == 0
    again = _import(stack, stack.cp.peer()).json()
    assert again["warnings"] == [] and again["summary"]["totalOffersDiscovered"] == s["totalOffersDiscovered"]
    ids = stack.sql("wl-03", "SELECT min(offer_id), count(*) FROM imported_offer")[0]
    assert ids[0] == 80001 or ids[1] == s["totalOffersDiscovered"]


def test_narrower_policy_shrinks_imported_offers_and_zero_gives_zero():
    stack = get_stack()
    _reset_caches(stack)
    _setup_cp(stack, {"enabled": True, "entity_allowlist": ["7739330"]})
    stack.importer.poller.refresh()
    stack.exporter.poller.refresh()
    s = _import(stack, stack.cp.peer()).json()["summary"]
    assert s["exporterTotal"] == 3 and 0 < s["totalOffersDiscovered"] <= 3
    assert stack.sql("wl-03", "SELECT count(*) FROM imported_offer WHERE eligible AND lifecycle_status='ENABLED'"
                     " AND entity_id <> '7739330'")[0][0] == 0
    _setup_cp(stack, {"enabled": True, "include_categories": ["1029401"]})
    stack.exporter.poller.refresh()
    s = _import(stack, stack.cp.peer()).json()["summary"]
    assert s["exporterTotal"] == s["totalOffersDiscovered"] == s["eligibleOffers"] == 0


def test_inactive_relationship_makes_discovered_offers_ineligible():
    stack = get_stack()
    _reset_caches(stack)
    _setup_cp(stack, {"enabled": True, "include_categories": ["15"]}, status="paused")
    stack.exporter.poller.refresh()
    stack.importer.poller.refresh()
    s = _import(stack, stack.cp.peer()).json()["summary"]
    assert s["totalOffersDiscovered"] > 0 and s["eligibleOffers"] == 0


def test_poller_keeps_a_manual_policy_until_the_cp_changes():
    stack = get_stack()
    _reset_caches(stack)
    _setup_cp(stack, {"enabled": True, "exclude_categories": ["15"]})
    poller = stack.exporter.poller
    poller.refresh()
    manual = '{"enabled":true,"include_categories":["15"]}'
    stack.sql("wl-01", f"UPDATE cp_relationship_cache SET export_policy='{manual}'"
              f" WHERE source_white_label_id='{E}' AND target_white_label_id='{I}'")
    poller.refresh()  # same CP relationship: the manual value stays
    row = stack.sql("wl-01", "SELECT export_policy FROM cp_relationship_cache WHERE source_white_label_id=%s"
                    " AND target_white_label_id=%s", (E, I))
    assert row[0][0] == manual
    _setup_cp(stack, {"enabled": True, "exclude_categories": ["16"]})  # the CP changed
    poller.refresh()
    row = stack.sql("wl-01", "SELECT export_policy, approval_mode, status FROM cp_relationship_cache"
                    " WHERE source_white_label_id=%s AND target_white_label_id=%s", (E, I))
    assert json.loads(row[0][0]) == {"enabled": True, "exclude_categories": ["16"]}
    assert row[0][1:] == ("MANUAL", "active")
    _reset_caches(stack)
