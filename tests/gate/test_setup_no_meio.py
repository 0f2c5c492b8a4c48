"""A setup problem met inside a step, on the embedded sandbox, through the suite's real hooks and the CI
gate: a step kills the sandbox's CP process and then calls it. The run must not end as a failed scenario
("o produto está errado", exit code 1) but as "a suíte não pôde rodar" (exit code 2) naming the process
that died, with the reports and the evidence written and nothing run after it."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from gatekit import REPO, clean_environ, project, run

FEATURE = """# language: pt
Funcionalidade: Um processo da stack morre no meio
  Cenário: Um cenário que passa antes
    Então nada acontece

  Cenário: O CP morre durante um passo
    Quando o processo do CP do sandbox morre e a suíte chama o CP

  Cenário: Um cenário que não chega a rodar
    Então nada acontece
"""

STEPS = '''"""Passos que derrubam o CP do sandbox no meio do cenário."""
from behave import then, when


@when("o processo do CP do sandbox morre e a suíte chama o CP")
def step_cp_dies(context):
    """Mata o processo cp do sandbox e faz o login do MASTER (conexão recusada).

    Exemplo: Quando o processo do CP do sandbox morre e a suíte chama o CP
    """
    import os
    import signal

    from support.wait import until

    pid = context.session.stack.processes()["cp"]["pid"]  # the launcher's endpoints file names its children
    os.kill(pid, signal.SIGKILL)
    until(lambda: not os.path.exists(f"/proc/{pid}"), bool, timeout=10, describe="o CP morrer", interval=0.01)
    context.session.cp_admin.login()


@then("nada acontece")
def step_nothing(context):
    """Passa.

    Exemplo: Então nada acontece
    """
'''


@pytest.fixture(scope="module")
def dying_run(tmp_path_factory, shared_runtime):
    folder = project(tmp_path_factory.mktemp("morre"), FEATURE, STEPS)
    env = clean_environ(XPORY_RUNTIME_DIR=str(shared_runtime), XPORY_REPORTS_DIR=str(folder / "reports"))
    return folder, run(["bash", str(REPO / ".ci" / "portao")], cwd=folder, env=env, timeout=300)


def test_the_gate_says_the_suite_could_not_run_and_names_the_process(dying_run):
    folder, ran = dying_run
    assert ran.code == 2, ran.output
    last = ran.stdout.rstrip().splitlines()[-1]
    assert last.startswith("== portão: a suíte não pôde rodar: o processo cp do sandbox terminou durante a execução"), last
    assert last.endswith("(código 2)") and "o produto está errado" not in ran.stdout
    message = ran.stderr.split("A suíte não pôde rodar: ", 1)[1]
    assert message.startswith("o processo cp do sandbox terminou durante a execução (código -9). Log: ")
    assert "cp.log" in message.splitlines()[0]
    assert (folder / "reports" / "nao-pode-rodar.txt").read_text().startswith("o processo cp do sandbox terminou")


def test_the_reports_and_the_evidence_are_written_and_nothing_ran_after(dying_run):
    folder, _ = dying_run
    junit = list((folder / "reports" / "junit").glob("TESTS-*.xml"))
    assert len(junit) == 1
    cases = {case.get("name"): case for case in ET.parse(junit[0]).getroot().iter("testcase")}
    assert cases["Um cenário que passa antes"].get("status") == "passed"
    assert cases["O CP morre durante um passo"].find("error") is not None
    assert cases["Um cenário que não chega a rodar"].get("status") == "untested"
    assert (folder / "reports" / "relatorio.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    evidence = [p.name for p in (folder / "reports" / "evidencias").iterdir()]
    line = next(n for n, text in enumerate(FEATURE.splitlines(), 1) if "Cenário: O CP morre durante um passo" in text)
    assert evidence == [f"teste-L{line}-O-CP-morre-durante-um-passo"]
    http_log = (folder / "reports" / "evidencias" / evidence[0] / "http.log").read_text()
    assert "POST https://localhost:" in http_log and "/admin/api/auth/login" in http_log
