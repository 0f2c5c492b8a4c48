"""The end of a `@ui` scenario: stop its trace and close its browser context; when the scenario
failed, keep a screenshot (`screenshot.png`) and the Playwright trace (`trace.zip`) under
`<reports>/evidencias/<feature-file>-L<line>-<scenario>/` (support.evidence.evidence_name) and attach them to the scenario.

File names are fixed (no value from the scenario's data) and the attached note is masked. The trace
records what the browser typed and sent (the admin password, the QA token, the admin JWT on every API
call): before it is kept, every text member of trace.zip goes through the session's masker (known
secrets, JWTs, bearer credentials → ***), so the reports folder holds no credential. Images are kept
as they are (password fields render as dots).
"""
from __future__ import annotations

import os
import zipfile
from pathlib import Path

from ..evidence import evidence_dir

MIME = {".png": "image/png", ".zip": "application/zip"}
BINARY = (".jpeg", ".jpg", ".png", ".webp", ".gif", ".ico", ".woff", ".woff2", ".ttf", ".wasm")


def mask_trace(path: Path, masker) -> int:
    """Rewrite the Playwright trace at `path` with every text member masked; returns how many
    members changed. Binary members (screenshots, fonts) are copied untouched."""
    path = Path(path)
    changed = 0
    masked_path = path.with_name(path.name + ".masking")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(masked_path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if not info.filename.lower().endswith(BINARY):
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:
                    text = None
                if text is not None:
                    masked = masker.text(text)
                    if masked != text:
                        data, changed = masked.encode("utf-8"), changed + 1
            target.writestr(info, data)
    os.replace(masked_path, path)
    return changed


def finish_scenario(context, scenario, session, ui, failed: bool) -> list[Path]:
    """Called after a failing step (so the attachments land on it) and again after the scenario;
    only the first call acts."""
    if ui.closed:
        return []
    folder = evidence_dir(session, scenario) if failed else None
    try:
        files = ui.finish(failed, folder)
        problem = None
    except Exception as exc:
        files, problem = [], f"{type(exc).__name__}: {exc}"
    for path in [f for f in files if f.suffix == ".zip"]:
        try:
            mask_trace(path, session.masker)
        except Exception as exc:
            path.unlink(missing_ok=True)
            files.remove(path)
            problem = f"trace descartado, não foi possível mascará-lo ({type(exc).__name__}: {exc})"
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
        except Exception:
            pass
    return files
