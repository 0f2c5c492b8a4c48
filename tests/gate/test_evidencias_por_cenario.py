"""A failing run of a whole feature leaves one evidence folder per failing scenario (issue 12): a feature
with a name far longer than a folder name, whose scenarios — a plain one and every row of an outline — all
start with the same long words and all fail, through the suite's real hooks on the embedded sandbox."""
from __future__ import annotations

import pytest
from gatekit import REPO, clean_environ, project, run

LONG = "Uma funcionalidade de nome muito comprido, que repete o começo de todos os seus cenários e passa dos limites"
COMMON = "Um cenário de nome comprido que começa igual aos outros cenários desta funcionalidade e falha"

FEATURE = f"""# language: pt
Funcionalidade: {LONG}

  Cenário: {COMMON}, o primeiro
    Então a verificação falha com "um"

  Esquema do Cenário: {COMMON}, numa linha de exemplos
    Então a verificação falha com "<valor>"

    Exemplos:
      | valor |
      | dois  |
      | três  |
      | quatro |

  Cenário: Um cenário que passa
    Então nada acontece
"""

STEPS = '''from behave import then


@then('a verificação falha com "{valor}"')
def step_fails(context, valor):
    """Falha com o valor.

    Exemplo: Então a verificação falha com "um"
    """
    raise AssertionError(f"falhou: {valor}")


@then("nada acontece")
def step_nothing(context):
    """Passa.

    Exemplo: Então nada acontece
    """
'''


@pytest.fixture(scope="module")
def failing_feature(tmp_path_factory):
    folder = project(tmp_path_factory.mktemp("evidencias"), FEATURE, STEPS)
    env = clean_environ(XPORY_RUNTIME_DIR=str(REPO / ".xpory"), XPORY_REPORTS_DIR=str(folder / "reports"))
    ran = run(["bash", str(REPO / ".ci" / "portao")], cwd=folder, env=env, timeout=300)
    return folder, ran


def test_one_evidence_folder_per_failing_scenario(failing_feature):
    folder, ran = failing_feature
    assert ran.code == 1, ran.output
    assert "o produto está errado: 4 de 5 cenários falharam" in ran.stdout, ran.stdout[-2000:]
    folders = sorted(p for p in (folder / "reports" / "evidencias").iterdir() if p.is_dir())
    assert len(folders) == 4, [p.name for p in folders]
    for path in folders:
        assert (path / "http.log").is_file() and (path / "world.json").is_file(), path
        assert path.name.startswith("teste-L") and len(path.name) <= 110, path.name


def test_each_folder_names_its_scenario_readably(failing_feature):
    folder, _ = failing_feature
    names = [p.name for p in (folder / "reports" / "evidencias").iterdir()]
    lines = {int(name.split("-L", 1)[1].split("-", 1)[0]) for name in names}
    expected = {number for number, text in enumerate(FEATURE.splitlines(), start=1)
                if "o primeiro" in text or text.strip() in ("| dois  |", "| três  |", "| quatro |")}
    assert lines == expected  # the scenario's line, or its example row's line
    assert all("Um-cenario-de-nome-comprido" in name for name in names), names
