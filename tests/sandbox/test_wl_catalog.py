"""Seed shape and the CP-facing metadata endpoints (categories, entities, trader account)."""
from __future__ import annotations

import time

import psycopg
from wl_fixtures import E, I, get_stack


def _get(stack, path, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with stack.exp() as c:
        return c.get(path, headers=headers)


def test_seed_shape():
    stack = get_stack()
    rows = dict(stack.sql("wl-01", "SELECT category_id, count(*) FROM offer WHERE active GROUP BY 1"))
    assert rows.get("15", 0) >= 24
    assert "1029401" not in rows
    assert stack.sql("wl-01", "SELECT count(*) FROM offer WHERE category_id='1029401'")[0][0] > 0
    assert stack.sql("wl-01", "SELECT count(*) FROM offer WHERE active AND entity_id='7739330'")[0][0] == 3
    assert 1500 <= sum(rows.values()) <= 2500
    assert stack.sql("wl-01", "SELECT count(*) FROM offer WHERE NOT active")[0][0] > 0
    buyer = stack.sql("wl-03", "SELECT a.token, x.id FROM account a JOIN xbalance x ON x.account_id=a.id WHERE a.id=8780")
    assert buyer == [("codex-token-3", 8772)]
    qa = stack.sql("wl-03", "SELECT a.email, a.entity_id, a.token, x.value, r.value FROM account a JOIN xbalance x"
                   " ON x.id=a.xbalance_id JOIN rbalance r ON r.id=a.rbalance_id WHERE a.id=90805")
    assert qa[0][:3] == ("qa.preflight@xpory.local", "90803", "qa-preflight-token")
    assert qa[0][3] == qa[0][4] == 5000
    for account in (8780, 90805):
        assert stack.sql("wl-03", "SELECT count(*) FROM xtransaction_maturity WHERE account_id=%s", (account,))[0][0] > 0


def test_seed_is_deterministic_and_fast():
    stack = get_stack()
    from sandbox.wl import seed

    with psycopg.connect(stack.settings.dsn("postgres"), autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "wl-seedcheck" WITH (FORCE)')
        conn.execute('CREATE DATABASE "wl-seedcheck"')
    try:
        with psycopg.connect(stack.settings.dsn("wl-seedcheck")) as conn:
            conn.execute(open(seed.__file__.replace("wl/seed.py", "schema/wl.sql")).read())
            started = time.monotonic()
            seed.seed(conn, "exporter", stack.settings)
            elapsed = time.monotonic() - started
            conn.commit()
            digest = conn.execute("SELECT md5(string_agg(id||title||price||stock||active||category_id, ',' ORDER BY id))"
                                  " FROM offer").fetchone()[0]
        original = stack.sql("wl-01", "SELECT md5(string_agg(id||title||price||stock||active||category_id, ','"
                             " ORDER BY id)) FROM offer WHERE id NOT IN (SELECT origin_offer_id FROM cross_wl_trade)")
        assert elapsed < 2.0  # fast enough for every start (typically ~0.2 s); loose for a loaded CI machine
        if stack.sql("wl-01", "SELECT count(*) FROM cross_wl_trade")[0][0] == 0:
            assert digest == original[0][0]
    finally:
        with psycopg.connect(stack.settings.dsn("postgres"), autocommit=True) as conn:
            conn.execute('DROP DATABASE IF EXISTS "wl-seedcheck" WITH (FORCE)')


def test_categories_need_a_cp_jwt_for_this_wl():
    stack = get_stack()
    assert _get(stack, "/api/v2/control-plane/offer-categories").json() == {
        "error": "Invalid Control Plane token", "detail": "missing bearer token"}
    wrong = _get(stack, "/api/v2/control-plane/offer-categories", stack.cp.service(I))
    assert wrong.status_code == 401 and wrong.json()["error"] == "Invalid Control Plane token"


def test_categories_paging_and_counts():
    stack = get_stack()
    token = stack.cp.service(E)
    items, offset = [], 0
    while True:
        r = _get(stack, f"/api/v2/control-plane/offer-categories?limit=10&offset={offset}", token)
        assert r.status_code == 200, r.text
        page = r.json()
        items += page["items"]
        offset += 10
        if offset >= page["count"]:
            break
    by_id = {i["categoryId"]: i for i in items}
    assert by_id["15"]["name"] == "Alimentação" and by_id["15"]["activeCount"] > 0
    assert by_id["1029401"]["activeCount"] == 0
    assert sum(i["activeCount"] for i in items) == stack.sql("wl-01", "SELECT count(*) FROM offer WHERE active")[0][0]


def test_entities_and_trader_account():
    stack = get_stack()
    token = stack.cp.service(E)
    r = _get(stack, "/api/v2/control-plane/entities?limit=1000", token).json()
    a3 = next(i for i in r["items"] if i["entityId"] == "7739330")
    assert a3["name"] == "A3Negocios" and a3["activeOffersCount"] == 3 and a3["status"] == "active"
    assert a3["updatedAt"].endswith("Z") and r["count"] == len(r["items"])
    trader = _get(stack, "/api/v2/control-plane/trader-account", token).json()
    assert trader["name"] == "Conta Trader Exporter" and trader["id"] and trader["whiteLabelId"] == E
