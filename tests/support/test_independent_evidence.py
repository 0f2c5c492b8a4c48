"""The checks that judge the stack by evidence the suite computes itself (issue 14): the commercial balance
from the scenario's trades, the parties of a trade's details, a refused import by what an import would have
changed, and genuine tokens read for their validity."""
from __future__ import annotations

import time
from decimal import Decimal
from types import SimpleNamespace

import jwt

from support import import_evidence, peer_tokens, trade_balance, trade_details

EXPORTER, IMPORTER = "fd1a88a9-3a01-43bb-ae20-32618c1b3752", "2a6f8e2c-874c-4476-aac3-0d535fb52ac7"
SESSION = SimpleNamespace(config=SimpleNamespace(exporter_wl_id=EXPORTER, importer_wl_id=IMPORTER))


def _report(a: str, b: str, counts: dict, exported, imported, balance) -> dict:
    return {"relationships": [{"wlAId": a, "wlBId": b,
                               "tradeMetrics": {"aToB": {"counts": counts}, "bToA": {"counts": {}}},
                               "totals": {"totalExported": exported, "totalImported": imported, "balance": balance}}]}


def test_the_balance_is_computed_from_the_trades_the_scenario_made():
    want = trade_balance.expected([("CONFIRMED", Decimal("10.50")), ("REJECTED", Decimal("7")),
                                   ("PENDING", Decimal("3"))])
    assert want.counts == {"CONFIRMED": 1, "PENDING": 1, "REJECTED": 1}
    assert (want.exported, want.imported, want.balance) == (Decimal("10.50"), 0, Decimal("10.50"))


def test_a_report_that_agrees_with_the_trades_has_no_difference():
    # the importer's id sorts first: the exporter is B, the report's aToB is importer → exporter
    report = {"relationships": [{"wlAId": IMPORTER, "wlBId": EXPORTER,
                                 "tradeMetrics": {"bToA": {"counts": {"CONFIRMED": 1, "PENDING": 1, "REJECTED": 1}}},
                                 "totals": {"totalExported": 0, "totalImported": "10.50", "balance": "-10.50"}}]}
    got = trade_balance.seen_from_exporter(SESSION, report)
    want = trade_balance.expected([("CONFIRMED", Decimal("10.50")), ("REJECTED", Decimal("7")),
                                   ("PENDING", Decimal("3"))])
    assert trade_balance.differences(got, want) == []


def test_a_sign_error_or_pending_trades_in_the_exported_total_are_differences():
    want = trade_balance.expected([("CONFIRMED", Decimal("10")), ("PENDING", Decimal("3"))])
    counts = {"CONFIRMED": 1, "PENDING": 1}
    flipped = trade_balance.seen_from_exporter(SESSION, _report(EXPORTER, IMPORTER, counts, 10, 0, -10))
    assert trade_balance.differences(flipped, want) == [
        "saldo do exportador: o relatório diz -10.00, as trocas do cenário dão 10.00"]
    with_pending = trade_balance.seen_from_exporter(SESSION, _report(EXPORTER, IMPORTER, counts, 13, 0, 13))
    assert len(trade_balance.differences(with_pending, want)) == 2
    assert trade_balance.differences(None, want) == ["o relatório não traz o par exportador ↔ importador"]


def _details(seller, buyer) -> dict:
    return {"exporter": {"clientName": seller}, "importer": {"clientName": buyer}}


def test_the_details_must_name_the_offer_entity_as_seller_and_someone_else_as_buyer():
    assert trade_details.party_problems(_details("Alfa  Comércio Ltda", "Conta QA"), "alfa comércio ltda") == []
    assert trade_details.party_problems(_details("Conta QA", "Conta QA"), "Alfa Comércio Ltda") == [
        "vendedor 'Conta QA', mas a oferta comprada é da entidade 'Alfa Comércio Ltda'",
        "comprador e vendedor com o mesmo nome 'Conta QA'"]
    assert trade_details.party_problems(_details("X", "Y"), None) == [
        "o snapshot de entidades do CP não tem a entidade da oferta comprada"]


def test_a_refused_import_is_judged_row_by_row_not_by_the_count(monkeypatch):
    before = ((80001, True, "ENABLED", 5), (80002, True, "ENABLED", 3))
    evidence = import_evidence.ImportEvidence(before, 0, lambda: None)
    monkeypatch.setattr(import_evidence, "imported_state", lambda session: before)
    assert import_evidence.changes(None, evidence) == []
    upserted = ((80001, True, "ENABLED", 7), (80002, True, "ENABLED", 3))  # same count, one row rewritten
    monkeypatch.setattr(import_evidence, "imported_state", lambda session: upserted)
    assert import_evidence.changes(None, evidence) == ["0 ofertas importadas sumiram", "0 novas", "1 mudaram"]


def test_a_genuine_token_is_read_for_its_own_validity():
    now = int(time.time())
    token = jwt.encode({"sub": EXPORTER, "wlId": IMPORTER, "iat": now, "exp": now + 4}, "k" * 32, algorithm="HS256")
    assert peer_tokens.claims(token)["wlId"] == IMPORTER
    assert 2 < peer_tokens.seconds_left(token) <= 4
