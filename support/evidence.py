"""Evidence of a failing scenario: its HTTP calls and its World (masked), plus whatever the UI layer
saved (screenshot, trace). Written under the reports folder and attached to the scenario."""
from __future__ import annotations

import re
from pathlib import Path


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:80] or "cenario"


def evidence_dir(session, scenario) -> Path:
    path = session.reports_dir / "evidencias" / slug(f"{scenario.feature.name}-{scenario.name}")
    path.mkdir(parents=True, exist_ok=True)
    return path


def attach_failure(context, scenario, session, world) -> Path:
    folder = evidence_dir(session, scenario)
    http_log = session.masker.text(session.http_log.render())
    world_dump = world.dump(session.masker) if world is not None else "{}"
    (folder / "http.log").write_text(http_log, encoding="utf-8")
    (folder / "world.json").write_text(world_dump, encoding="utf-8")
    attach = getattr(context, "attach", None)
    if callable(attach):
        try:
            attach("text/plain", ("Chamadas HTTP do cenário:\n" + http_log).encode("utf-8"))
            attach("text/plain", ("Estado do cenário (context.world):\n" + world_dump).encode("utf-8"))
        except Exception:  # a formatter without attachment support must not hide the failure
            pass
    return folder
