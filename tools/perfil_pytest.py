"""O perfil de tempo do `python -m pytest`: onde foram os segundos, por processo do xdist e por grupo.

    python -m tools.perfil_pytest                       # roda o python -m pytest e mostra o perfil
    python -m tools.perfil_pytest --top 20              # os 20 grupos mais longos
    python -m tools.perfil_pytest -- tests/gate -n 2    # argumentos do pytest depois de --

Roda o pytest com o plugin tools/pytest_tempos.py (que grava o início e o fim de cada teste, seu processo e
seu grupo) e mostra: a parede total, a partida (do comando ao primeiro teste: Python, plugins, a coleta em
cada processo) e o fim (do último teste ao fim do comando); por processo, o tempo ocupado e quando terminou
(processos que terminam longe uns dos outros: a divisão está desequilibrada); e os grupos mais longos (um
grupo roda inteiro num processo: tests/worker_groups.py), com o processo e o intervalo em que rodaram.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = "tools.pytest_tempos"


def read(folder: Path) -> list[dict]:
    return [json.loads(line) for path in sorted(folder.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def groups(rows: list[dict]) -> list[dict]:
    """Each group's worker, first start, last end, busy seconds and number of tests; longest first."""
    by: dict[str, dict] = {}
    for row in rows:
        g = by.setdefault(row["group"], {"group": row["group"], "worker": row["worker"], "start": row["start"],
                                         "end": row["end"], "seconds": 0.0, "tests": 0})
        g["start"], g["end"] = min(g["start"], row["start"]), max(g["end"], row["end"])
        g["seconds"] += row["end"] - row["start"]
        g["tests"] += 1
    return sorted(by.values(), key=lambda g: -g["seconds"])


def workers(rows: list[dict]) -> list[dict]:
    by: dict[str, dict] = defaultdict(lambda: {"seconds": 0.0, "tests": 0, "start": None, "end": None})
    for row in rows:
        w = by[row["worker"]]
        w["seconds"] += row["end"] - row["start"]
        w["tests"] += 1
        w["start"] = row["start"] if w["start"] is None else min(w["start"], row["start"])
        w["end"] = row["end"] if w["end"] is None else max(w["end"], row["end"])
    return [{"worker": name, **w} for name, w in sorted(by.items())]


def report(rows: list[dict], began: float, ended: float, code: int, top: int = 10) -> str:
    if not rows:
        return f"Nenhum teste rodou (o pytest terminou com código {code})."
    first, last = min(r["start"] for r in rows), max(r["end"] for r in rows)
    lines = [f"pytest: {ended - began:.1f} s de parede, código {code}, {len(rows)} testes; partida até o primeiro "
             f"teste {first - began:.1f} s, do último teste ao fim {ended - last:.1f} s", "",
             "| processo | ocupado | testes | terminou em |", "|---|---|---|---|"]
    for w in workers(rows):
        lines.append(f"| {w['worker']} | {w['seconds']:.1f} s | {w['tests']} | {w['end'] - began:.1f} s |")
    lines += ["", f"Os {top} grupos mais longos (cada um roda inteiro num processo):", "",
              "| grupo | processo | testes | ocupado | de – até |", "|---|---|---|---|---|"]
    for g in groups(rows)[:top]:
        lines.append(f"| {g['group']} | {g['worker']} | {g['tests']} | {g['seconds']:.1f} s | "
                     f"{g['start'] - began:.1f} – {g['end'] - began:.1f} s |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.perfil_pytest", description=__doc__.split("\n")[0])
    parser.add_argument("--top", type=int, default=10, help="quantos grupos na lista dos mais longos")
    parser.add_argument("pytest_args", nargs="*", help="argumentos do pytest (depois de --)")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="xpory-perfil-pytest-") as folder:
        env = {**os.environ, "XPORY_PYTEST_TEMPOS": folder}
        began = time.time()
        code = subprocess.run([sys.executable, "-m", "pytest", "-p", PLUGIN, *options.pytest_args], cwd=ROOT,
                              env=env).returncode
        ended = time.time()
        print()
        print(report(read(Path(folder)), began, ended, code, options.top))
    return code


if __name__ == "__main__":
    sys.exit(main())
