"""What the behave hooks do: open the session (stack + clients) once, give each scenario a fresh
World, attach evidence (HTTP log, World dump, UI screenshot/trace) to failing scenarios, stop the stack.

A setup problem (bad profile, stack down, refused certificate) ends the run in before_all with one
clear message and exit code 2, distinct from failed scenarios (exit code 1). One met inside a step (a
stack process that died, a stack that stopped answering, docker missing...) ends the run with exit
code 2 too, after the reports and the evidence are written (support/run_outcome.py).
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import psycopg

from . import ahead, journal, progress, redaction, reports, run_outcome
from . import config as config_module
from .errors import SuiteSetupError
from .readiness import plan as readiness
from .session import open_session
from .world import World


def _reports_dir(config=None) -> Path:
    if config is not None:
        return config.path("XPORY_REPORTS_DIR")
    return config_module.ROOT / os.environ.get("XPORY_REPORTS_DIR", "reports")


def _abort(message: str, config=None) -> None:
    run_outcome.abort_run(message, _reports_dir(config))  # behave would otherwise report every scenario as failed


def _stack_timings(session) -> dict:
    return {"perfil": session.config.perfil, "stack": session.stack.name,
            "session_seconds": round(session.start_seconds, 3),  # the stack's start (or check) and the clients
            "cold_start_seconds": getattr(session.stack, "cold_start_seconds", None)}  # embedded: processes up


def before_all(context) -> None:
    started, started_at = time.perf_counter(), time.time()
    profile = context.config.userdata.get("perfil")
    config = None
    try:
        config = config_module.load(profile)
        context.session = open_session(config)
    except SuiteSetupError as exc:
        _abort(str(exc), config)
    session = context.session
    redaction.install(session.masker)  # step failures, step output and logging reach the reports masked
    reports.setup(context, session.config, started=started_at, stack=_stack_timings(session))  # JUnit, HTML, tempos
    run_outcome.install(context, session.reports_dir)  # last reporter: exit code 2 after a setup problem
    _open_journal(session)
    print(f"Stack: {session.stack.describe()} pronta em {time.perf_counter() - started:.2f}s "
          f"(perfil {session.config.perfil})", file=sys.stderr)
    _check_readiness(context, session)


def _check_readiness(context, session) -> None:
    """The stack map against the live stack, for the entries the selected scenarios need; one table per
    feature (-D prontidao=completa: every entry, not only those that are not ready)."""
    started = time.perf_counter()
    full = context.config.userdata.get("prontidao", "") == "completa"
    try:
        readiness.check(session, context._runner, context.config, full=full)
    except (SuiteSetupError, psycopg.Error) as exc:
        _abort(session.masker.text(f"o teste de prontidão do mapa da stack não pôde ler a stack: {exc}"), session.config)
    print(f"Prontidão verificada em {time.perf_counter() - started:.2f}s", file=sys.stderr)


def _open_journal(session) -> None:
    """The journal of changes beyond the runbook; first, put back what an interrupted run left changed."""
    session.journal = journal.for_session(session)
    try:
        restored = journal.recover_previous_run(session.journal, session.config.stack)
    except (SuiteSetupError, psycopg.Error) as exc:
        _abort(session.masker.text(f"uma execução interrompida deixou dados alterados fora do runbook e não consegui "
                                   f"restaurá-los ({session.journal.path}): {exc}"), session.config)
    for item in restored:
        print(f"Restaurado (execução anterior interrompida): {item}", file=sys.stderr)


def before_scenario(context, scenario) -> None:
    progress.drain()  # long waits outside any step (the stack's start) are not a step's
    context.world = World()
    context.session.http_log.clear()
    context.session.journal.begin_scenario(scenario.name, scenario.effective_tags)
    reasons = [readiness.skip_reason(context.session, scenario)]  # a map entry unknown or divergent here
    if journal.TAG in scenario.effective_tags and not context.session.journal.allowed:
        reasons.append(journal.skip_reason())  # it changes data beyond the runbook without the opt-in
    if any(reasons):
        run_outcome.skip_not_proven(context, scenario, " | ".join(r for r in reasons if r))
        return
    readiness.begin(context.session, scenario)
    if "ui" in scenario.effective_tags:  # a fresh browser context + page (the browser starts once, lazily)
        from .ui.browser import runner_for

        try:
            context.world.ui = runner_for(context.session).new_scenario()
        except SuiteSetupError as exc:
            _abort(context.session.masker.text(str(exc)), context.session.config)


def after_step(context, step) -> None:
    if step.status == "failed":
        step.error_message = context.session.masker.text(step.error_message or "")
    if step.status.has_failed():
        cause = run_outcome.setup_cause(context.session, getattr(step, "exception", None))
        if cause is not None:
            run_outcome.end_for_setup(context, cause)
    ahead.run_after_background(context, step)  # the feature's environment is ready: work for later scenarios
    waits = progress.drain()
    if waits:  # the step waited long: say for what, in its note (HTML, Allure)
        from .evidence import attach_waits

        attach_waits(context, waits)
    ui = getattr(context.world, "ui", None)
    if ui is not None and step.status.has_failed():  # failed or error (e.g. a Playwright timeout):
        from .ui.evidence import finish_scenario  # screenshot + trace now, attached to the failing step

        finish_scenario(context, context.scenario, context.session, ui, True)


def after_scenario(context, scenario) -> None:
    session = context.session
    readiness.end(session)
    try:
        session.journal.end_scenario()  # what the scenario changed beyond the runbook goes back now
    except (SuiteSetupError, psycopg.Error) as exc:
        run_outcome.end_for_setup(context, f"não consegui restaurar os dados que o cenário alterou fora do runbook: "
                                           f"{exc}. Eles continuam em {session.journal.path}; a próxima execução "
                                           "tenta de novo antes do primeiro cenário")
    ui = getattr(context.world, "ui", None)
    if ui is not None:  # stop the trace (kept, with a screenshot, if the scenario failed) and close the page
        from .ui.evidence import finish_scenario

        finish_scenario(context, scenario, session, ui, scenario.status.has_failed())
    if scenario.status.has_failed():  # failed, error (an unexpected exception) or hook_error
        from .evidence import attach_failure

        attach_failure(context, scenario, session, context.world)


def after_all(context) -> None:
    session = getattr(context, "session", None)
    if session is not None:
        session.close()
