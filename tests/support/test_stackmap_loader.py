"""The stack map's loader: a map is read with tomllib and validated against the catalogue; a malformed map
stops the run with one message naming the file, the entry, what is wrong and an example."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from support.errors import ConfigError
from support.stackmap import FactNotReady, MapError, UndeclaredNeed, load_map, map_path
from support.stackmap.loader import parse_map
from support.stackmap.model import Readiness

ROOT = Path(__file__).resolve().parents[2]
EMBEDDED = ROOT / "profiles" / "embutido.mapa.toml"


def embedded_text() -> str:
    return EMBEDDED.read_text(encoding="utf-8")


def changed(old: str, new: str) -> str:
    text = embedded_text()
    assert old in text, old
    return text.replace(old, new, 1)


def refused(text: str, *expected: str) -> str:
    with pytest.raises(MapError) as caught:
        parse_map(text, Path("profiles/teste.mapa.toml"))
    message = str(caught.value)
    assert message.startswith("Mapa da stack inválido: profiles/teste.mapa.toml") or "profiles/teste.mapa.toml" in message
    for part in expected:
        assert part in message, message
    return message


PRICE = 'price = { valor = "price", estado = "suposição"'


def test_the_committed_maps_load():
    for name in ("embutido", "staging-local"):
        stack_map = load_map(ROOT / "profiles" / f"{name}.mapa.toml")
        assert stack_map.profile == name and len(stack_map.entries) > 150


def test_a_malformed_map_is_a_configuration_error_that_stops_the_run():
    assert issubclass(MapError, ConfigError)


def test_an_unknown_entry_is_named_with_the_closest_known_one():
    text = embedded_text() + '\n[wl.exporter.offerz]\nprice = { valor = "price", estado = "fato", origem = "x" }\n'
    refused(text, "entrada wl.exporter.offerz.price", "entrada desconhecida", "quis dizer wl.exporter.offer.price")


def test_a_missing_entry_is_named_with_an_example():
    refused(changed(PRICE, "# " + PRICE), "faltam entradas: wl.exporter.offer.price",
            'Exemplo: [wl.exporter.offer] price = { valor = "price", estado = "capturado"')


def test_the_state_must_be_one_of_the_known_states():
    refused(changed(PRICE, 'price = { valor = "price", estado = "talvez"'), "entrada wl.exporter.offer.price",
            "estado 'talvez' não é um de fato, documentado, capturado, suposição, desconhecido", "Exemplo:")


def test_an_unknown_entry_has_no_value_and_a_known_one_has():
    refused(changed(PRICE, 'price = { valor = "price", estado = "desconhecido"'), "uma entrada desconhecida não tem valor")
    refused(changed(PRICE, 'price = { estado = "suposição"'), "falta o valor (estado suposição)")


def test_every_entry_says_where_it_comes_from():
    text = re.sub(r'(price = \{ valor = "price", estado = "suposição"), origem = "[^"]*"', r"\1", embedded_text(), count=1)
    refused(text, "entrada wl.exporter.offer.price", "falta a origem")


def test_values_are_checked_by_kind():
    refused(changed(PRICE, 'price = { valor = "preço unitário", estado = "suposição"'), "não é um nome SQL simples")
    refused(changed('paging = { valor = "limit/offset"', 'paging = { valor = "cursor"'),
            "entrada wl.exporter.export_offers.paging", "não é um dos aceitos: limit/offset, page/size, nenhuma")
    refused(changed('counter = { valor = "Pendentes: {n}"', 'counter = { valor = "Pendentes: {total}"'),
            "deve ter exatamente os marcadores {n}")
    refused(changed('papel = "button", estado = "suposição", origem = "suposição do sandbox: sandbox/admin_ui/README.md (Login)"',
                    'papel = "botão", estado = "suposição", origem = "suposição do sandbox: sandbox/admin_ui/README.md (Login)"'),
            "papel 'botão' não é um papel ARIA conhecido")


def test_an_element_needs_its_role():
    text = changed('email = { valor = "E-mail", papel = "textbox",', 'email = { valor = "E-mail",')
    refused(text, "entrada ui.admin.login.email", "falta o papel ARIA")


def test_a_file_that_is_not_toml_or_has_no_header_is_refused():
    refused("isto não é = toml = nenhum", "não é TOML válido")
    refused(embedded_text().replace('[mapa]\nperfil = "embutido"', "[outro]\nx = 1"), "falta o cabeçalho [mapa]")


def test_a_missing_map_file_names_the_setting(tmp_path):
    with pytest.raises(MapError, match="XPORY_STACK_MAP"):
        load_map(tmp_path / "nada.mapa.toml")


def test_the_map_file_is_the_profile_s_unless_the_setting_names_another():
    class Config:
        perfil = "staging-local"

        def __init__(self, chosen=None):
            self.chosen = chosen

        def get(self, name):
            return self.chosen if name == "XPORY_STACK_MAP" else None

    assert map_path(Config()) == ROOT / "profiles" / "staging-local.mapa.toml"
    assert map_path(Config(Path("profiles/embutido.mapa.toml"))) == EMBEDDED
    assert map_path(Config(Path("/outro/mapa.toml"))) == Path("/outro/mapa.toml")


def test_what_code_asks_of_a_map():
    stack_map = load_map(ROOT / "profiles" / "staging-local.mapa.toml")
    assert stack_map.name("wl.importer.imported_offer.offer_id") == "offer_id"  # a runbook fact
    unknown = r"wl.exporter.offer.price está desconhecido no mapa .*; preencha .* `python -m tools.reconhecer`"
    with pytest.raises(FactNotReady, match=unknown):
        stack_map.name("wl.exporter.offer.price")
    assert stack_map.optional("wl.exporter.offer.price") is None
    stack_map.readiness["wl.importer.imported_offer.offer_id"] = Readiness("divergente", "a coluna não existe", True)
    with pytest.raises(FactNotReady, match="divergente"):
        stack_map.name("wl.importer.imported_offer.offer_id")
    stack_map.scenario_needs = frozenset({"wl.importer.imported_offer.eligible"})
    assert stack_map.name("wl.importer.imported_offer.eligible") == "eligible"
    with pytest.raises(UndeclaredNeed, match=r"@precisa:wl\.importer\.imported_offer\.lifecycle_status"):
        stack_map.name("wl.importer.imported_offer.lifecycle_status")


def test_templates_fill_and_match_with_or_without_accents():
    stack_map = load_map(EMBEDDED)
    assert stack_map.template("ui.admin.signed_in", email="a@b", role="MASTER") == "a@b (MASTER)"
    unread = stack_map.template_pattern("ui.admin.notifications.unread")
    assert unread.search("Nao lidas:  7").group(1) == "7" and not unread.search("Não lidas: sete")
    row = stack_map.template_pattern("ui.admin.relationships.row", anchored=False, origem="wl-a", destino="wl-b")
    assert row.search("wl-a → wl-b active") and not row.search("wl-b → wl-a")
