"""A bancada: quanto custa uma execução, medida agora nesta máquina (não é um teste: não reprova nada).

    python -m tools.bancada                      # sandbox a frio + um behave sozinho (tempos por tag) + bash .ci/run (etapas)
    python -m tools.bancada --sem-ci             # sandbox a frio + um behave (sem preparação nem pytest)
    python -m tools.bancada --paralelo 2         # também o portão com 2 trabalhadores
    python -m tools.bancada --readme             # e reescreve a tabela do README (entre os marcadores)
    python -m tools.bancada -- --tags=@trades    # argumentos do behave (ou do portão) depois de --

Mede:
- o sandbox a frio: um behave sem cenários numa pasta de execução nova (o template do PostgreSQL e a PKI
  são criados: o custo da primeira execução numa máquina) e o sandbox já preparado (o before_all da
  execução completa);
- a execução completa (um behave sozinho na máquina, antes do CI: no .ci/run o portão embutido divide a
  máquina com o do embutido-b): o tempo de parede, o tempo nos cenários, nos passos e nos hooks, e o tempo por tag
  e por funcionalidade dentro dela (a soma dos cenários com a tag; lidos do `tempos.json`);
- as etapas do CI (`bash .ci/run`: preparação, pytest, passos indefinidos, portão), pelas linhas
  "== etapa ..." que o .ci/run escreve;
- com `--paralelo N`, o portão com N trabalhadores (tools/paralelo.py).

Imprime a tabela e a grava em Markdown em `<reports>/bancada.md`; com `--readme`, substitui a tabela do
README.md entre `<!-- bancada:início -->` e `<!-- bancada:fim -->`.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BEGIN, END = "<!-- bancada:início -->", "<!-- bancada:fim -->"
STAGE = re.compile(r"^== etapa (.+): (\d+(?:[.,]\d+)?) s$", re.M)


@dataclass
class Bench:
    rows: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, what: str, seconds: float | None, extra: str = "") -> None:
        value = "—" if seconds is None else f"{seconds:.1f} s".replace(".", ",")
        self.rows.append((what, value + (f" ({extra})" if extra else "")))


def reports_dir() -> Path:
    raw = Path(os.environ.get("XPORY_REPORTS_DIR", "reports"))
    return raw if raw.is_absolute() else ROOT / raw


def timed(command: list[str], env: dict | None = None, echo: bool = True) -> tuple[int, float, str]:
    """Run `command` in the repository; (exit code, wall seconds, stdout+stderr). Output is echoed live."""
    started = time.monotonic()
    proc = subprocess.Popen(command, cwd=str(ROOT), env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, bufsize=1)
    out = []
    for line in proc.stdout:
        out.append(line)
        if echo:
            sys.stdout.write(line)
    proc.wait()
    return proc.returncode, time.monotonic() - started, "".join(out)


def cold_start(bench: Bench) -> None:
    """A behave run without scenarios in a fresh runtime folder: the first run on a new machine."""
    with tempfile.TemporaryDirectory(prefix="xpory-bancada-") as folder:
        timings = Path(folder) / "tempos.json"
        code, wall, _ = timed([sys.executable, "-m", "behave", "--tags=@bancada_nenhum_cenario", "-f", "null",
                               "--no-junit", "-D", "relatorio_html=", "-D", "allure=", "-D", f"tempos={timings}"],
                              env={"XPORY_RUNTIME_DIR": str(Path(folder) / "runtime"),
                                   "XPORY_REPORTS_DIR": str(Path(folder) / "reports")}, echo=False)
        data = json.loads(timings.read_text(encoding="utf-8")) if timings.is_file() else {}
    cold = (data.get("stack") or {}).get("cold_start_seconds")
    bench.add("sandbox a frio, pasta de execução nova (template do PostgreSQL e PKI criados)", cold,
              f"behave sem cenários: {wall:.1f} s de parede".replace(".", ",") if code == 0 else f"código {code}")


def full_run(bench: Bench, data: dict, wall: float | None) -> None:
    from tools.perfil_tempo import totals

    scenarios = data["scenarios"]
    in_scenarios = sum(s["seconds"] for s in scenarios)
    in_steps = sum(st["seconds"] for s in scenarios for st in s["steps"])
    steps = sum(len(s["steps"]) for s in scenarios)
    bench.add("sandbox já preparado (before_all da execução completa)", data.get("before_all_seconds"))
    bench.add(f"`behave` sozinho na máquina: {len(scenarios)} cenários, {steps} passos — parede",
              wall if wall is not None else data.get("total_seconds"))
    bench.add("… nos cenários (passos + hooks)", in_scenarios,
              f"passos {in_steps:.1f} s, hooks {in_scenarios - in_steps:.1f} s".replace(".", ","))
    for name, group in totals(scenarios, lambda s: [f"@{t}" for t in s["tags"]]):
        bench.add(f"… `{name}` ({group['scenarios']} cenários)", group["seconds"])


def ci_stages(bench: Bench, output: str, wall: float) -> None:
    for name, seconds in STAGE.findall(output):
        label = {"pytest": "`python -m pytest`", "passos indefinidos": "passos indefinidos (`behave --dry-run`)",
                 "portão": "portão (`.ci/portao`: behave e veredito)",
                 "portões embutido e embutido-b": "os dois portões ao mesmo tempo (`.ci/portao` nos perfis "
                                                  "embutido e embutido-b)"}.get(name, name)
        bench.add(f"`bash .ci/run` — {label}", float(seconds.replace(",", ".")))
    bench.add("`bash .ci/run` — total", wall)


def run_ci(bench: Bench, args: list[str]) -> tuple[dict | None, Bench]:
    """`bash .ci/run`: the gate's timings, and the stages (as rows to add after the behave ones)."""
    code, wall, output = timed(["bash", ".ci/run", *args])
    if code != 0:
        bench.notes.append(f"`bash .ci/run` terminou com código {code}: os tempos são de uma execução que não ficou verde.")
    stages = Bench()
    ci_stages(stages, output, wall)
    return _timings(reports_dir()), stages


def run_behave(bench: Bench, args: list[str]) -> tuple[dict | None, float]:
    code, wall, _ = timed([sys.executable, "-m", "behave", "-f", "progress", *args])
    if code != 0:
        bench.notes.append(f"`behave` terminou com código {code}: os tempos são de uma execução que não ficou verde.")
    return _timings(reports_dir()), wall


def run_parallel(bench: Bench, workers: int, args: list[str]) -> None:
    env = {"PYTHON": sys.executable}
    code, wall, _ = timed(["bash", ".ci/portao", "--paralelo", str(workers), *args], env=env)
    data = _timings(reports_dir()) or {}
    bench.add(f"portão com {workers} trabalhadores (`.ci/portao --paralelo {workers}`)", wall,
              f"{len(data.get('scenarios', []))} cenários" + ("" if code == 0 else f", código {code}"))


def _timings(reports: Path) -> dict | None:
    try:
        return json.loads((reports / "tempos.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def load_average() -> str:
    try:
        return ", ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def markdown(bench: Bench, started_load: str) -> str:
    when = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    lines = [f"Medidos com `python -m tools.bancada` em {when}, numa máquina de {os.cpu_count()} núcleos "
             f"(carga média no início: {started_load}); o relógio de parede inclui subir e derrubar o sandbox. "
             "Os tempos por tag são a soma dos cenários da tag dentro da execução completa.", "",
             "| o quê | tempo |", "|---|---|"]
    lines += [f"| {what} | {value} |" for what, value in bench.rows]
    lines += [""] + [f"> {note}" for note in bench.notes] if bench.notes else []
    return "\n".join(lines).rstrip() + "\n"


def update_readme(table: str) -> bool:
    text = README.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        return False
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{BEGIN}\n{table}{END}{tail}", encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bancada", description=__doc__.split("\n")[0],
                                     allow_abbrev=False)
    parser.add_argument("--sem-ci", action="store_true", help="um behave só, sem bash .ci/run")
    parser.add_argument("--paralelo", type=int, default=0, help="também o portão com N trabalhadores")
    parser.add_argument("--readme", action="store_true", help="reescreve a tabela do README.md")
    parser.add_argument("behave_args", nargs="*", help="argumentos do behave, depois de --")
    options = parser.parse_args(argv)
    started_load, bench = load_average(), Bench()
    cold_start(bench)
    stages = Bench()
    # behave alone first: in .ci/run the embedded gate shares the machine with the embutido-b gate
    data, wall = run_behave(bench, options.behave_args)
    if not options.sem_ci:
        _, stages = run_ci(bench, options.behave_args)
    if data:
        full_run(bench, data, wall)
    bench.rows += stages.rows
    if options.paralelo > 1:
        run_parallel(bench, options.paralelo, options.behave_args)
    table = markdown(bench, started_load)
    target = reports_dir() / "bancada.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(table, encoding="utf-8")
    print("\n" + table + f"\n(gravado em {target})")
    if options.readme:
        print("README.md atualizado." if update_readme(table) else f"README.md sem os marcadores {BEGIN} / {END}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
