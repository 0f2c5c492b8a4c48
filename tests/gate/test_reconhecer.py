"""The capture command (`python -m tools.reconhecer`) against the embedded sandbox, as a real process:

- from the embedded map, its draft is that map, byte for byte (every entry confirmed or unprovable read-only);
- from staging-local's map (the runbook's facts, the rest unknown), every value it captures is the
  sandbox's own (embutido's map), for the SQL names, the export's shapes, the WLs' errors and the pages;
- it records what the stack showed (schemas, answers, ARIA snapshots) and writes nothing to the stack.
"""
from __future__ import annotations

import sys

import pytest
from gatekit import REPO, clean_environ, run

from support.stackmap import load_map

EMBEDDED = REPO / "profiles" / "embutido.mapa.toml"


def capture(folder, base: str, runtime, profile: str = "embutido"):
    env = clean_environ(XPORY_RUNTIME_DIR=str(runtime), XPORY_REPORTS_DIR=str(folder / "reports"))
    return run([sys.executable, "-m", "tools.reconhecer", "--perfil", profile, "--mapa", str(REPO / "profiles" / base),
                "--saida", str(folder / "rascunho")], cwd=REPO, env=env, timeout=300)


@pytest.fixture(scope="module")
def from_embedded(tmp_path_factory, shared_runtime):
    folder = tmp_path_factory.mktemp("reconhecer-embutido")
    return folder, capture(folder, "embutido.mapa.toml", shared_runtime)


@pytest.fixture(scope="module")
def from_staging(tmp_path_factory, shared_runtime):
    folder = tmp_path_factory.mktemp("reconhecer-staging")
    return folder, capture(folder, "staging-local.mapa.toml", shared_runtime)


@pytest.fixture(scope="module")
def from_staging_on_b(tmp_path_factory, shared_runtime):
    """The same capture against the sandbox's second personality (profile embutido-b), whose guessed
    names, keys and shapes all differ from embutido's: what it captures must be b's, not a's."""
    folder = tmp_path_factory.mktemp("reconhecer-staging-b")
    return folder, capture(folder, "staging-local.mapa.toml", shared_runtime, profile="embutido-b")


def test_the_draft_from_the_embedded_stack_is_the_embedded_map(from_embedded):
    folder, ran = from_embedded
    assert ran.code == 0, ran.output[-3000:]
    draft = folder / "rascunho" / "embutido.mapa.toml"
    assert draft.read_bytes() == EMBEDDED.read_bytes()
    assert (folder / "rascunho" / "embutido.mapa.diff").read_text(encoding="utf-8") == ""
    assert "capturadas: 0; divergentes: 0; desconhecidas: 0" in ran.stdout


def test_the_capture_records_what_the_stack_showed(from_embedded):
    folder, _ = from_embedded
    seen = folder / "rascunho" / "embutido"
    assert "offer: " in (seen / "wl-01.esquema.txt").read_text(encoding="utf-8")
    assert "imported_offer: " in (seen / "wl-03.esquema.txt").read_text(encoding="utf-8")
    assert '"export_offers"' in (seen / "respostas.json").read_text(encoding="utf-8")
    screens = {p.name for p in (seen / "telas").glob("*.aria.yml")}
    assert {"admin-login.aria.yml", "admin-trades.aria.yml", "store-sign_in.aria.yml"} <= screens
    assert '- textbox "E-mail"' in (seen / "telas" / "admin-login.aria.yml").read_text(encoding="utf-8")


def test_from_the_runbook_s_facts_alone_every_captured_value_is_the_sandbox_s(from_staging):
    folder, ran = from_staging
    assert ran.code == 0, ran.output[-3000:]
    draft = load_map(folder / "rascunho" / "embutido.mapa.toml")
    embedded = load_map(EMBEDDED)
    captured = {name: e for name, e in draft.entries.items() if e.state == "capturado"}
    wrong = {n: (e.value, e.role, embedded.entries[n].value, embedded.entries[n].role) for n, e in captured.items()
             if (e.value, e.role) != (embedded.entries[n].value, embedded.entries[n].role)}
    assert wrong == {}
    assert all(e.source.startswith("capturado de embutido em ") and e.note for e in captured.values())
    assert {"wl.exporter.offer.price", "wl.importer.imported_offer.origin_offer_id", "wl.exporter.export_offers.items",
            "wl.exporter.export_offers.paging", "wl.exporter.export_offers.timestamps", "wl.importer.error.key",
            "ui.admin.login.email", "ui.admin.heading.pending", "ui.admin.pending.counter",
            "ui.admin.balance.select_style", "ui.admin.signed_in", "ui.store.route.sign_in",
            "ui.store.sign_in.token"} <= set(captured), sorted(set(embedded.entries) - set(captured))
    facts = {n for n, e in embedded.entries.items() if e.state in ("fato", "documentado")}
    assert all(draft.entries[n] == embedded.entries[n] for n in facts)  # the runbook's facts, untouched


def test_on_personality_b_every_captured_value_is_b_s_not_a_s(from_staging_on_b):
    folder, ran = from_staging_on_b
    assert ran.code == 0, ran.output[-3000:]
    draft = load_map(folder / "rascunho" / "embutido-b.mapa.toml")
    b, a = load_map(REPO / "profiles" / "embutido-b.mapa.toml"), load_map(EMBEDDED)
    captured = {name: e for name, e in draft.entries.items() if e.state == "capturado"}
    wrong = {n: (e.value, b.entries[n].value) for n, e in captured.items()
             if (e.value, e.role) != (b.entries[n].value, b.entries[n].role)}
    assert wrong == {}
    # b's guesses differ from a's, so a capture that echoed embutido's values would fail above
    assert all(e.value != a.entries[n].value for n, e in captured.items()), sorted(captured)
    assert {"wl.exporter.export_offers.item.category", "wl.exporter.export_offers.items", "wl.importer.error.key",
            "ui.store.route.sign_in"} <= set(captured), sorted(captured)
