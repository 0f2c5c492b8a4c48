"""A run that died after changing shared data beyond the runbook is repaired by the next run, before its
first scenario: behave, as a real process on the `externo` profile, against the embedded sandbox (kept
running by the test), finds the journal the dead run left and puts the original value back."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from support import journal, trading
from support.config import ROOT

FEATURE = """# language: pt
Funcionalidade: Uma execução depois de outra que morreu
  Cenário: Um cenário qualquer
    Então nada acontece
"""
STEPS = '''from behave import then


@then("nada acontece")
def step_nothing(context):
    """Passa.

    Exemplo: Então nada acontece
    """
'''
LOCAL_ONLY = ("XPORY_PERFIL", "XPORY_STACK", "XPORY_RUNTIME_DIR", "XPORY_REPORTS_DIR", "XPORY_PARALELO", "XPORY_PARTE")


def externo_environment(session, runtime: Path, reports: Path) -> dict[str, str]:
    """The `externo` profile pointing at the running sandbox: its endpoints, certificates and secrets."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XPORY_", "SANDBOX_"))}
    for name, value in session.config.values.items():
        if name not in LOCAL_ONLY and value is not None:
            env[name] = str(value).lower() if isinstance(value, bool) else str(value)
    env.update(XPORY_PERFIL="externo", XPORY_RUNTIME_DIR=str(runtime), XPORY_REPORTS_DIR=str(reports),
               XPORY_STACK_MAP=str(ROOT / "profiles" / "embutido.mapa.toml"), PYTHONPATH=str(ROOT))
    return env


def test_the_next_run_restores_what_the_dead_run_changed_before_any_scenario(sandbox_session, tmp_path):
    s = sandbox_session
    runtime, project = tmp_path / "runtime", tmp_path / "projeto"
    original = trading.xbalance(s)
    # the run that died: its journal says how to put the buyer's balance back, and the balance is changed
    dead = journal.ChangeJournal(runtime / "alteracoes-pendentes" / "externo.json", s.db, allowed=True)
    dead.begin_scenario("Saldo menor que o preço", {journal.TAG})
    restore = journal.restore_values("xbalance", "id", [{"id": s.config.buyer_xbalance_id, "value": original}], ("value",))
    dead.change("importer", "saldo X$ do comprador", restore, lambda: s.db.destructive(
        s.db.importer, "UPDATE xbalance SET value=%s WHERE id=%s", (Decimal("0.01"), s.config.buyer_xbalance_id)))
    assert trading.xbalance(s) == Decimal("0.01")

    (project / "features").mkdir(parents=True)
    (project / "steps").mkdir()
    shutil.copy(ROOT / "behave.ini", project / "behave.ini")
    shutil.copy(ROOT / "environment.py", project / "environment.py")
    (project / "features" / "teste.feature").write_text(FEATURE, encoding="utf-8")
    (project / "steps" / "teste_steps.py").write_text(STEPS, encoding="utf-8")
    ran = subprocess.run([sys.executable, "-m", "behave", "-f", "plain"], cwd=project, capture_output=True, text=True,
                         timeout=300, env=externo_environment(s, runtime, tmp_path / "reports"))
    assert ran.returncode == 0, ran.stdout[-2000:] + ran.stderr[-3000:]
    restored = ("Restaurado (execução anterior interrompida): saldo X$ do comprador "
                "(cenário 'Saldo menor que o preço')")
    assert restored in ran.stderr
    assert ran.stderr.index(restored) < ran.stderr.index("Prontidão verificada")  # before readiness and any scenario
    assert trading.xbalance(s) == original
    assert not (runtime / "alteracoes-pendentes" / "externo.json").exists()
