"""Scenarios that change data beyond the runbook (@fora-do-runbook) need the opt-in: without
XPORY_PERMITIR_ALTERACOES_FORA_DO_RUNBOOK=true they are skipped before their Contexto runs (nothing is
changed, not even the reset), each with the reason, and the gate says "não provado" (code 4), not green.
Runs the repository's own features on the embedded sandbox with the opt-in turned off."""
from __future__ import annotations

import re

import pytest
from gatekit import REPO, clean_environ, run

from support.journal import SETTING, skip_reason


@pytest.fixture(scope="module")
def without_opt_in(tmp_path_factory, shared_runtime):
    folder = tmp_path_factory.mktemp("sem-opt-in")
    env = clean_environ(XPORY_RUNTIME_DIR=str(shared_runtime), XPORY_REPORTS_DIR=str(folder / "reports"),
                        **{SETTING: "false"})
    ran = run(["bash", str(REPO / ".ci" / "portao"), "--tags=@fora-do-runbook", "-f", "plain"], cwd=REPO, env=env)
    return folder, ran


def tagged_scenarios() -> int:
    """Scenarios (outline examples counted) under a @fora-do-runbook tag in the repository's features."""
    count = 0
    for path in (REPO / "features").glob("*.feature"):
        lines = path.read_text(encoding="utf-8").splitlines()
        for index, line in enumerate(lines):
            if line.strip() == "@fora-do-runbook":
                heading = lines[index + 1].strip()
                if heading.startswith("Esquema do Cenário"):
                    rows = [row for row in lines[index + 2:] if row.strip().startswith("|")]
                    count += len(rows) - 1
                else:
                    count += 1
    return count


def test_every_tagged_scenario_is_skipped_with_the_reason_and_the_gate_says_not_proven(without_opt_in):
    folder, ran = without_opt_in
    assert ran.code == 4, ran.output
    listed = (folder / "reports" / "nao-provados.txt").read_text(encoding="utf-8").splitlines()
    assert len(listed) == tagged_scenarios() >= 7
    assert all(line.endswith(": " + skip_reason()) for line in listed)
    assert "0 scenarios passed, 0 failed," in ran.stdout, ran.stdout[-1500:]  # skipped: the tagged and the deselected
    assert "== portão: não provado: nada falhou" in ran.stdout.splitlines()[-1]


def test_nothing_ran_not_even_the_contexto(without_opt_in, shared_runtime):
    _, ran = without_opt_in
    assert re.search(r"\n0 steps passed, 0 failed, \d+ skipped", ran.stdout)
    assert not list(shared_runtime.glob("alteracoes-pendentes/*.json"))  # nothing was journaled: nothing changed
