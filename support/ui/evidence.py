"""The end of a `@ui` scenario: stop its trace and close its browser context; when the scenario
failed, keep a screenshot (`screenshot.png`) and the Playwright trace (`trace.zip`) under
`<reports>/evidencias/<feature-scenario>/` and attach them to the scenario.

File names are fixed (no value from the scenario's data), and the attached note is masked. The trace
itself records what the browser sent (the typed password, the admin JWT in API calls), like the
runbook's own Playwright traces: keep the reports folder where the stack's credentials may be.
"""
from __future__ import annotations

from pathlib import Path

from ..evidence import evidence_dir

MIME = {".png": "image/png", ".zip": "application/zip"}


def finish_scenario(context, scenario, session, ui, failed: bool) -> list[Path]:
    """Called after a failing step (so the attachments land on it) and again after the scenario;
    only the first call acts."""
    if ui.closed:
        return []
    folder = evidence_dir(session, scenario) if failed else None
    try:
        files = ui.finish(failed, folder)
        problem = None
    except Exception as exc:  # noqa: BLE001 - a dead browser must not hide the scenario's own failure
        files, problem = [], f"{type(exc).__name__}: {exc}"
    if not failed:
        return files
    note = "Evidências do navegador: " + (", ".join(str(f) for f in files) or "nenhuma")
    if any(f.suffix == ".zip" for f in files):
        note += " (abra o trace com: playwright show-trace trace.zip)"
    if problem:
        note += f"; falha ao salvar: {problem}"
    note = session.masker.text(note)
    attach = getattr(context, "attach", None)
    if callable(attach):
        try:
            attach("text/plain", note.encode("utf-8"))
            for path in files:
                attach(MIME.get(path.suffix, "application/octet-stream"), path.read_bytes())
        except Exception:  # noqa: BLE001 - a formatter without attachments must not hide the failure
            pass
    return files
