"""Readiness before the first scenario, through the suite's real hooks on the embedded sandbox: the map is
checked against the live stack, one table per feature is printed, a scenario that needs an unknown or a
divergent entry is skipped as not proven naming it (never erroring in its Contexto), the others run, and
the gate says "não provado" (exit code 4)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from gatekit import REPO, clean_environ, project, run

FEATURE = """# language: pt
Funcionalidade: Prontidão do mapa
  Contexto:
    Dado que o cenário lê a tabela de ofertas do exportador

  Cenário: Precisa do preço, que o mapa não conhece
    Dado que o cenário lê o preço das ofertas
    Então nada acontece

  Cenário: Precisa do estoque, que a stack não tem com esse nome
    Dado que o cenário lê o estoque das ofertas
    Então nada acontece

  Cenário: Só precisa do que está pronto
    Então nada acontece
"""

STEPS = '''"""Passos que leem entradas do mapa da stack."""
from behave import given, then


@given("que o cenário lê a tabela de ofertas do exportador")
def step_table(context):
    """Lê a tabela.

    Exemplo: Dado que o cenário lê a tabela de ofertas do exportador
    """
    assert context.session.stack_map.name("wl.exporter.offer.table") == "offer"


@given("que o cenário lê o preço das ofertas")
def step_price(context):
    """Lê o preço.

    Exemplo: Dado que o cenário lê o preço das ofertas
    """
    context.session.stack_map.name("wl.exporter.offer.price")


@given("que o cenário lê o estoque das ofertas")
def step_stock(context):
    """Lê o estoque.

    Exemplo: Dado que o cenário lê o estoque das ofertas
    """
    context.session.stack_map.name("wl.exporter.offer.stock")


@then("nada acontece")
def step_nothing(context):
    """Passa.

    Exemplo: Então nada acontece
    """
'''


def a_map(folder: Path) -> Path:
    """The embedded map with the price unknown and the stock under a name the sandbox does not have."""
    text = (REPO / "profiles" / "embutido.mapa.toml").read_text(encoding="utf-8")
    text = re.sub(r'\nprice = \{[^}]*\}', '\nprice = { estado = "desconhecido", origem = "teste de prontidão" }', text, count=1)
    text = text.replace('stock = { valor = "stock", estado = "suposição"', 'stock = { valor = "estoque", estado = "capturado"')
    path = folder / "teste.mapa.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def ready_run(tmp_path_factory, shared_runtime):
    folder = project(tmp_path_factory.mktemp("prontidao"), FEATURE, STEPS)
    env = clean_environ(XPORY_RUNTIME_DIR=str(shared_runtime), XPORY_REPORTS_DIR=str(folder / "reports"),
                        XPORY_STACK_MAP=str(a_map(folder)))
    return folder, run(["bash", str(REPO / ".ci" / "portao")], cwd=folder, env=env, timeout=300)


def test_the_readiness_table_is_printed_before_the_first_scenario(ready_run):
    folder, ran = ready_run
    assert "Funcionalidade: Prontidão do mapa (features/teste.feature)" in ran.stderr, ran.output[-3000:]
    assert "3 entradas do mapa — pronto 1 (1 verificados na stack) · desconhecido 1 · divergente 1" in ran.stderr
    assert "divergente   wl.exporter.offer.stock" in ran.stderr and "não tem a coluna estoque" in ran.stderr
    assert "cenários: 1 prontos, 2 serão pulados (não provados)" in ran.stderr
    assert "pronto       wl.exporter.offer.table" in (folder / "reports" / "prontidao.txt").read_text(encoding="utf-8")


def test_a_scenario_needing_an_entry_that_is_not_ready_is_skipped_naming_it_and_the_gate_says_not_proven(ready_run):
    folder, ran = ready_run
    assert ran.code == 4, ran.output[-3000:]
    assert "1 scenario passed, 0 failed, 2 skipped" in ran.stdout
    skipped = (folder / "reports" / "nao-provados.txt").read_text(encoding="utf-8").splitlines()
    assert len(skipped) == 2
    price, stock = skipped
    assert price.startswith("Prontidão do mapa / Precisa do preço, que o mapa não conhece: precisa de 1 entrada(s) "
                            "do mapa da stack que não estão prontas — desconhecidas: wl.exporter.offer.price. Preencha-as em ")
    assert ("divergentes da stack: wl.exporter.offer.stock (a tabela offer de wl-01 (exportador) não tem a coluna "
            "estoque") in stock
    assert all("teste.mapa.toml (ou rode `python -m tools.reconhecer --perfil embutido`)" in line for line in skipped)
