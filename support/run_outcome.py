"""How a run ends when the result is not the product's verdict.

- A setup problem met inside a step (docker missing, a stack that died or stopped answering, a timeout
  waiting for the stack, a refused destructive SQL, a CP the profile cannot restart) is not a failed
  scenario: `after_step` calls `end_for_setup`, which stops the run, and, after behave has
  written the reports and the evidence, ends the process with SETUP_FAILURE_EXIT (2) and one message
  naming the cause. The cause is also written to `<XPORY_REPORTS_DIR>/nao-pode-rodar.txt`, so the gate
  (.ci/portao) can say it in its verdict.
- A scenario skipped because it cannot be proven here (`skip_not_proven`) is listed, with its reason,
  in `<XPORY_REPORTS_DIR>/nao-provados.txt`: the gate counts it as not proven, never as green.

Both live on a behave reporter (`RunOutcome`, added last in before_all): behave calls its `end()` after
every formatter and reporter has finished, which is the moment to leave with exit code 2.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import httpx
import psycopg
from behave.reporter.base import Reporter

from .errors import SuiteSetupError

SETUP_FAILURE_EXIT = 2
CAUSE_FILE = "nao-pode-rodar.txt"
NOT_PROVEN_FILE = "nao-provados.txt"


class RunOutcome(Reporter):
    def __init__(self, config, reports_dir: Path):
        super().__init__(config)
        self.reports_dir = reports_dir
        self.setup_failure: str | None = None
        self.not_proven: list[str] = []
        for name in (CAUSE_FILE, NOT_PROVEN_FILE):  # they describe this run only
            (reports_dir / name).unlink(missing_ok=True)

    def feature(self, feature) -> None:
        pass

    def end(self) -> None:
        if self.not_proven:
            (self.reports_dir / NOT_PROVEN_FILE).write_text("\n".join(self.not_proven) + "\n", encoding="utf-8")
            print(f"\nNão provados: {len(self.not_proven)} cenário(s) pulado(s), lista em "
                  f"{self.reports_dir / NOT_PROVEN_FILE}", file=sys.stderr)
        if self.setup_failure is not None:
            abort_run(self.setup_failure, self.reports_dir)


def write_cause(message: str, reports_dir: Path | None) -> None:
    if reports_dir is None:
        return
    try:
        reports_dir.mkdir(parents=True, exist_ok=True)
        (reports_dir / CAUSE_FILE).write_text(message.strip() + "\n", encoding="utf-8")
    except OSError:
        pass  # the message still goes to stderr


def abort_run(message: str, reports_dir: Path | None) -> None:
    """End the process now with exit code 2 and one message (behave would count failed scenarios)."""
    write_cause(message, reports_dir)
    sys.stdout.flush()
    sys.stderr.write(f"\nA suíte não pôde rodar: {message}\n")
    sys.stderr.flush()
    os._exit(SETUP_FAILURE_EXIT)


def outcome_of(context) -> RunOutcome | None:
    return next((r for r in context.config.reporters if isinstance(r, RunOutcome)), None)


def install(context, reports_dir: Path) -> RunOutcome:
    outcome = RunOutcome(context.config, reports_dir)
    context.config.reporters.append(outcome)
    return outcome


def _refused(exc: BaseException) -> bool:
    return isinstance(exc, httpx.ConnectError) and "refused" in str(exc).lower()


def setup_cause(session, exception: BaseException | None) -> str | None:
    """Why a failed step is a setup problem, or None when it is the product's failure.

    A stack process that died is named first (it explains any symptom); then the suite's own setup
    errors; then a stack that stopped answering (connection refused, a database connection lost)."""
    died = session.stack.died()
    if died:
        return died
    if isinstance(exception, SuiteSetupError):
        return str(exception)
    if _refused(exception):
        return (f"a stack parou de responder: conexão recusada em {exception.request.url} "
                f"({session.stack.describe()})")
    if isinstance(exception, psycopg.OperationalError):
        return f"um banco da stack parou de responder: {str(exception).strip()[:300]}"
    return None


def end_for_setup(context, cause: str) -> None:
    """Stop the run (behave skips what is left, writes the reports, runs after_all); the process then
    ends with exit code 2 and the cause (RunOutcome.end)."""
    cause = context.session.masker.text(cause)
    outcome = outcome_of(context)
    if outcome is None:  # no reports to wait for
        abort_run(cause, None)
    if outcome.setup_failure is None:
        outcome.setup_failure = cause
    context.abort(reason="a suíte não pôde rodar (a causa está no fim)")


def skip_not_proven(context, scenario, reason: str) -> None:
    """Skip `scenario` with `reason`; the gate reports it as not proven."""
    scenario.skip(reason=reason)
    outcome = outcome_of(context)
    if outcome is not None:
        outcome.not_proven.append(f"{scenario.feature.name} / {scenario.name}: {reason}")
