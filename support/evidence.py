"""Evidence of a failing scenario: its HTTP calls and its World (masked), plus whatever the UI layer
saved in the scenario's folder (screenshot, Playwright trace). Written under
`<reports>/evidencias/<funcionalidade-cenário>/` and attached to the scenario in the reports (HTML
and Allure). Also the note of a step that waited long (`attach_waits`).

behave's `context.attach()` only reaches formatters with an `embedding()` method (e.g. `json`); the
HTML report (behave-html-pretty-formatter) has `embed()` instead, so evidence is embedded there
directly: text inline, images inline, other files (the trace) as a link relative to the HTML file.
"""
from __future__ import annotations

import base64
import os
import re
import unicodedata
from pathlib import Path

from . import allure_report
from .reports import html_formatters

HTTP_LOG = "http.log"
WORLD_DUMP = "world.json"
_IMAGES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
_MAX_INLINE_IMAGE = 5 * 1024 * 1024


def slug(text: str, limit: int = 80) -> str:
    """A folder-safe, readable form of `text`: accents dropped (cenário -> cenario), the rest to "-"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9._-]+", "-", plain).strip("-")[:limit].strip("-") or "cenario"


def evidence_name(scenario) -> str:
    """One folder name per scenario of a run, unique and readable: the feature file, the scenario's line
    (an outline's example row has its own line) and the start of its name, e.g.
    `trades-L23-Aprovacoes-e-rejeicoes-no-exportador` — long names are cut, the file and line keep it unique."""
    feature = Path(getattr(scenario.feature, "filename", "") or "funcionalidade").stem
    line = getattr(getattr(scenario, "location", None), "line", None) or getattr(scenario, "line", 0)
    return f"{slug(feature, 40)}-L{line}-{slug(scenario.name, 60)}"


def evidence_dir(session, scenario) -> Path:
    path = session.reports_dir / "evidencias" / evidence_name(scenario)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _embed(context, mime_type: str, data, caption: str) -> None:
    """Embed into the HTML report(s); a formatter problem must never hide the scenario's failure."""
    for formatter in html_formatters(context):
        try:
            formatter.embed(mime_type, data, caption, compress=False)  # plain text: searchable, never hidden
        except Exception:
            pass


def _attach(context, mime_type: str, data: bytes) -> None:
    """behave's own attachment channel (formatters with `embedding()`, e.g. json)."""
    attach = getattr(context, "attach", None)
    if callable(attach):
        try:
            attach(mime_type, data)
        except Exception:
            pass


def _link(path: Path, html: Path | None) -> str:
    if html is None:
        return path.resolve().as_uri()
    return Path(os.path.relpath(path.resolve(), html.parent)).as_posix()


def attach_text(context, caption: str, text: str) -> None:
    _embed(context, "text", text, caption)
    _attach(context, "text/plain", f"{caption}:\n{text}".encode())
    allure_report.attach_text(caption, text)


def attach_waits(context, waits: list[dict]) -> None:
    """The step's note of its long waits (what it waited for, how long, the deadline), masked."""
    from .progress import describe

    masker = getattr(getattr(context, "session", None), "masker", None)
    text = describe(waits)
    attach_text(context, "Esperas longas", masker.text(text) if masker is not None else text)


def attach_file(context, path: Path, caption: str | None = None) -> None:
    """A file of the evidence folder: images inline, anything else as a link (e.g. `trace.zip`)."""
    from .reports import html_report_path

    path = Path(path)
    caption = caption or path.name
    allure_report.attach_file(path, caption)
    mime = _IMAGES.get(path.suffix.lower())
    if mime and path.stat().st_size <= _MAX_INLINE_IMAGE:
        data = path.read_bytes()
        _embed(context, mime, base64.b64encode(data).decode("ascii"), caption)
        return
    label = f"{path.name} ({path.stat().st_size // 1024} KiB)"
    if path.suffix == ".zip":
        label += " — abra com: playwright show-trace " + path.name
    _embed(context, "link", [[_link(path, html_report_path(context)), label]], caption)


def attach_failure(context, scenario, session, world) -> Path:
    """Write the scenario's HTTP log and World dump (masked) and attach every file of its evidence folder."""
    from .reports import html_report_path

    folder = evidence_dir(session, scenario)
    http_log = session.masker.text(session.http_log.render())
    world_dump = world.dump(session.masker) if world is not None else "{}"
    (folder / HTTP_LOG).write_text(http_log, encoding="utf-8")
    (folder / WORLD_DUMP).write_text(world_dump, encoding="utf-8")
    attach_text(context, "Chamadas HTTP do cenário (http.log)", http_log)
    attach_text(context, "Estado do cenário (context.world)", world_dump)
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.name not in (HTTP_LOG, WORLD_DUMP):
            attach_file(context, path)
    _embed(context, "link", [[_link(folder, html_report_path(context)), str(folder)]], "Pasta de evidências")
    return folder
