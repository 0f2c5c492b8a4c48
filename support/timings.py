"""Where a run's time goes: a behave formatter that writes `<reports>/tempos.json`.

For every scenario it keeps the wall time from its start to the start of the next one (so the
before/after_scenario hooks count: browser context, trace, evidence) and each step's duration and
status; for the run, the time before the first feature (process start-up, parsing, `before_all` with
the stack's cold start), the time after the last one (`after_all`: stopping the stack) and the total.
`python -m tools.perfil_tempo` and `python -m tools.bancada` read the file; a parallel run writes one
per worker and merges them.

Added to every run by `support/reports.py` (like the HTML report); `-D tempos=` turns it off,
`-D tempos=<arquivo>` picks another file (relative to the reports folder).
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from behave.formatter.base import Formatter

FILE = "tempos.json"
VERSION = 1


def process_started_at() -> float:
    """This process's start, as a time.time() instant (Linux: /proc; elsewhere: now)."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return time.time() - (uptime - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return time.time()


class TimingsFormatter(Formatter):
    name = "tempos"
    description = "Tempo de parede por cenário e por passo (JSON, para tools.perfil_tempo)"

    def __init__(self, stream_opener, config, *, before_all_started: float | None = None, stack: dict | None = None):
        super().__init__(stream_opener, config)
        self.process_started = process_started_at()
        self.before_all_started = before_all_started
        self.stack = dict(stack or {})
        self.first_feature_at: float | None = None
        self.last_end: float | None = None
        self.feature_name = ""
        self.feature_file = ""
        self.feature_tags: list[str] = []
        self.scenarios: list[dict] = []
        self.current: dict | None = None
        self.current_model = None
        self.current_started = 0.0

    # --- behave's formatter protocol ------------------------------------------------------------
    def feature(self, feature) -> None:
        self._end_scenario()
        if self.first_feature_at is None:
            self.first_feature_at = time.time()
        self.feature_name, self.feature_file = feature.name, str(feature.filename)
        self.feature_tags = [str(t) for t in feature.tags]

    def scenario(self, scenario) -> None:
        self._end_scenario()
        self.current_started = time.time()
        self.current_model = scenario
        self.current = {"feature": self.feature_name, "file": self.feature_file,
                        "line": scenario.line, "name": scenario.name,
                        "tags": sorted({str(t) for t in scenario.effective_tags}),
                        "status": None, "seconds": None, "steps": []}

    def result(self, step) -> None:
        if self.current is None:
            return
        self.current["steps"].append({"keyword": step.keyword, "name": step.name, "status": step.status.name,
                                      "seconds": round(step.duration or 0.0, 4),
                                      "location": f"{step.location.filename}:{step.location.line}"})

    def eof(self) -> None:
        self._end_scenario()

    def close(self) -> None:
        self._end_scenario()
        closed = time.time()
        data = self.summary(closed)
        stream = self.open()
        stream.write(json.dumps(data, ensure_ascii=False, indent=1))
        self.close_stream()

    # --- the record ---------------------------------------------------------------------------------
    def _end_scenario(self) -> None:
        if self.current is None:
            return
        now = time.time()
        scenario, self.current = self.current, None
        scenario["seconds"] = round(now - self.current_started, 4)
        status = getattr(self.current_model, "status", None)
        scenario["status"] = getattr(status, "name", str(status))  # after the hooks: hook_error counts
        self.scenarios.append(scenario)
        self.last_end = now

    def summary(self, closed: float) -> dict:
        first = self.first_feature_at or closed
        before_all = self.before_all_started or first
        return {
            "version": VERSION,
            "started": round(self.process_started, 3),
            "total_seconds": round(closed - self.process_started, 3),
            "startup_seconds": round(before_all - self.process_started, 3),  # interpreter, imports, parsing
            "before_all_seconds": round(first - before_all, 3),  # the stack's start and the session
            "after_all_seconds": round(closed - (self.last_end or first), 3),  # stopping the stack
            "stack": self.stack,
            "scenarios": self.scenarios,
        }


def load(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))
