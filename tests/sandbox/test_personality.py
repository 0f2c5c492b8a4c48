"""The sandbox's personalities (sandbox/personality.py): the JSON shapes round-trip and refuse the other
personality's keys, the SQL renames keep the canonical names as views, and every label the Admin UI and
the storefront ask for exists in personality b (and nothing else)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from sandbox.personality import BY_NAME, A, B, Shape, current

ROOT = Path(__file__).resolve().parents[2]
SHAPES = ("export", "pending", "decision", "preflight_request", "preflight", "buy_offer", "checkout_request", "checkout")


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_the_personality_is_chosen_by_sandbox_personality(monkeypatch, name):
    monkeypatch.setenv("SANDBOX_PERSONALITY", name)
    assert current() is BY_NAME[name]


def test_an_unknown_personality_is_refused_naming_the_choices(monkeypatch):
    monkeypatch.setenv("SANDBOX_PERSONALITY", "c")
    with pytest.raises(ValueError, match="SANDBOX_PERSONALITY='c' is not one of a, b"):
        current()


def test_personality_a_is_the_identity_everywhere():
    body = {"items": [{"id": 1, "createdAt": "2026-01-01T00:00:00Z"}], "total": 1, "limit": 1, "offset": 0}
    for shape in SHAPES:
        assert getattr(A, shape).outward(body) == body and getattr(A, shape).inward(body) == body
    assert A.schema_sql([("offer", "id")]) == "" and A.search_path is None and A.labels == {}


def test_b_s_export_moves_the_list_renames_nests_and_sends_epoch_milliseconds():
    body = {"total": 3, "count": 1, "limit": 2, "offset": 2,
            "items": [{"id": 7, "categoryId": "15", "entityId": "9", "createdAt": "2026-01-02T03:04:05Z", "price": 1.5}]}
    out = B.export.outward(body)
    assert out["offers"] == [{"offerId": 7, "category": {"id": "15"}, "seller": {"id": "9"},
                              "dateCreated": 1767323045000, "unitPrice": 1.5}]
    assert (out["total"], out["page"], out["size"]) == (3, 1, 2) and "items" not in out and "limit" not in out
    back = B.export.inward(out)
    assert back["items"] == body["items"]


def test_b_s_pending_list_is_the_bare_list_and_its_ids_are_purchase_ids():
    out = B.pending.outward({"items": [{"tradeId": "t1", "status": "PENDING"}], "count": 1})
    assert out == [{"purchaseId": "t1", "status": "PENDING"}]
    assert B.pending.inward(out)["items"] == [{"tradeId": "t1", "status": "PENDING"}]


def test_b_reads_only_its_own_request_keys():
    asked = B.preflight_request.inward({"offerId": 5, "qty": 2, "originOfferId": 99, "quantity": 9})
    assert asked == {"originOfferId": 5, "quantity": 2}
    assert B.checkout_request.inward({"accountId": 1, "token": "x", "holdId": "h"}) == {"holdId": "h"}


def test_b_s_buy_offer_success_carries_no_trade_id():
    out = B.buy_offer.outward({"ok": True, "status": "PENDING", "msg": "m", "tradeId": "i", "externalTradeId": "e",
                               "totalPrice": 10})
    assert out == {"ok": True, "status": "PENDING", "msg": "m", "totalValue": 10}


@pytest.mark.parametrize("personality, exporter_side", [(A, "e"), (B, "i")])
def test_both_wls_emit_the_same_external_trade_id(personality, exporter_side):
    exporter_row = {"trade_id": "e", "external_trade_id": "i"}
    importer_row = {"trade_id": "i", "external_trade_id": "e"}
    assert personality.trade_id_for_cp(exporter_row, "EXPORTER") == exporter_side
    assert personality.trade_id_for_cp(importer_row, "IMPORTER") == exporter_side


def test_b_s_schema_renames_tables_and_columns_and_keeps_the_canonical_names_as_views():
    sql = B.schema_sql([("offer", "id"), ("offer", "stock"), ("offer", "active"), ("rbalance", "value"), ("entity", "id")])
    assert 'ALTER TABLE public."offer" RENAME COLUMN "stock" TO "offers_available"' in sql
    assert 'ALTER TABLE public."offer" RENAME TO "trader_offer"' in sql
    assert '("lifecycle_status" = \'ENABLED\') AS "active"' in sql
    assert 'CREATE VIEW "sandbox_core"."rbalance" AS SELECT "amount" AS "value" FROM public."real_balance"' in sql
    assert '"entity"' not in sql  # a table the personality does not rename stays as it is
    assert B.search_path == "sandbox_core,public"


def _keys_asked(text: str, call: str) -> set[str]:
    return set(re.findall(call + r"\(\s*['\"]([a-z_.]+)['\"]", text))


def test_every_label_the_screens_ask_for_exists_in_b_and_b_has_no_other():
    admin = (ROOT / "sandbox" / "admin_ui" / "app.js").read_text(encoding="utf-8")
    store = (ROOT / "sandbox" / "wl" / "storefront.py").read_text(encoding="utf-8")
    asked = _keys_asked(admin, "LT?") | _keys_asked(store, r"(?:_p\(\)|\bp)\.label")
    assert asked == set(B.labels), (sorted(asked - set(B.labels)), sorted(set(B.labels) - asked))


def test_a_shape_without_changes_is_the_identity():
    assert Shape().identity and not B.export.identity
