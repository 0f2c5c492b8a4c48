"""A scenario skipped because it cannot be proven on this stack (support/run_outcome.skip_not_proven) is
not green: behave itself ends with 0, but the CI gate says "não provado" with its own exit code (4) and
lists the scenario with its reason. Runs on the embedded sandbox through the suite's real hooks."""
from __future__ import annotations

import pytest
from gatekit import REPO, clean_environ, project, run

FEATURE = """# language: pt
Funcionalidade: Prova parcial
  Cenário: Um cenário que passa
    Então nada acontece

  Cenário: Um cenário que não pode ser provado aqui
    Dado que este cenário altera dados que o perfil não permite alterar
    Então nada acontece
"""

STEPS = '''"""Passos de um cenário pulado como não provado."""
from behave import given, then

from support import run_outcome


@given("que este cenário altera dados que o perfil não permite alterar")
def step_not_allowed(context):
    """Pula o cenário como não provado, com o motivo.

    Exemplo: Dado que este cenário altera dados que o perfil não permite alterar
    """
    run_outcome.skip_not_proven(context, context.scenario, "precisa de XPORY_EXEMPLO=true")


@then("nada acontece")
def step_nothing(context):
    """Passa.

    Exemplo: Então nada acontece
    """
'''


@pytest.fixture(scope="module")
def partial_run(tmp_path_factory, shared_runtime):
    folder = project(tmp_path_factory.mktemp("parcial"), FEATURE, STEPS)
    env = clean_environ(XPORY_RUNTIME_DIR=str(shared_runtime), XPORY_REPORTS_DIR=str(folder / "reports"))
    return folder, run(["bash", str(REPO / ".ci" / "portao")], cwd=folder, env=env, timeout=300)


def test_the_gate_says_not_proven_with_its_own_exit_code(partial_run):
    folder, ran = partial_run
    assert ran.code == 4, ran.output
    assert "1 scenario passed, 0 failed, 1 skipped" in ran.stdout, ran.stdout[-1500:]
    assert "  - Prova parcial / Um cenário que não pode ser provado aqui: precisa de XPORY_EXEMPLO=true" in ran.stdout
    assert ran.stdout.rstrip().splitlines()[-1] == (
        f"== portão: não provado: nada falhou, mas há cenários pulados por não poderem ser provados aqui: 1 "
        f"(lista em {folder / 'reports'}/nao-provados.txt) (código 4)")
    assert (folder / "reports" / "nao-provados.txt").read_text(encoding="utf-8") == (
        "Prova parcial / Um cenário que não pode ser provado aqui: precisa de XPORY_EXEMPLO=true\n")
