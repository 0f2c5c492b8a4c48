"""The mutant catalogue (tools/mutantes.toml) and the mutation tool's own logic (tools/mutacao.py), without
running the gate: every mutant still applies to the sandbox exactly once, and the tool reads behave's JUnit,
plans its phases, samples and reports as documented."""
from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from tools import mutacao, mutantes
from tools.mutantes import CatalogueError, Mutant

AREAS = {"reset", "export_policy", "trades", "validacao_cp", "preflight", "ui", "seguranca"}


@pytest.fixture(scope="module")
def catalogue():
    return mutantes.load()


def test_every_mutant_snippet_occurs_exactly_once_in_its_sandbox_file(catalogue):
    assert mutantes.check(catalogue) == []
    for mutant in catalogue.mutants:
        text = (mutantes.ROOT / mutant.file).read_text(encoding="utf-8")
        assert text.count(mutant.snippet) == 1, mutant.id
        assert mutant.apply(text) != text, mutant.id


def test_the_catalogue_has_at_least_30_mutants_over_every_area(catalogue):
    assert len(catalogue.mutants) >= 30
    assert set(catalogue.areas) == AREAS
    assert {m.area for m in catalogue.mutants} == AREAS
    assert all(m.file.startswith("sandbox/") for m in catalogue.mutants)


def test_each_area_names_behave_tags_of_existing_scenarios(catalogue):
    features = "".join(p.read_text(encoding="utf-8") for p in (mutantes.ROOT / "features").glob("*.feature"))
    for area in catalogue.areas.values():
        for tag in (t for t in area.tags.replace("(", " ").replace(")", " ").split() if t.startswith("@")):
            assert tag in features, f"área {area.name}: nenhuma funcionalidade tem a tag {tag}"


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "mutantes.toml"
    path.write_text('[areas.reset]\ntags = "@reset"\n\n' + body, encoding="utf-8")
    return path


MUTANT = '[[mutante]]\nid = "{id}"\narea = "{area}"\narquivo = "sandbox/x.py"\ntrecho = "a = 1"\ntroca = "a = 2"\nbug = "b"\n'


@pytest.mark.parametrize("body, problem", [
    (MUTANT.format(id="um", area="reset") * 2, "id repetido"),
    (MUTANT.format(id="um", area="ui"), "área 'ui' desconhecida"),
    (MUTANT.format(id="Um_1", area="reset"), "o id deve ser"),
    (MUTANT.format(id="um", area="reset").replace('bug = "b"\n', ""), "faltam bug"),
    (MUTANT.format(id="um", area="reset") + 'extra = "x"\n', "chaves desconhecidas extra"),
    (MUTANT.format(id="um", area="reset").replace('"a = 2"', '"a = 1"'), "igual ao trecho"),
    (MUTANT.format(id="um", area="reset").replace("sandbox/x.py", "support/x.py"), "só o sandbox"),
])
def test_a_malformed_catalogue_is_refused_naming_the_mutant(tmp_path, body, problem):
    with pytest.raises(CatalogueError, match=problem):
        mutantes.load(_write(tmp_path, body))


def test_a_snippet_that_moved_or_repeats_fails_loudly(tmp_path):
    catalogue = mutantes.load(_write(tmp_path, MUTANT.format(id="um", area="reset")))
    (tmp_path / "sandbox").mkdir()
    target = tmp_path / "sandbox" / "x.py"
    target.write_text("b = 1\n", encoding="utf-8")
    assert "ocorre 0 vez(es)" in mutantes.check(catalogue, tmp_path)[0]
    target.write_text("a = 1\na = 1\n", encoding="utf-8")
    assert "ocorre 2 vez(es)" in mutantes.check(catalogue, tmp_path)[0]
    target.write_text("a = 1\n", encoding="utf-8")
    assert mutantes.check(catalogue, tmp_path) == []


def _args(**given) -> argparse.Namespace:
    args = mutacao.parse_args([])
    for key, value in given.items():
        setattr(args, key, value)
    return args


def test_phases_run_the_area_first_then_the_rest_or_only_the_chosen_scenarios(catalogue):
    mutant = next(m for m in catalogue.mutants if m.area == "ui")
    assert mutacao.phases(mutant, catalogue, _args()) == [
        ("área", ["--tags", "(@ui) and not @wip"]), ("resto", ["--tags", "(not (@ui)) and not @wip"])]
    assert mutacao.phases(mutant, catalogue, _args(so_area=True)) == [("área", ["--tags", "(@ui) and not @wip"])]
    assert mutacao.phases(mutant, catalogue, _args(cenario="balança")) == [
        ("seleção", ["-n", "balança", "--tags", "not @wip"])]
    assert mutacao.phases(mutant, catalogue, _args(tags="@trades")) == [
        ("seleção", ["--tags", "(@trades) and not @wip"])]


def test_the_rotating_sample_is_a_slice_that_moves_with_the_seed(catalogue):
    everyone = catalogue.mutants
    first, second = mutacao.sample(everyone, 3, 0), mutacao.sample(everyone, 3, 1)
    assert len(first) == len(second) == 3
    assert [m.id for m in first] == [m.id for m in everyone[:3]]
    assert [m.id for m in second] == [m.id for m in everyone[3:6]]
    assert mutacao.sample(everyone[:2], 5, 0) == everyone[:2]


def test_selection_by_id_and_area_and_unknown_names(catalogue):
    assert [m.id for m in mutacao.select(catalogue, _args(ids=["busca-nao-esconde"]))] == ["busca-nao-esconde"]
    assert {m.area for m in mutacao.select(catalogue, _args(area="ui,preflight"))} == {"ui", "preflight"}
    with pytest.raises(CatalogueError, match="desconhecidos: nao-existe"):
        mutacao.select(catalogue, _args(ids=["nao-existe"]))
    with pytest.raises(CatalogueError, match="áreas desconhecidas: loja"):
        mutacao.select(catalogue, _args(area="loja"))


JUNIT = """<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="trades.Trocas" tests="3" errors="0" failures="1" skipped="1">
  <testcase classname="trades.Trocas entre white labels" name="Vinte compras" status="passed" time="1"/>
  <testcase classname="trades.Trocas entre white labels" name="Aprovações e rejeições" status="failed" time="2">
    <failure type="AssertionError" message="saldo X$: esperado 10, veio 12&#10;segunda linha">trace</failure>
  </testcase>
  <testcase classname="trades.Trocas entre white labels" name="Detalhes" status="skipped" time="0"/>
</testsuite>
"""


def test_the_killer_is_read_from_behave_junit(tmp_path):
    (tmp_path / "TESTS-trades.xml").write_text(JUNIT, encoding="utf-8")
    assert mutacao.junit_failures(tmp_path) == [
        {"scenario": "trades: Aprovações e rejeições", "message": "saldo X$: esperado 10, veio 12"}]
    assert mutacao.junit_failures(tmp_path / "nada") == []


def test_a_scratch_copy_gets_the_bug_and_then_the_original_back(tmp_path):
    scratch = mutacao.Scratch.__new__(mutacao.Scratch)
    scratch.path = tmp_path
    (tmp_path / "sandbox").mkdir()
    target = tmp_path / "sandbox" / "x.py"
    target.write_text("a = 1\n", encoding="utf-8")
    mutant = Mutant("um", "reset", "sandbox/x.py", "a = 1", "a = 2", "bug")
    with scratch.mutated(mutant):
        assert target.read_text(encoding="utf-8") == "a = 2\n"
    assert target.read_text(encoding="utf-8") == "a = 1\n"


def test_the_scratch_copy_holds_the_working_tree_not_the_ignored_runtime():
    names = mutacao.worktree_files()
    assert "tools/mutantes.toml" in names and "sandbox/wl/export.py" in names
    assert not any(n.startswith((".xpory/", "reports/", ".git/")) for n in names)


def _outcome(id_, result, area="ui", in_area=True, reason=None, phase="área"):
    return mutacao.Outcome(id_, area, f"bug {id_}", result=result, killer="ui_admin: X" if result == "morto" else None,
                           phase=phase if result == "morto" else None, in_area=in_area, seconds=10, reason=reason)


def test_summary_and_report_give_the_figure_the_survivors_and_their_reasons():
    outcomes = [_outcome("a", "morto"), _outcome("b", "morto", in_area=False, phase="resto"),
                _outcome("c", "sobreviveu", reason="equivalente"), _outcome("d", "sobreviveu")]
    totals = mutacao.summary(outcomes, 125)
    assert (totals["killed"], totals["total"], totals["percent"], totals["killed_in_area"]) == (2, 4, 50.0, 1)
    assert totals["unexplained"] == ["d"]
    text = mutacao.markdown(outcomes, totals, _args())
    assert "**2/4 mutantes mortos (50,0 %)**" in text and "2 min 05 s" in text
    assert "| `c` | ui | bug c | equivalente |" in text
    assert "| `d` | ui | bug d | **sem motivo registrado** |" in text
    assert "- `b` (ui): ui_admin: X" in text


def test_the_readme_figure_lives_between_the_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"antes\n{mutacao.BEGIN}\nvelho\n{mutacao.END}\ndepois\n", encoding="utf-8")
    mutacao.update_readme("novo\n", readme)
    assert readme.read_text(encoding="utf-8") == f"antes\n{mutacao.BEGIN}\nnovo\n{mutacao.END}\ndepois\n"
    assert mutacao.BEGIN in mutacao.README.read_text(encoding="utf-8"), "o README precisa dos marcadores"


def test_the_sandbox_of_a_mutant_is_always_the_embedded_one(monkeypatch):
    monkeypatch.setenv("XPORY_PERFIL", "staging-local")
    monkeypatch.setenv("SANDBOX_HOLD_TTL_SECONDS", "99")
    env = mutacao.sandbox_env()
    assert env["XPORY_PERFIL"] == "embutido" and "SANDBOX_HOLD_TTL_SECONDS" not in env
