"""Living documentation: docs/passos.md is the generator's output for the current steps, and every step
has a description and an example its own pattern matches."""
from __future__ import annotations

import subprocess
import sys

from gatekit import REPO

from tools import catalogo


def test_every_step_has_a_description_and_an_example_that_runs():
    steps = catalogo.collect()
    assert len(steps) > 50
    assert catalogo.problems(steps) == []


def test_the_catalogue_is_up_to_date():
    current = catalogo.OUTPUT.read_text(encoding="utf-8") if catalogo.OUTPUT.exists() else ""
    assert current == catalogo.render(catalogo.collect()), (
        "docs/passos.md está desatualizado: rode python -m tools.catalogo")


def test_the_catalogue_lists_every_step_pattern_once_with_its_example():
    text = catalogo.OUTPUT.read_text(encoding="utf-8")
    for step in catalogo.collect():
        assert text.count(f"`{step.pattern}`  ") == 1, step.pattern
        assert f"Exemplo: `{step.example}`" in text


def test_problems_name_the_step_and_what_is_missing(tmp_path):
    (tmp_path / "x_steps.py").write_text('''
from behave import given, then

@given("que existe {n:d} coisa")
def sem_doc(context, n):
    pass

@then("tudo certo")
def sem_exemplo(context):
    """Confere tudo."""

@then("o total é {n:d}")
def exemplo_errado(context, n):
    """Confere o total.

    Exemplo: Então o total é muito
    """

@given("que a conta {conta} existe")
@given("que as contas {contas} existem")
def dois_padroes(context, conta=None, contas=None):
    """Cria contas.

    Exemplo: Dado que a conta 1 existe
    Exemplo: Dado que as contas 1 e 2 existem
    """
''', encoding="utf-8")
    found = catalogo.problems(catalogo.collect(tmp_path))
    assert len(found) == 4, found
    assert "x_steps.py:5 (sem_doc): a docstring não descreve" in found[0]
    assert "x_steps.py:5 (sem_doc): a docstring não tem a linha 'Exemplo: ...'" in found[1]
    assert "(sem_exemplo): a docstring não tem a linha 'Exemplo: ...'" in found[2]
    assert "(exemplo_errado): nenhum exemplo" in found[3] and "'o total é {n:d}'" in found[3]


def test_the_generator_runs_as_a_module_and_verifies():
    done = subprocess.run([sys.executable, "-m", "tools.catalogo", "--verificar"], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_every_typed_parameter_lists_all_its_values_in_the_catalogue():
    from support import policy_table, vocabulary

    text = catalogo.OUTPUT.read_text(encoding="utf-8")
    for vocab in vocabulary.TYPES:
        for phrase in vocab.values:
            assert f"`{phrase}`" in text, f"{vocab.name}: {phrase!r} não está em docs/passos.md"
    for _, shown, _, _ in policy_table.REFERENCES:
        assert f"`{shown}`" in text, f"referência da export_policy {shown!r} não está em docs/passos.md"
    for step in catalogo.collect():
        for name, vocab in catalogo.typed_parameters(step.pattern):
            assert f"Valores de `{name}` ({vocab.name}): " in text, step.pattern


def test_a_value_outside_a_vocabulary_leaves_the_step_undefined():
    """The pattern of a typed parameter accepts its phrases (any case, with or without accents) and
    nothing else, so behave cannot match a wrong value: the step is undefined at dry-run time."""
    import parse

    from support import vocabulary

    pattern = parse.compile("entro como {papel:Papel} e consulto {o_que:ConsultaAdmin}", extra_types=catalogo.TYPES,
                            case_sensitive=True)
    assert pattern.parse("entro como trader e consulto os Usuarios do CP").named == {"papel": "TRADER",
                                                                                    "o_que": "/users"}
    assert pattern.parse("entro como ADMIN e consulto os usuários do CP") is None
    assert pattern.parse("entro como MASTER e consulto as vendas") is None
    assert vocabulary.PAPEL.convert("Manager") == "MANAGER"


def test_every_vocabulary_is_a_parameter_of_some_step():
    from support import vocabulary

    used = {kind for step in catalogo.collect() for _, kind in catalogo.TYPED.findall(step.pattern)}
    declared = {v.name for v in vocabulary.TYPES} | {t.name for t in vocabulary.OPEN_TYPES}
    assert declared - used == set(), "tipos que nenhum passo usa"


def test_the_editor_settings_are_generated_and_know_every_typed_value():
    import json

    settings = json.loads(catalogo.VSCODE.read_text(encoding="utf-8"))
    assert catalogo.VSCODE.read_text(encoding="utf-8") == catalogo.render_vscode(catalogo.collect()), (
        ".vscode/settings.json está desatualizado: rode python -m tools.catalogo")
    assert settings["cucumberautocomplete.steps"] == ["steps/*.py"]
    custom = {item["parameter"]: item["value"] for item in settings["cucumberautocomplete.customParameters"]}
    assert "MANAGER" in custom["{papel:Papel}"] and custom["{n:d}"] == "(\\d+)"
