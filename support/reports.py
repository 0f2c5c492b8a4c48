"""The run's reports besides the console: JUnit XML, one self-contained HTML report, Allure results and
the timings file.

- JUnit: on in `behave.ini` (`junit = true`, `junit_directory = reports/junit`); when the profile moves
  the reports folder (`XPORY_REPORTS_DIR`), the default JUnit folder moves with it.
- HTML: behave-html-pretty-formatter (registered in `behave.ini` as `html-pretty`, its options under
  `[behave.userdata]`). `setup()` adds it to every run, writing `<XPORY_REPORTS_DIR>/relatorio.html`
  (`-D relatorio_html=<arquivo>` picks another file, relative to the reports folder; `-D relatorio_html=`
  turns it off). Asking for it explicitly (`behave -f html-pretty -o <arquivo>`) uses that one instead.
- Allure: `<XPORY_REPORTS_DIR>/allure-results/` (support/allure_report.py, masked; `-D allure=` turns it
  off, `-D allure=<pasta>` picks another folder). Emptied at the start of each run: it describes one run.
- Timings: `<XPORY_REPORTS_DIR>/tempos.json` (support/timings.py; `-D tempos=` turns it off).

A worker of a parallel run (tools/paralelo.py) has its own reports folder, `<reports>/partes/<nome>/`,
and `-D parte=<nome>`: its HTML formatter saves a part (`relatorio.parte`, support/html_parts.py)
instead of a page; the merge renders the one report from every part, and gathers the JUnit files,
evidence folders, Allure results and timings into the main reports folder.

The console keeps behave's own formatter (`pretty`, or whatever `-f` asks for).
"""
from __future__ import annotations

from pathlib import Path

from .config import ROOT, Config

HTML_FORMATTER = "html-pretty"
DEFAULT_HTML = "relatorio.html"


def _runner(context):
    return getattr(context, "_runner", None)


def part_name(context) -> str | None:
    """The worker's name in a parallel run (`-D parte=<nome>`), None in a run of its own."""
    return str(context.config.userdata.get("parte", "")).strip() or None


def html_formatters(context) -> list:
    """The run's HTML (pretty) formatters: the ones evidence is embedded into."""
    runner = _runner(context)
    return [f for f in getattr(runner, "formatters", None) or [] if getattr(f, "name", "") == HTML_FORMATTER]


def html_report_path(context) -> Path | None:
    """The HTML report's path (a worker's part: the merged report's), for links relative to it."""
    for formatter in html_formatters(context):
        name = getattr(formatter, "final_path", None) or getattr(getattr(formatter, "stream_opener", None), "name", None)
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


def _target(context, key: str, default: str, reports: Path) -> Path | None:
    """The file a `-D <key>=<arquivo>` asks for (relative to the reports folder); None when turned off."""
    target = str(context.config.userdata.get(key, default)).strip()
    if not target or _runner(context) is None:
        return None
    path = Path(target) if Path(target).is_absolute() else reports / target
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _opener(path: Path):
    from behave.formatter.base import StreamOpener

    return StreamOpener(filename=str(path), encoding="utf-8")


def _add_html(context, reports: Path, config: Config) -> Path | None:
    existing = html_report_path(context)
    if existing is not None or html_formatters(context):
        return existing
    path = _target(context, "relatorio_html", DEFAULT_HTML, reports)
    if path is None:
        return None
    if part_name(context):
        from .html_parts import PART_SUFFIX, HtmlPartFormatter

        formatter = HtmlPartFormatter(_opener(path.with_suffix(PART_SUFFIX)), context.config, final_path=path)
    else:
        from behave_html_pretty_formatter.html_pretty import PrettyHTMLFormatter

        formatter = PrettyHTMLFormatter(_opener(path), context.config)
    formatter.additional_info.setdefault("Perfil", str(config.perfil))
    formatter.additional_info.setdefault("Stack", str(config.stack))
    _runner(context).formatters.append(formatter)
    return path.resolve()


def _add_allure(context, reports: Path) -> Path | None:
    from .allure_report import RESULTS, MaskedAllureFormatter

    if any(isinstance(f, MaskedAllureFormatter) for f in _runner(context).formatters):
        return None
    path = _target(context, "allure", RESULTS, reports)
    if path is None:
        return None
    formatter = MaskedAllureFormatter(_opener(path), context.config, clean=True)
    _runner(context).formatters.append(formatter)
    return path.resolve()


def _add_timings(context, reports: Path, started: float | None, stack: dict | None) -> Path | None:
    from .timings import FILE, TimingsFormatter

    path = _target(context, "tempos", FILE, reports)
    if path is None:
        return None
    formatter = TimingsFormatter(_opener(path), context.config, before_all_started=started, stack=stack)
    _runner(context).formatters.append(formatter)
    return path.resolve()


def setup(context, config: Config, *, started: float | None = None,
          stack: dict | None = None) -> dict[str, Path | None]:
    """Point JUnit at the profile's reports folder and add the HTML report, the Allure results and the
    timings file. `started` (time.time() at the start of before_all) and `stack` (what the stack's
    start cost) go into the timings."""
    reports = config.path("XPORY_REPORTS_DIR")
    reports.mkdir(parents=True, exist_ok=True)
    if _runner(context) is None:
        return {"junit": _junit(context, reports), "html": None, "allure": None, "tempos": None}
    return {"junit": _junit(context, reports), "html": _add_html(context, reports, config),
            "allure": _add_allure(context, reports), "tempos": _add_timings(context, reports, started, stack)}
