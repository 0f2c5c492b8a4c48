"""One HTML report for a run split over many processes (parallel workers, CI runners).

behave-html-pretty-formatter keeps, while behave runs, plain objects for every feature, scenario,
step and embed (evidence, notes) and renders the page in `close()`. A worker of a parallel run uses
`HtmlPartFormatter` instead: the same formatter, whose `close()` saves those objects (pickle) to a
part file; `render()` loads the parts of every worker and renders them with the same formatter into
one page, features renumbered and in file order, the global summary counting them all.

The part file is internal to one run (same Python and formatter version, pinned in
requirements/suite.txt); it is never read from anywhere else. Evidence links are computed by the
worker relative to the final report's path (`final_path`), so they hold in the merged page.
"""
from __future__ import annotations

import pickle
from pathlib import Path
from types import SimpleNamespace

from behave_html_pretty_formatter.html_pretty import PrettyHTMLFormatter

PART_SUFFIX = ".parte"


def _plain_scenario(scenario) -> SimpleNamespace:
    """What rendering reads of behave's scenario, without behave's model (not picklable)."""
    original = scenario._scenario
    scenario.report_error(original)  # an after_scenario error is embedded now, with its real traceback
    return SimpleNamespace(status=original.status, duration=original.duration,
                           description=list(getattr(original, "description", []) or []),
                           error_message=getattr(original, "error_message", None), exception=None,
                           exc_traceback=None)


def _plain(features: list) -> list:
    for feature in features:
        feature.tags = [str(t) for t in feature.tags]
        feature._background = None  # behave's Background: read only when a scenario starts
        for scenario in feature.scenarios:
            scenario._scenario = _plain_scenario(scenario)
            for tag in scenario.tags:
                tag.behave_tag = str(tag.behave_tag)
    return features


class HtmlPartFormatter(PrettyHTMLFormatter):
    """The HTML formatter of a parallel worker: saves its features to a part file instead of a page."""

    def __init__(self, stream_opener, config, final_path: Path):
        super().__init__(stream_opener, config)
        self.final_path = Path(final_path).resolve()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.current_feature:
            from datetime import datetime

            self.current_feature.finish_time = datetime.now()
        part = {"started": self.suite_start_time, "additional_info": dict(self.additional_info),
                "features": _plain(self.features)}
        self.stream.close()
        Path(self.stream_opener.name).write_bytes(pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL))


def load_parts(paths: list[Path]) -> list[dict]:
    return [pickle.loads(Path(p).read_bytes()) for p in paths if Path(p).is_file()]


def render(paths: list[Path], target: Path, behave_config) -> int:
    """Render the parts at `paths` into one HTML page at `target`; returns the number of features."""
    from behave.formatter.base import StreamOpener

    parts = load_parts(paths)
    features = sorted((f for part in parts for f in part["features"]), key=lambda f: str(f.location))
    target.parent.mkdir(parents=True, exist_ok=True)
    formatter = PrettyHTMLFormatter(StreamOpener(filename=str(target), encoding="utf-8"), behave_config)
    for part in parts:
        for key, value in part["additional_info"].items():
            formatter.additional_info.setdefault(key, value)
    if parts:
        formatter.suite_start_time = min(part["started"] for part in parts)
    for number, feature in enumerate(features, start=1):
        feature.counter = number
    formatter.features = features
    formatter.close()
    formatter.stream.close()
    return len(features)
