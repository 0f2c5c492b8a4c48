"""The gate refuses undefined steps before running anything: .ci/passos-indefinidos (called by .ci/run)
runs `behave --dry-run` and exits 3, listing the step; the real suite has none."""
from __future__ import annotations

from gatekit import REPO, clean_environ, project, run

STEPS = '''from behave import given


@given("que algo existe")
def step_exists(context):
    """Nada.

    Exemplo: Dado que algo existe
    """
'''
CHECK = ["bash", str(REPO / ".ci" / "passos-indefinidos")]


def test_an_undefined_step_fails_the_gate_with_code_3_and_names_the_step(tmp_path):
    folder = project(tmp_path, "# language: pt\nFuncionalidade: x\n  Cenário: y\n    Dado que algo existe\n"
                               "    Quando algo que ninguém definiu acontece\n", STEPS)
    ran = run(CHECK, cwd=folder, env=clean_environ())
    assert ran.code == 3, ran.output
    assert "Há passos sem definição" in ran.stdout
    assert "Quando algo que ninguém definiu acontece" in ran.stdout
    assert "features/teste.feature:5" in ran.stdout
    assert not (folder / "reports").exists()  # a dry run: no hooks, no stack, no reports


def test_an_unreadable_feature_is_code_2_not_an_undefined_step(tmp_path):
    folder = project(tmp_path, "# language: pt\nFuncionalidade: x\n  Cenário: y\n    Dado que algo existe\n"
                               "  isto não é Gherkin\n", STEPS)
    ran = run(CHECK, cwd=folder, env=clean_environ())
    assert ran.code == 2, ran.output
    assert "não pôde ser lida" in ran.stdout


def test_every_step_of_the_suite_is_defined():
    ran = run(CHECK, cwd=REPO, env=clean_environ())
    assert ran.code == 0, ran.output
    assert "Todos os passos têm definição." in ran.stdout


def test_ci_run_calls_the_check_and_maps_its_codes():
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash .ci/passos-indefinidos" in script
    assert script.index("python -m pytest") < script.index(".ci/passos-indefinidos") < script.index('.ci/portao "$@"')
    assert 'finish 3 "há passos sem definição' in script
