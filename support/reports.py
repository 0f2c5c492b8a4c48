"""The run's reports besides the console: JUnit XML and one self-contained HTML report.

- JUnit: on in `behave.ini` (`junit = true`, `junit_directory = reports/junit`); when the profile moves
  the reports folder (`XPORY_REPORTS_DIR`), the default JUnit folder moves with it.
- HTML: behave-html-pretty-formatter (registered in `behave.ini` as `html-pretty`, its options under
  `[behave.userdata]`). `setup()` adds it to every run, writing `<XPORY_REPORTS_DIR>/relatorio.html`
  (`-D relatorio_html=<arquivo>` picks another file, relative to the reports folder; `-D relatorio_html=`
  turns it off). Asking for it explicitly (`behave -f html-pretty -o <arquivo>`) uses that one instead.

The console keeps behave's own formatter (`pretty`, or whatever `-f` asks for).
"""
from __future__ import annotations

from pathlib import Path

from .config import ROOT, Config

HTML_FORMATTER = "html-pretty"
DEFAULT_HTML = "relatorio.html"


def _runner(context):
    return getattr(context, "_runner", None)


def html_formatters(context) -> list:
    """The run's HTML (pretty) formatters: the ones evidence is embedded into."""
    runner = _runner(context)
    return [f for f in getattr(runner, "formatters", None) or [] if getattr(f, "name", "") == HTML_FORMATTER]


def html_report_path(context) -> Path | None:
    for formatter in html_formatters(context):
        name = getattr(getattr(formatter, "stream_opener", None), "name", None)
        if name:
            return Path(name).resolve()
    return None


def _junit(context, reports: Path) -> Path | None:
    behave_config = context.config
    if not getattr(behave_config, "junit", False):
        return None
    current = Path(behave_config.junit_directory).resolve()
    if current == (ROOT / "reports" / "junit").resolve() and reports.resolve() != (ROOT / "reports").resolve():
        behave_config.junit_directory = str(reports / "junit")
    return Path(behave_config.junit_directory).resolve()


def _add_html(context, reports: Path, config: Config) -> Path | None:
    existing = html_report_path(context)
    if existing is not None or html_formatters(context):
        return existing
    target = str(context.config.userdata.get("relatorio_html", DEFAULT_HTML)).strip()
    runner = _runner(context)
    if not target or runner is None:
        return None
    from behave.formatter.base import StreamOpener
    from behave_html_pretty_formatter.html_pretty import PrettyHTMLFormatter

    path = Path(target) if Path(target).is_absolute() else reports / target
    path.parent.mkdir(parents=True, exist_ok=True)
    formatter = PrettyHTMLFormatter(StreamOpener(filename=str(path), encoding="utf-8"), context.config)
    formatter.additional_info.setdefault("Perfil", str(config.perfil))
    formatter.additional_info.setdefault("Stack", str(config.stack))
    runner.formatters.append(formatter)
    return path.resolve()


def _target(context, key: str, default: str, reports: Path) -> Path | None:
    """The file a `-D <key>=<arquivo>` asks for (relative to the reports folder); None when turned off."""
    target = str(context.config.userdata.get(key, default)).strip()
    if not target or _runner(context) is None:
        return None
    path = Path(target) if Path(target).is_absolute() else reports / target
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _add_timings(context, reports: Path, started: float | None, stack: dict | None) -> Path | None:
    from behave.formatter.base import StreamOpener

    from .timings import FILE, TimingsFormatter

    path = _target(context, "tempos", FILE, reports)
    if path is None:
        return None
    formatter = TimingsFormatter(StreamOpener(filename=str(path), encoding="utf-8"), context.config,
                                 before_all_started=started, stack=stack)
    _runner(context).formatters.append(formatter)
    return path.resolve()


def setup(context, config: Config, *, started: float | None = None,
          stack: dict | None = None) -> dict[str, Path | None]:
    """Point JUnit at the profile's reports folder and make sure an HTML report and the timings file are
    written. `started` (time.time() at the start of before_all) and `stack` (what the stack's start cost)
    go into the timings."""
    reports = config.path("XPORY_REPORTS_DIR")
    reports.mkdir(parents=True, exist_ok=True)
    return {"junit": _junit(context, reports), "html": _add_html(context, reports, config),
            "tempos": _add_timings(context, reports, started, stack)}
