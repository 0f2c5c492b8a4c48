"""A scenario made to fail, on the embedded sandbox, through the suite's real hooks and support layer:

- exit code 1 (the product is wrong), JUnit XML and the HTML report written;
- the failing scenario's evidence (HTTP log, World dump, the UI layer's screenshot and trace) is in its
  folder and in the HTML (inline, or linked relative to the HTML file);
- every HTTP call of the scenario is in its http.log: method, URL, status, duration, masked and
  truncated bodies;
- no secret (admin/trader password, .p12 password, buyer tokens, JWTs) appears in the console output,
  the JUnit XML, the HTML, the evidence files or the sandbox's service logs — although the steps
  print, log and raise them.

It runs through .ci/portao, the gate step of .ci/run. The project under tmp_path has its own feature
and deliberately indiscreet steps; behave.ini and
environment.py are copies of the repository's (so the hooks are support/hooks.py, found through
PYTHONPATH). It runs in its own runtime folder: its .p12 password differs from the shared PKI's.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from gatekit import JWT, REPO, clean_environ, project, run

ADMIN_PASSWORD = "adm-Vaz4-Segredo-31"  # the embedded stack's bootstrap users all get this password
P12_PASSWORD = "p12-Vaz4-Segredo-31"
BUYER_TOKEN = "codex-token-3"  # fixed by the sandbox's seed (profile embutido)
QA_TOKEN = "qa-preflight-token"
SECRETS = (ADMIN_PASSWORD, P12_PASSWORD, BUYER_TOKEN, QA_TOKEN)

FEATURE = """# language: pt
Funcionalidade: Falhas de propósito
  Cenário: Uma verificação falha com segredos na mensagem
    Dado que a suíte usou todo tipo de segredo com a stack
    Então a verificação falha mostrando os segredos

  Cenário: Um erro inesperado traz segredos na mensagem
    Dado que a suíte usou todo tipo de segredo com a stack
    Então um erro inesperado mostra os segredos

  Cenário: Um cenário que passa
    Então nada acontece
"""

STEPS = '''"""Passos indiscretos de propósito: usam todo tipo de segredo e falham imprimindo, registrando em log
e levantando exceções com eles."""
import base64
import logging

from behave import given, then

from support.reset import runbook_steps
from support.evidence import evidence_dir
from support.reset.phases import PHASE, reach

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==")


def _secrets(context):
    s, c = context.session, context.session.config
    return {"senha_admin": c.admin_password, "senha_trader": c.trader_password, "senha_p12": c.client_p12_password,
            "token_comprador": c.buyer_token, "token_qa": c.qa_token, "jwt_admin": s.cp_admin._token,
            "peer_token": context.world.peer_token}


@given("que a suíte usou todo tipo de segredo com a stack")
def step_uses_secrets(context):
    """Login do MASTER, peer token via mTLS, compra com o token do comprador, exportação grande.

    Exemplo: Dado que a suíte usou todo tipo de segredo com a stack
    """
    s, c = context.session, context.session.config
    reach(s, PHASE["visibilidade, relacionamentos e contas trader"])
    s.cp_admin.login()
    context.world.peer_token = runbook_steps.peer_token(s)
    context.world.response = s.importer.buy_offer(c.buyer_account_id, c.buyer_token, 999999)
    s.exporter.export_offers(None, limit=200)
    folder = evidence_dir(s, context.scenario)  # what the UI layer leaves for a failing @ui scenario
    (folder / "screenshot.png").write_bytes(PNG)
    (folder / "trace.zip").write_bytes(b"PK\\x05\\x06" + bytes(18))


@then("a verificação falha mostrando os segredos")
def step_fails(context):
    """Imprime, registra e levanta AssertionError com todos os segredos.

    Exemplo: Então a verificação falha mostrando os segredos
    """
    secrets = _secrets(context)
    print("na saída:", secrets)
    logging.getLogger("xpory.teste").error("no log: %s", secrets)
    assert False, f"falha com os segredos: {secrets}"


@then("um erro inesperado mostra os segredos")
def step_errors(context):
    """Levanta RuntimeError (com uma causa encadeada) com todos os segredos.

    Exemplo: Então um erro inesperado mostra os segredos
    """
    secrets = _secrets(context)
    try:
        raise ValueError(f"causa com os segredos: {secrets}")
    except ValueError as cause:
        raise RuntimeError(f"erro com os segredos: {secrets}") from cause


@then("nada acontece")
def step_nothing(context):
    """Passa.

    Exemplo: Então nada acontece
    """
'''


@pytest.fixture(scope="module")
def failing_run(tmp_path_factory):
    folder = project(tmp_path_factory.mktemp("falha"), FEATURE, STEPS)
    env = clean_environ(XPORY_RUNTIME_DIR=str(folder / "runtime"), XPORY_REPORTS_DIR=str(folder / "reports"),
                        XPORY_ADMIN_PASSWORD=ADMIN_PASSWORD, XPORY_TRADER_PASSWORD=ADMIN_PASSWORD,
                        XPORY_CLIENT_P12_PASSWORD=P12_PASSWORD)
    ran = run(["bash", str(REPO / ".ci" / "portao")], cwd=folder, env=env, timeout=300)  # the CI gate step
    return folder, ran


def ran_reports(failing_run) -> str:
    return str(failing_run[0] / "reports")


def report_files(folder: Path) -> dict[str, str]:
    files = {}
    for path in sorted((folder / "reports").rglob("*")):
        if path.is_file() and path.suffix != ".png" and path.suffix != ".zip":
            files[str(path.relative_to(folder))] = path.read_text(encoding="utf-8", errors="replace")
    return files


def without_images(text: str) -> str:
    return re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "data:image", text)


def test_the_gate_says_the_product_is_wrong(failing_run):
    _, ran = failing_run
    assert ran.code == 1, ran.output
    assert "1 scenario passed, 1 failed, 1 error" in ran.stdout, ran.stdout[-2000:]
    assert ran.stdout.rstrip().endswith("== portão: o produto está errado: 2 de 3 cenários falharam "
                                        f"(evidências em {ran_reports(failing_run)}/evidencias/) (código 1)")
    assert "  - Uma verificação falha com segredos na mensagem" in ran.stdout


def test_junit_and_html_are_written(failing_run):
    folder, _ = failing_run
    junit = list((folder / "reports" / "junit").glob("TESTS-*.xml"))
    assert len(junit) == 1
    root = ET.parse(junit[0]).getroot()
    cases = {case.get("name"): case for case in root.iter("testcase")}
    assert cases["Uma verificação falha com segredos na mensagem"].find("failure") is not None
    assert cases["Um erro inesperado traz segredos na mensagem"].find("error") is not None
    assert cases["Um cenário que passa"].get("status") == "passed"
    html = (folder / "reports" / "relatorio.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "XporY — suíte de aceitação" in html
    assert "<script" in html and "<style" in html  # self-contained: no external CSS/JS
    assert not re.search(r'<(script|link)[^>]+(src|href)="http', html)


def sandbox_logs(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text(encoding="utf-8", errors="replace")
            for p in sorted((folder / "runtime" / "runs").glob("*/logs/*.log"))}


def test_no_secret_anywhere(failing_run):
    folder, ran = failing_run
    places = {"stdout": ran.stdout, "stderr": ran.stderr, **report_files(folder), **sandbox_logs(folder)}
    assert any(name.endswith("cp.log") for name in places)
    assert any("junit" in name for name in places) and any(name.endswith(".html") for name in places)
    leaks = []
    for name, text in places.items():
        text = without_images(text)
        leaks += [f"{name}: {secret}" for secret in SECRETS if secret in text]
        leaks += [f"{name}: JWT {match[:16]}…" for match in JWT.findall(text)]
    assert leaks == []
    # ... and the masked values are there, so the test looked at the right texts
    assert "falha com os segredos" in ran.stdout and "'senha_admin': '***'" in ran.stdout
    junit = next(text for name, text in places.items() if "junit" in name)
    assert "'peer_token': '***'" in junit and "na saída:" in junit and "no log:" in junit
    assert "erro com os segredos" in junit and "causa com os segredos" in junit
    html = places["reports/relatorio.html"]
    assert "falha com os segredos" in html and "&#x27;senha_p12&#x27;: &#x27;***&#x27;" in html.replace("'", "&#x27;")


def _evidence(folder: Path, scenario: str) -> Path:
    matches = [p for p in (folder / "reports" / "evidencias").iterdir() if scenario in p.name]
    assert len(matches) == 1, matches
    return matches[0]


def test_the_failing_scenario_evidence_has_every_http_call(failing_run):
    folder, _ = failing_run
    log = (_evidence(folder, "Uma-verifica") / "http.log").read_text(encoding="utf-8")
    line = r"(GET|POST|PUT) https?://[^ ]+ -> (\d{3}|ERRO) \(\d+ ms\)"
    calls = re.findall(line, log)
    assert len(calls) >= 10, log[:3000]
    assert re.search(r"^POST https://localhost:\d+/admin/api/auth/login -> 200 \(\d+ ms\)$", log, re.M)
    assert '"password": "***"' in log
    assert re.search(r"^POST https://localhost:\d+/wls/[0-9a-f-]+/peer-token -> 201 \(\d+ ms\)$", log, re.M)
    assert '{"token": "***", "expiresInSeconds"' in log
    assert re.search(r"^POST http://127\.0\.0\.1:\d+/api/v1/buy-offer -> 4\d\d \(\d+ ms\)$", log, re.M)
    assert "token=***" in log
    assert re.search(r"^GET http://127\.0\.0\.1:\d+/api/v2/control-plane/export/offers\?limit=200 -> 200", log, re.M)
    assert re.search(r"… \(\+\d+ caracteres\)", log)  # the big body is truncated
    world = (_evidence(folder, "Uma-verifica") / "world.json").read_text(encoding="utf-8")
    assert '"peer_token": "***"' in world


def test_the_html_embeds_or_links_the_evidence_of_each_failing_scenario(failing_run):
    folder, _ = failing_run
    html = (folder / "reports" / "relatorio.html").read_text(encoding="utf-8")
    assert html.count("')\">Chamadas HTTP do cenário (http.log)<") == 2  # embed buttons, one per failing scenario
    assert html.count("')\">Estado do cenário (context.world)<") == 2
    assert "/admin/api/auth/login -&gt; 200" in html or "/admin/api/auth/login -> 200" in html
    assert html.count("data:image/png;base64,") == 2  # the screenshots, inline
    for scenario in ("Uma-verifica", "Um-erro-inesperado"):
        relative = _evidence(folder, scenario).relative_to(folder / "reports").as_posix()
        assert f'href="{relative}/trace.zip"' in html
        assert f'href="{relative}"' in html


def test_allure_results_have_every_scenario_and_the_evidence_masked(failing_run):
    import json

    folder, _ = failing_run
    results_dir = folder / "reports" / "allure-results"
    results = {r["name"]: r for r in (json.loads(p.read_text(encoding="utf-8")) for p in results_dir.glob("*-result.json"))}
    assert set(results) == {"Uma verificação falha com segredos na mensagem", "Um erro inesperado traz segredos na mensagem",
                            "Um cenário que passa"}
    assert results["Um cenário que passa"]["status"] == "passed"
    failed = results["Uma verificação falha com segredos na mensagem"]
    assert failed["status"] == "failed" and "falha com os segredos" in failed["statusDetails"]["message"]
    assert "'senha_admin': '***'" in failed["statusDetails"]["message"]
    assert results["Um erro inesperado traz segredos na mensagem"]["status"] == "broken"
    for name in ("Uma verificação falha com segredos na mensagem", "Um erro inesperado traz segredos na mensagem"):
        attachments = results[name].get("attachments", []) + [a for step in results[name]["steps"]
                                                               for a in step.get("attachments", [])]
        attached = {a["name"]: results_dir / a["source"] for a in attachments}
        assert {"Chamadas HTTP do cenário (http.log)", "Estado do cenário (context.world)", "screenshot.png",
                "trace.zip"} <= set(attached), attached
        assert all(path.is_file() for path in attached.values())
        log = attached["Chamadas HTTP do cenário (http.log)"].read_text(encoding="utf-8")
        assert "/admin/api/auth/login -> 200" in log and '"password": "***"' in log
    # the secret scan of test_no_secret_anywhere reads these files too (text attachments and results)
    assert any("allure-results" in name for name in report_files(folder))
