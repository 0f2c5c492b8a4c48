"""Each map entry's readiness from what the read-only probes saw (support/readiness/judge.py), and the
readiness tables and skip reasons (support/readiness/report.py, plan.py)."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from support.readiness import plan, report
from support.readiness.judge import judge
from support.readiness.observe import Answer, Observed
from support.stackmap import load_map
from support.stackmap.needs import Needs

ROOT = Path(__file__).resolve().parents[2]


def embedded():
    return load_map(ROOT / "profiles" / "embutido.mapa.toml")


def item(**extra):
    base = {"id": 7, "categoryId": "15", "entityId": "e1", "createdAt": "2026-01-06T10:00:00Z", "price": 12.5}
    return {**base, **extra}


def observed_export(body, pages=None) -> Observed:
    seen = Observed()
    seen.export_plain = Answer(200, body)
    seen.export_pages = pages or {}
    return seen


def test_tables_and_columns_by_information_schema():
    m = embedded()
    seen = Observed(schema={"exporter": {"offer": {"id", "preco", "stock"}}})
    verdicts = judge(m, ["wl.exporter.offer.table", "wl.exporter.offer.price", "wl.exporter.offer.stock",
                         "wl.exporter.cross_wl_trade.table", "wl.importer.xbalance.table"], seen)
    assert verdicts["wl.exporter.offer.table"].state == "pronto" and verdicts["wl.exporter.offer.table"].checked
    assert verdicts["wl.exporter.offer.stock"].state == "pronto"
    price = verdicts["wl.exporter.offer.price"]
    assert price.state == "divergente" and "não tem a coluna price (parecidos: preco)" in price.detail
    assert verdicts["wl.exporter.cross_wl_trade.table"].state == "divergente"
    unseen = verdicts["wl.importer.xbalance.table"]  # the importer's schema was not read: unchecked
    assert unseen.state == "pronto" and not unseen.checked and "não verificado" in unseen.detail


def test_the_export_s_envelope_total_keys_and_timestamps():
    m = embedded()
    good = judge(m, ["wl.exporter.export_offers.items", "wl.exporter.export_offers.total",
                     "wl.exporter.export_offers.item.category", "wl.exporter.export_offers.timestamps"],
                 observed_export({"total": 1, "items": [item()]}))
    assert {v.state for v in good.values()} == {"pronto"}
    bare = judge(m, ["wl.exporter.export_offers.items", "wl.exporter.export_offers.item.category"],
                 observed_export([item()]))
    assert bare["wl.exporter.export_offers.items"].state == "divergente"
    assert not bare["wl.exporter.export_offers.item.category"].checked  # without the list, no item to look at
    epoch = judge(m, ["wl.exporter.export_offers.timestamps", "wl.exporter.export_offers.item.entity"],
                  observed_export({"total": 1, "items": [item(createdAt="ontem", entityId=None)]}))
    assert epoch["wl.exporter.export_offers.timestamps"].state == "divergente"
    assert "não traz 'entityId'" in epoch["wl.exporter.export_offers.item.entity"].detail


def test_paging_is_proven_by_two_pages_of_one_different_offer():
    m = embedded()
    one, two = Answer(200, {"total": 2, "items": [item(id=1)]}), Answer(200, {"total": 2, "items": [item(id=2)]})
    same = Answer(200, {"total": 2, "items": [item(id=1), item(id=2)]})
    good = judge(m, ["wl.exporter.export_offers.paging"], observed_export(same.body, {"limit/offset": (one, two)}))
    assert good["wl.exporter.export_offers.paging"].state == "pronto"
    bad = judge(m, ["wl.exporter.export_offers.paging"], observed_export(same.body, {"limit/offset": (same, same)}))
    assert bad["wl.exporter.export_offers.paging"].state == "divergente"


def test_a_wl_s_refusal_must_carry_the_message_under_the_mapped_key():
    m = embedded()
    seen = Observed(errors={"importer": Answer(401, {"error": "Invalid Control Plane token"}),
                            "exporter": Answer(401, {"message": "Unauthorized"})})
    verdicts = judge(m, ["wl.importer.error.key", "wl.exporter.error.key"], seen)
    assert verdicts["wl.importer.error.key"].state == "pronto"
    assert verdicts["wl.exporter.error.key"].state == "divergente"
    accepted = judge(m, ["wl.importer.error.key"], Observed(errors={"importer": Answer(200, {"ok": True})}))
    assert "aceitou (HTTP 200)" in accepted["wl.importer.error.key"].detail


def test_unknown_entries_stay_unknown_and_unprobed_known_ones_say_so():
    staging = load_map(ROOT / "profiles" / "staging-local.mapa.toml")
    verdicts = judge(staging, ["wl.exporter.offer.price", "wl.importer.buy_offer.ok"], Observed())
    assert verdicts == {}  # price: unknown (no probe runs); buy_offer.ok: no read-only call shows it
    assert staging.status("wl.exporter.offer.price").state == "desconhecido"
    assert staging.status("wl.importer.buy_offer.ok").state == "pronto"


def test_the_table_and_the_skip_name_the_entries_that_are_not_ready(tmp_path):
    staging = load_map(ROOT / "profiles" / "staging-local.mapa.toml")
    staging.readiness["wl.importer.imported_offer.eligible"] = judge(
        staging, ["wl.importer.imported_offer.eligible"],
        Observed(schema={"importer": {"imported_offer": {"offer_id", "elegivel"}}}))["wl.importer.imported_offer.eligible"]
    blocked = SimpleNamespace(name="precisa de preço")
    fine = SimpleNamespace(name="só fatos")
    needs_blocked = Needs(frozenset({"wl.exporter.offer.price", "wl.importer.imported_offer.eligible"}), frozenset())
    needs_fine = Needs(frozenset({"wl.importer.imported_offer.offer_id"}), frozenset({"wl.exporter.offer.price"}))
    feature = SimpleNamespace(name="Uma funcionalidade", filename="features/x.feature")
    text = report.tables(staging, [(feature, [(blocked, needs_blocked), (fine, needs_fine)])], full=False)
    assert "Funcionalidade: Uma funcionalidade (features/x.feature)" in text
    assert "desconhecido 1 · divergente 1" in text and "cenários: 1 prontos, 1 serão pulados" in text
    assert "wl.importer.imported_offer.offer_id" not in text  # ready: only in the full table
    session = SimpleNamespace(stack_map=staging, config=SimpleNamespace(perfil="externo"),
                              readiness=plan.Plan(needs={id(blocked): needs_blocked, id(fine): needs_fine}))
    reason = plan.skip_reason(session, blocked)
    assert reason.startswith("precisa de 2 entrada(s) do mapa da stack que não estão prontas — desconhecidas: "
                             "wl.exporter.offer.price — divergentes da stack: wl.importer.imported_offer.eligible "
                             "(a tabela imported_offer")
    assert reason.endswith("staging-local.mapa.toml (ou rode `python -m tools.reconhecer --perfil externo`)")
    assert plan.skip_reason(session, fine) is None  # an optional need never blocks
