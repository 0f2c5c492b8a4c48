"""Parallel runs (tools/paralelo.py through .ci/portao --paralelo): two workers, each with its own
embedded stack started at the same time in a fresh runtime folder (so the PostgreSQL template and the
PKI are created under concurrent first use), and one merged result: every scenario exactly once in the
JUnit set, the HTML report, the Allure results and the timings; the failing scenario's evidence in the
main reports folder, linked from the merged HTML; the verdict of the whole; no secret anywhere. A shared
stack is refused before anything starts.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
from gatekit import JWT, REPO, clean_environ, run

from tools import paralelo

ADMIN_PASSWORD = "adm-Par4-Segredo-77"

FEATURES = {
    "a.feature": """# language: pt
Funcionalidade: Parte A
  Cenário: A1 passa
    Então nada acontece

  Cenário: A2 falha com um segredo
    Então a verificação falha com a senha do MASTER
""",
    "b.feature": """# language: pt
Funcionalidade: Parte B
  Cenário: B1 passa
    Então nada acontece

  Cenário: B2 passa
    Então nada acontece
""",
    "c.feature": """# language: pt
Funcionalidade: Parte C
  Cenário: C1 passa
    Então nada acontece

  @wip
  Cenário: C2 fica de fora
    Então nada acontece
""",
}
STEPS = '''from behave import then


@then("nada acontece")
def step_nothing(context):
    """Passa.

    Exemplo: Então nada acontece
    """


@then("a verificação falha com a senha do MASTER")
def step_fails(context):
    """Falha com a senha na mensagem.

    Exemplo: Então a verificação falha com a senha do MASTER
    """
    print("senha:", context.session.config.admin_password)
    assert False, f"falhou com {context.session.config.admin_password}"
'''
RAN = ["A1 passa", "A2 falha com um segredo", "B1 passa", "B2 passa", "C1 passa"]


@pytest.fixture(scope="module")
def parallel_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("paralelo")
    (folder / "features").mkdir()
    (folder / "steps").mkdir()
    for name in ("behave.ini", "environment.py"):
        (folder / name).write_text((REPO / name).read_text(encoding="utf-8"), encoding="utf-8")
    for name, text in FEATURES.items():
        (folder / "features" / name).write_text(text, encoding="utf-8")
    (folder / "steps" / "teste_steps.py").write_text(STEPS, encoding="utf-8")
    env = clean_environ(XPORY_RUNTIME_DIR=str(folder / "runtime"), XPORY_REPORTS_DIR=str(folder / "reports"),
                        XPORY_ADMIN_PASSWORD=ADMIN_PASSWORD, XPORY_TRADER_PASSWORD=ADMIN_PASSWORD)
    ran = run(["bash", str(REPO / ".ci" / "portao"), "--paralelo", "2", "-f", "progress"], cwd=folder, env=env,
              timeout=300)
    return folder, ran


def test_the_verdict_is_the_whole_runs(parallel_run):
    folder, ran = parallel_run
    assert ran.code == 1, ran.output
    assert "== execução paralela (2 trabalhador(es)):" in ran.stdout
    assert re.search(r"trabalhador-1 \(.+\): cenários falharam em", ran.stdout) or \
        re.search(r"trabalhador-2 \(.+\): cenários falharam em", ran.stdout), ran.stdout
    assert "  - A2 falha com um segredo" in ran.stdout
    assert ran.stdout.rstrip().endswith(
        f"== portão: o produto está errado: 1 de 5 cenários falharam (evidências em {folder}/reports/evidencias/) (código 1)")


def test_each_worker_had_its_own_stack(parallel_run):
    folder, _ = parallel_run
    runs = sorted((folder / "runtime" / "runs").glob("*-*"))
    assert len(runs) == 2 and all((r / "logs" / "cp.log").is_file() for r in runs)
    parts = sorted(p.name for p in (folder / "reports" / "partes").iterdir())
    assert parts == ["trabalhador-1", "trabalhador-2"]
    states = [json.loads((folder / "reports" / "partes" / p / "estado.json").read_text()) for p in parts]
    assert sorted(f for s in states for f in s["features"]) == ["features/a.feature", "features/b.feature",
                                                                "features/c.feature"]


def test_junit_holds_every_scenario_once(parallel_run):
    folder, _ = parallel_run
    cases = Counter()
    for path in (folder / "reports" / "junit").glob("TESTS-*.xml"):
        cases.update(case.get("name") for case in ET.parse(path).getroot().iter("testcase"))
    assert cases == Counter(RAN)


def test_one_html_report_holds_every_scenario_once(parallel_run):
    folder, _ = parallel_run
    html = (folder / "reports" / "relatorio.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert Counter(re.findall(r"Scenario: ([^<]+)<", html)) == Counter(RAN)
    assert sorted(re.findall(r"Feature: (Parte .)<", html)) == ["Parte A", "Parte B", "Parte C"]
    ids = re.findall(r'<section class="feature-filter-container[^"]*" id="(f\d+)"', html)
    assert sorted(ids) == ["f1", "f2", "f3"]  # renumbered: the parts' features do not share ids
    assert "Global Summary" in html


def test_allure_holds_every_scenario_once(parallel_run):
    folder, _ = parallel_run
    results = [json.loads(p.read_text(encoding="utf-8")) for p in (folder / "reports" / "allure-results").glob("*-result.json")]
    assert Counter(r["name"] for r in results) == Counter(RAN)
    failed = next(r for r in results if r["name"] == "A2 falha com um segredo")
    assert failed["status"] == "failed" and "falhou com ***" in failed["statusDetails"]["message"]
    names = {a["name"] for step in failed["steps"] for a in step.get("attachments", [])} | \
        {a["name"] for a in failed.get("attachments", [])}
    assert {"Chamadas HTTP do cenário (http.log)", "Estado do cenário (context.world)"} <= names


def test_timings_hold_every_scenario_once(parallel_run):
    folder, _ = parallel_run
    data = json.loads((folder / "reports" / "tempos.json").read_text(encoding="utf-8"))
    assert Counter(s["name"] for s in data["scenarios"]) == Counter(RAN)
    assert sorted(w["name"] for w in data["workers"]) == ["trabalhador-1", "trabalhador-2"]
    assert data["total_seconds"] > 0


def test_the_failing_scenarios_evidence_is_in_the_main_folder_and_linked(parallel_run):
    folder, _ = parallel_run
    line = next(n for n, text in enumerate(FEATURES["a.feature"].splitlines(), 1) if "A2 falha" in text)
    name = f"a-L{line}-A2-falha-com-um-segredo"  # support.evidence.evidence_name: file, line, scenario
    evidence = folder / "reports" / "evidencias" / name
    assert (evidence / "http.log").is_file() and (evidence / "world.json").is_file()
    html = (folder / "reports" / "relatorio.html").read_text(encoding="utf-8")
    assert f'href="evidencias/{name}"' in html


def test_no_secret_in_the_merged_reports(parallel_run):
    folder, ran = parallel_run
    leaks = []
    for path in [*(folder / "reports").rglob("*")]:
        if path.is_file() and path.suffix not in (".png", ".zip", ".parte"):
            text = path.read_text(encoding="utf-8", errors="replace")
            leaks += [str(path.relative_to(folder)) for s in (ADMIN_PASSWORD,) if s in text]
            leaks += [f"{path.relative_to(folder)}: JWT" for _ in JWT.findall(text)]
    assert ADMIN_PASSWORD not in ran.output
    assert leaks == []


def test_a_shared_stack_is_refused_before_anything_starts(tmp_path):
    env = clean_environ(XPORY_PERFIL="staging-local", XPORY_REPORTS_DIR=str(tmp_path / "reports"))
    ran = run(["bash", str(REPO / ".ci" / "portao"), "--paralelo", "2"], cwd=REPO, env=env, timeout=60)
    assert ran.code == 2, ran.output
    assert "execução paralela recusada: o perfil staging-local usa uma stack compartilhada (XPORY_STACK=compose)" \
        in ran.stdout
    assert "o reset do runbook é global" in ran.stdout
    assert not (tmp_path / "reports" / "partes").exists()


# --- the split and the merged exit code, as functions ---------------------------------------------------------
def test_the_split_balances_the_weights_and_is_deterministic():
    weights = {"a": 14.0, "b": 9.0, "c": 8.0, "d": 5.0, "e": 11.0, "f": 7.0, "g": 2.0}
    buckets = paralelo.split(weights, 2)
    assert sorted(f for b in buckets for f in b) == sorted(weights)
    loads = sorted(sum(weights[f] for f in b) for b in buckets)
    assert loads[1] <= 28.0 * (4 / 3 - 1 / 6)  # longest-first's bound over the best split (28 + 28)
    assert loads[1] - loads[0] <= 2.0  # here: the last (smallest) feature is all that separates them
    assert paralelo.split(dict(reversed(list(weights.items()))), 2) == buckets
    assert paralelo.split({"a": 1.0}, 3) == [["a"]]  # never an empty worker


def test_paths_are_told_from_option_values():
    options, paths = paralelo.path_args(["--tags", "features", "-f", "progress", "features", "-D", "x=y"])
    assert paths == ["features"] and options == ["--tags", "features", "-f", "progress", "-D", "x=y"]


def test_the_merged_code(tmp_path):
    def part(name: str, code: int, shard: str | None = None) -> Path:
        (tmp_path / name).mkdir()
        (tmp_path / name / paralelo.STATE).write_text(json.dumps({"code": code, "shard": shard}))
        return tmp_path / name

    green, red = part("p1", 0, "1/2"), part("p2", 1, "2/2")
    assert paralelo.merged_code([green]) == (0, [])
    assert paralelo.merged_code([green, red], expected_shards=2) == (1, [])
    assert paralelo.merged_code([green, part("p3", 2)]) == (
        2, ["p3: o behave terminou com código 2 (a suíte não pôde rodar; veja p3/saida.log)"])
    assert paralelo.merged_code([green], expected_shards=2) == (2, ["a parte 2/2 não chegou"])
    assert paralelo.merged_code([tmp_path / "nenhuma"]) == (2, [f"a parte nenhuma não tem {paralelo.STATE} "
                                                                "(o trabalhador não terminou?)"])
    assert paralelo.merged_code([]) == (2, ["nenhuma parte para juntar"])


def test_the_ci_parts_are_disjoint_and_cover_the_selected_features(monkeypatch, tmp_path):
    monkeypatch.chdir(REPO)
    args = ["--tags=not @ui"]
    parts = [paralelo.plan(args, 1, (k, 3), tmp_path) for k in (1, 2, 3)]
    files = [f for part in parts for bucket in part for f in bucket]
    ui_features = {"features/ui_admin.feature", "features/ui_loja.feature"}
    expected = {str(p.relative_to(REPO)) for p in (REPO / "features").glob("*.feature")} - ui_features
    assert sorted(files) == sorted(expected)  # each once, none left out, the @ui-only ones not selected
    assert paralelo.plan(args, 1, (2, 3), tmp_path) == parts[1]  # every runner computes the same split
    with pytest.raises(paralelo.Refused, match="K/M"):
        paralelo.parse_shard("2")
