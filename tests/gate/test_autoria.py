"""The authoring test (issue 13): tests/autoria/*.feature are new scenarios written only from the step
catalogue (docs/passos.md), never with a new step definition. They must parse with no undefined step and
run green on the embedded stack; and a value outside a typed parameter's list is an undefined step
already at `behave --dry-run` time."""
from __future__ import annotations

import re
import shutil
import uuid

import pytest
from gatekit import REPO, behave, clean_environ, run

AUTORIA = REPO / "tests" / "autoria"
CHECK = ["bash", str(REPO / ".ci" / "passos-indefinidos")]


def test_there_are_authoring_scenarios_in_several_domains():
    features = sorted(AUTORIA.glob("*.feature"))
    assert len(features) >= 4, features
    text = "\n".join(f.read_text(encoding="utf-8") for f in features)
    assert "Esquema do Cenário" in text and "| campo" in text  # outlines and data tables


def test_the_authoring_scenarios_have_no_undefined_step():
    ran = run([*CHECK, "tests/autoria"], cwd=REPO, env=clean_environ())
    assert ran.code == 0, ran.output
    assert "Todos os passos têm definição." in ran.stdout


def test_a_value_outside_a_typed_parameter_is_an_undefined_step_at_dry_run():
    folder = REPO / "tests" / f".autoria-{uuid.uuid4().hex[:8]}"  # under the repository: behave finds steps/
    folder.mkdir()
    try:
        (folder / "errado.feature").write_text(
            "# language: pt\nFuncionalidade: x\n  Cenário: y\n    Quando eu entro na API admin como GERENTE\n"
            "    E eu consulto os usuarios do cp na API admin\n    Então a resposta é 200\n", encoding="utf-8")
        ran = run([*CHECK, str(folder.relative_to(REPO))], cwd=REPO, env=clean_environ())
    finally:
        shutil.rmtree(folder)
    assert ran.code == 3, ran.output
    assert "Quando eu entro na API admin como GERENTE" in ran.stdout
    assert "eu consulto os usuarios do cp na API admin" not in ran.stdout.split("UNDEFINED STEPS", 1)[1]


@pytest.fixture(scope="module")
def authoring_run(shared_runtime, tmp_path_factory):
    reports = tmp_path_factory.mktemp("autoria") / "reports"
    env = clean_environ(XPORY_RUNTIME_DIR=str(shared_runtime), XPORY_REPORTS_DIR=str(reports))
    return behave("--no-color", "-f", "progress", "tests/autoria", env=env, timeout=900)


def test_the_authoring_scenarios_run_green_on_the_embedded_stack(authoring_run):
    ran = authoring_run
    assert ran.code == 0, ran.output[-4000:]
    scenarios = re.search(r"(\d+) scenarios? passed, (\d+) failed, (\d+) skipped", ran.stdout)
    assert scenarios, ran.stdout[-2000:]
    passed, failed, skipped = map(int, scenarios.groups())
    assert (passed, failed, skipped) == (_scenario_count(), 0, 0), ran.stdout[-3000:]


def _scenario_count() -> int:
    """Every scenario of tests/autoria, an outline counting one per example row (behave's own parser)."""
    from behave.parser import parse_file

    return sum(len(list(parse_file(str(path)).walk_scenarios())) for path in AUTORIA.glob("*.feature"))
