"""O perfil de tempo de uma execução: onde foram os segundos, por cenário e por passo.

    python -m tools.perfil_tempo                    # lê reports/tempos.json (a última execução do behave)
    python -m tools.perfil_tempo --top 20           # as 20 linhas mais lentas de cada lista
    python -m tools.perfil_tempo --rodar -- --tags=@ui   # roda o behave (com esses argumentos) e mostra o perfil
    python -m tools.perfil_tempo --arquivo outro/tempos.json

Toda execução do behave grava `<XPORY_REPORTS_DIR>/tempos.json` (support/timings.py): o tempo de parede
de cada cenário (com os hooks: contexto do navegador, trace, evidências), a duração de cada passo e, da
execução, a partida (Python, imports, leitura das funcionalidades), o before_all (a stack subindo) e o
after_all (a stack parando). Este comando ordena e soma: totais por funcionalidade e por tag, os cenários
mais lentos, as execuções de passo mais lentas e os passos somados por definição (o mesmo texto em vários
cenários). Um cenário com duas tags conta nas duas.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = Path(os.environ.get("XPORY_REPORTS_DIR", "reports")) / "tempos.json"


def load(path: Path) -> dict:
    from support.timings import load as load_timings

    return load_timings(path)


def _s(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:.2f}"


def totals(scenarios: list[dict], key) -> list[tuple[str, dict]]:
    """Sum seconds, scenarios, step seconds and hook seconds per key(scenario) (a key may give many)."""
    groups: dict[str, dict] = defaultdict(lambda: {"seconds": 0.0, "scenarios": 0, "steps": 0.0, "hooks": 0.0})
    for scenario in scenarios:
        steps = sum(s["seconds"] for s in scenario["steps"])
        for name in key(scenario):
            group = groups[name]
            group["seconds"] += scenario["seconds"]
            group["scenarios"] += 1
            group["steps"] += steps
            group["hooks"] += scenario["seconds"] - steps
    return sorted(groups.items(), key=lambda item: -item[1]["seconds"])


def step_runs(scenarios: list[dict]) -> list[dict]:
    return sorted(({**step, "scenario": sc["name"], "feature": sc["feature"]}
                   for sc in scenarios for step in sc["steps"]), key=lambda s: -s["seconds"])


def step_definitions(scenarios: list[dict]) -> list[tuple[str, dict]]:
    """Steps summed by their text (the same step in many scenarios): total, count, max."""
    groups: dict[str, dict] = defaultdict(lambda: {"seconds": 0.0, "runs": 0, "max": 0.0})
    for scenario in scenarios:
        for step in scenario["steps"]:
            group = groups[step["name"]]
            group["seconds"] += step["seconds"]
            group["runs"] += 1
            group["max"] = max(group["max"], step["seconds"])
    return sorted(groups.items(), key=lambda item: -item[1]["seconds"])


def _short(text: str, width: int = 90) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def header(data: dict) -> list[str]:
    scenarios = data["scenarios"]
    in_scenarios = sum(s["seconds"] for s in scenarios)
    in_steps = sum(st["seconds"] for s in scenarios for st in s["steps"])
    stack = data.get("stack") or {}
    steps = sum(len(s["steps"]) for s in scenarios)
    return [
        f"Execução: {len(scenarios)} cenários, {steps} passos (perfil {stack.get('perfil', '?')}); "
        f"parede total {_s(data['total_seconds'])} s",
        f"  partida do processo (Python, imports, leitura das funcionalidades): {_s(data['startup_seconds'])} s",
        f"  before_all (stack e sessão): {_s(data['before_all_seconds'])} s — a stack subiu em "
        f"{_s(stack.get('cold_start_seconds'))} s",
        f"  cenários: {_s(in_scenarios)} s (passos {_s(in_steps)} s, hooks {_s(in_scenarios - in_steps)} s)",
        f"  after_all (stack parando, relatórios): {_s(data['after_all_seconds'])} s",
    ]


def table(title: str, columns: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(c)) for c in col) for col in zip(columns, *rows, strict=True)] if rows else [len(c) for c in columns]
    lines = ["", title]
    for row in [columns, *rows]:
        lines.append(("  " + "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True))).rstrip())
    return lines


def report(data: dict, top: int = 10) -> str:
    scenarios = data["scenarios"]
    groups = ["s", "cenários", "passos (s)", "hooks (s)"]
    lines = header(data)
    for title, key in (("Por funcionalidade", lambda s: [s["feature"]]),
                       ("Por tag (um cenário com duas tags conta nas duas)", lambda s: [f"@{t}" for t in s["tags"]])):
        rows = [[_short(name, 70), _s(g["seconds"]), g["scenarios"], _s(g["steps"]), _s(g["hooks"])]
                for name, g in totals(scenarios, key)]
        lines += table(title, ["", *groups], rows)
    slow = sorted(scenarios, key=lambda s: -s["seconds"])[:top]
    lines += table(f"Cenários mais lentos (top {top})", ["s", "passos (s)", "status", "cenário"],
                   [[_s(s["seconds"]), _s(sum(st["seconds"] for st in s["steps"])), s["status"],
                     _short(f"{s['feature']} › {s['name']}")] for s in slow])
    lines += table(f"Passos mais lentos (top {top} execuções)", ["s", "passo", "cenário"],
                   [[_s(s["seconds"]), _short(f"{s['keyword']} {s['name']}", 70), _short(s["scenario"], 50)]
                    for s in step_runs(scenarios)[:top]])
    lines += table(f"Passos somados por texto (top {top})", ["s", "vezes", "máx (s)", "passo"],
                   [[_s(g["seconds"]), g["runs"], _s(g["max"]), _short(name)]
                    for name, g in step_definitions(scenarios)[:top]])
    return "\n".join(lines)


def run_behave(args: list[str]) -> int:
    return subprocess.call([sys.executable, "-m", "behave", *args], cwd=str(ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.perfil_tempo", description=__doc__.split("\n")[0])
    parser.add_argument("--arquivo", type=Path, default=None, help="o tempos.json (padrão: reports/tempos.json)")
    parser.add_argument("--top", type=int, default=10, help="quantas linhas nas listas dos mais lentos")
    parser.add_argument("--rodar", action="store_true", help="roda o behave antes (argumentos depois de --)")
    parser.add_argument("behave_args", nargs="*", help="argumentos do behave (com --rodar)")
    options = parser.parse_args(argv)
    path = options.arquivo or (DEFAULT if DEFAULT.is_absolute() else ROOT / DEFAULT)
    if options.rodar:
        code = run_behave(["-f", "progress", *options.behave_args])
        print(f"(behave terminou com código {code})")
    if not path.is_file():
        print(f"Não há {path}: rode o behave antes (ou use --rodar).", file=sys.stderr)
        return 2
    print(report(load(path), options.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
