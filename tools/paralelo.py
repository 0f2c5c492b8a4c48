"""Execução paralela da suíte: as funcionalidades repartidas entre N processos do behave, cada um com o
seu sandbox embutido, e um só resultado: um veredito, um conjunto JUnit, um relatório HTML, os
resultados Allure, os tempos e as evidências de cada falha.

    python -m tools.paralelo -j 2 [argumentos do behave]     # 2 trabalhadores nesta máquina
    python -m tools.paralelo --parte 1/2 [argumentos]        # só a parte 1 de 2 (um runner do CI)
    python -m tools.paralelo --juntar [--esperadas 2]        # junta as partes já em reports/partes/

O portão (.ci/portao) chama este módulo com `--paralelo N` ou `XPORY_PARALELO=N`, `XPORY_PARTE=K/M` e
`--juntar`; o workflow do GitHub usa as duas últimas (matriz + um job que junta e dá o veredito).

A unidade é a funcionalidade: os cenários de uma funcionalidade dividem o estado do reset
(support/runbook.py), então uma funcionalidade nunca é partida. A repartição equilibra o peso de cada
funcionalidade: os segundos da execução anterior (`reports/tempos.json`), quando houver, senão o número
de cenários selecionados; `--parte` usa só o número de cenários, para que todos os runners do CI
calculem a mesma repartição. Funcionalidades sem cenário selecionado (tags, nome) ficam de fora.

Cada trabalhador roda `python -m behave -D parte=<nome> ...` com `XPORY_REPORTS_DIR=<reports>/partes/<nome>`
e a saída do console em `<reports>/partes/<nome>/saida.log`; o sandbox de cada um tem portas, pasta de
execução e banco próprios (support/stack/embedded.py). Ao fim, a junção copia para `<reports>/` os JUnit,
as evidências e os resultados Allure de todas as partes, desenha o relatório HTML único a partir das
partes (support/html_parts.py) e soma os tempos.

Contra uma stack compartilhada (qualquer XPORY_STACK que não seja `embedded`, ou seja, qualquer perfil
que não seja o embutido) a execução paralela é recusada: o reset é global, e dois processos resetando a
mesma stack derrubariam os cenários um do outro.

Códigos de saída: os do behave (0 verde, 1 algum cenário falhou, 2 a suíte não pôde rodar).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

PARTS = "partes"
STATE = "estado.json"
CONSOLE = "saida.log"
MERGED_OUTPUTS = ("junit", "evidencias", "allure-results", "relatorio.html", "tempos.json",
                  "nao-pode-rodar.txt", "nao-provados.txt")
VALUE_OPTIONS = {"-t", "--tags", "-i", "--include", "-e", "--exclude", "-n", "--name", "-f", "--format",
                 "-o", "--outfile", "-D", "--define", "-k", "--lang", "--junit-directory", "-c", "--color",
                 "--logging-level", "--logging-format", "--logging-datefmt", "--logging-filter",
                 "--runner", "--stage"}


class Refused(Exception):
    """The parallel run cannot start (the message says why and what to do)."""


# --- what to run ---------------------------------------------------------------------------------------
def behave_config(args: list[str]):
    from behave.configuration import Configuration

    return Configuration(command_args=list(args))


def path_args(args: list[str]) -> tuple[list[str], list[str]]:
    """Split behave's arguments into (options, paths): a path is an existing file or folder given as a
    positional argument (not the value of an option)."""
    options, paths, expects_value = [], [], False
    for arg in args:
        if expects_value:
            options.append(arg)
            expects_value = False
        elif arg.startswith("-"):
            options.append(arg)
            expects_value = arg in VALUE_OPTIONS
        elif Path(arg.split(":")[0]).exists():
            paths.append(arg)
        else:
            options.append(arg)
    return options, paths


def feature_files(paths: list[str]) -> list[str]:
    """The feature files under `paths` (folders walked; a file may carry behave's `:line`)."""
    files: list[str] = []
    for raw in paths:
        path = Path(raw)
        files.extend(str(f) for f in sorted(path.rglob("*.feature"))) if path.is_dir() else files.append(raw)
    return sorted(dict.fromkeys(files))


def selected_scenarios(path: str, config) -> int:
    """How many scenarios of the feature would run with the tags and names of `config`."""
    from behave.parser import parse_file

    feature = parse_file(path.split(":")[0], language=config.lang)
    if feature is None:
        return 0
    names = config.name or []
    count = 0
    for scenario in feature.walk_scenarios():
        if not scenario.should_run_with_tags(config.tag_expression):
            continue
        if names and not scenario.should_run_with_name_select(config):
            continue
        count += 1
    return count


def previous_seconds(reports: Path) -> dict[str, float]:
    """Seconds per feature file in the last run's timings (empty when there is none)."""
    try:
        data = json.loads((reports / "tempos.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    seconds: dict[str, float] = {}
    for scenario in data.get("scenarios", []):
        key = str(Path(scenario["file"]).resolve())
        seconds[key] = seconds.get(key, 0.0) + float(scenario["seconds"])
    return seconds


def split(weights: dict[str, float], n: int) -> list[list[str]]:
    """Longest first, each to the lightest bucket (ties: the first); deterministic for equal input."""
    buckets: list[tuple[float, list[str]]] = [(0.0, []) for _ in range(n)]
    for name in sorted(weights, key=lambda k: (-weights[k], k)):
        index = min(range(n), key=lambda i: (buckets[i][0], i))
        total, items = buckets[index]
        buckets[index] = (total + weights[name], [*items, name])
    return [sorted(items) for _, items in buckets if items]


def plan(args: list[str], workers: int, shard: tuple[int, int] | None, reports: Path) -> list[list[str]]:
    """The feature files of each worker."""
    config = behave_config(args)
    _, paths = path_args(args)
    counts = {f: selected_scenarios(f, config) for f in feature_files(paths or list(config.paths))}
    counts = {f: c for f, c in counts.items() if c > 0}
    if shard is not None:
        part, of = shard
        mine = split({f: float(c) for f, c in counts.items()}, of)
        counts = {f: counts[f] for f in (mine[part - 1] if part <= len(mine) else [])}
    seconds = {} if shard is not None else previous_seconds(reports)
    weights = {f: seconds.get(str(Path(f.split(":")[0]).resolve()), float(c)) for f, c in counts.items()}
    return split(weights, workers)


# --- the shared-stack guard --------------------------------------------------------------------------------
def load_profile(args: list[str]):
    """The profile the workers will load (`-D perfil=` or XPORY_PERFIL), or Refused with its problem."""
    from support import config as config_module
    from support.errors import SuiteSetupError

    try:
        return config_module.load(behave_config(args).userdata.get("perfil"))
    except SuiteSetupError as exc:
        raise Refused(str(exc)) from None


def profile_stack(args: list[str]) -> tuple[str, str | None, Path]:
    """(profile, XPORY_STACK, reports folder) read without validating the profile: a shared stack is
    refused before its settings (passwords) are even asked for."""
    from dotenv import dotenv_values

    from support.config import PROFILES_DIR, ROOT

    profile = behave_config(args).userdata.get("perfil") or os.environ.get("XPORY_PERFIL") or "embutido"
    values = {}
    for name in (f"{profile}.env", f"{profile}.local.env"):
        if (PROFILES_DIR / name).is_file():
            values.update({k: v for k, v in dotenv_values(PROFILES_DIR / name).items() if v is not None})
    values.update({k: v for k, v in os.environ.items() if k.startswith("XPORY_")})
    reports = Path(values.get("XPORY_REPORTS_DIR") or "reports")
    return profile, values.get("XPORY_STACK"), reports if reports.is_absolute() else ROOT / reports


def guard(args: list[str]):
    """The embedded profile's config; Refused (with the cause written for the gate) for a shared stack."""
    from support.run_outcome import write_cause

    profile, stack, reports = profile_stack(args)
    if stack not in (None, "embedded"):
        message = (
            f"execução paralela recusada: o perfil {profile} usa uma stack compartilhada (XPORY_STACK={stack}) "
            "e o reset do runbook é global — dois trabalhadores resetando a mesma stack derrubariam os cenários "
            "um do outro. Rode sem --paralelo/XPORY_PARALELO/XPORY_PARTE, ou use o perfil embutido "
            "(XPORY_PERFIL=embutido), em que cada trabalhador sobe o seu sandbox.")
        write_cause(message, reports)
        raise Refused(message)
    return load_profile(args)


# --- the workers --------------------------------------------------------------------------------------------
@dataclass
class Worker:
    name: str
    features: list[str]
    folder: Path
    shard: str | None = None
    process: subprocess.Popen | None = None
    started: float = field(default_factory=time.monotonic)
    code: int | None = None
    seconds: float = 0.0

    def start(self, options: list[str]) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        env = {**os.environ, "XPORY_REPORTS_DIR": str(self.folder), "PYTHONUNBUFFERED": "1"}
        command = [sys.executable, "-m", "behave", "-D", f"parte={self.name}", *options,
                   "--junit-directory", str(self.folder / "junit"), *self.features]
        with open(self.folder / CONSOLE, "wb") as console:
            self.process = subprocess.Popen(command, env=env, stdout=console, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL)
        self.started = time.monotonic()

    def finished(self) -> bool:
        if self.code is None and self.process is not None and self.process.poll() is not None:
            self.code, self.seconds = self.process.returncode, time.monotonic() - self.started
            state = {"name": self.name, "code": self.code, "seconds": round(self.seconds, 3),
                     "features": self.features, "shard": self.shard}
            (self.folder / STATE).write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
        return self.code is not None

    def line(self) -> str:
        verdict = {0: "verde", 1: "cenários falharam", 2: "não pôde rodar"}.get(self.code, f"código {self.code}")
        names = ", ".join(Path(f).stem for f in self.features)
        return f"  {self.name} ({names}): {verdict} em {self.seconds:.1f} s — console em {self.folder / CONSOLE}"


def run_workers(workers: list[Worker], options: list[str]) -> None:
    """Start every worker, then block until each ends (os.waitid: no polling), saying which ones run."""
    from support.progress import waiting

    for worker in workers:
        worker.start(options)
    pending = list(workers)
    with waiting(_running(pending)) as wait:
        while pending:
            try:
                os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOWAIT)  # a child ended (reaped by Popen below)
            except ChildProcessError:
                pass
            for worker in [w for w in pending if w.finished()]:
                pending.remove(worker)
                _report(worker)
            if pending:
                wait.what = _running(pending)


def _running(pending: list[Worker]) -> str:
    names = ", ".join(w.name for w in pending)
    return f"o {names} terminar" if len(pending) == 1 else f"os trabalhadores {names} terminarem"


def _report(worker: Worker) -> None:
    print(worker.line(), flush=True)
    if worker.code != 0:
        tail = (worker.folder / CONSOLE).read_text(encoding="utf-8", errors="replace").splitlines()[-25:]
        print("\n".join("    | " + line for line in tail), flush=True)


def worker_names(count: int, shard: tuple[int, int] | None) -> list[str]:
    if shard is None:
        return [f"trabalhador-{i}" for i in range(1, count + 1)]
    return [f"parte-{shard[0]}de{shard[1]}-{i}" for i in range(1, count + 1)]


# --- the merge ----------------------------------------------------------------------------------------------
def clean_merged(reports: Path) -> None:
    for name in MERGED_OUTPUTS:
        target = reports / name
        if target.is_dir():
            shutil.rmtree(target, ignore_errors=True)
        else:
            target.unlink(missing_ok=True)


def _copy_files(source: Path, target: Path, prefix: str) -> None:
    if not source.is_dir():
        return
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.iterdir()):
        destination = target / path.name
        if destination.exists():  # never the case when every feature runs once; never overwrite evidence
            destination = target / f"{prefix}-{path.name}"
        if path.is_dir():
            shutil.copytree(path, destination)
        else:
            shutil.copy2(path, destination)


def merge_timings(parts: list[Path], wall: float | None) -> dict:
    from support.timings import VERSION

    loaded = []
    for part in parts:
        try:
            loaded.append((part.name, json.loads((part / "tempos.json").read_text(encoding="utf-8"))))
        except (OSError, ValueError):
            continue
    datas = [d for _, d in loaded]

    def worst(key: str) -> float:
        return max((d.get(key) or 0.0 for d in datas), default=0.0)

    return {"version": VERSION, "total_seconds": round(wall if wall is not None else worst("total_seconds"), 3),
            "startup_seconds": worst("startup_seconds"), "before_all_seconds": worst("before_all_seconds"),
            "after_all_seconds": worst("after_all_seconds"), "stack": datas[0].get("stack", {}) if datas else {},
            "workers": [{"name": name, **{k: d.get(k) for k in ("total_seconds", "startup_seconds",
                                                                  "before_all_seconds", "after_all_seconds", "stack")},
                         "scenarios": len(d.get("scenarios", []))} for name, d in loaded],
            "scenarios": [s for d in datas for s in d.get("scenarios", [])]}


def _concat(parts: list[Path], name: str, target: Path, label: bool) -> None:
    lines = []
    for part in parts:
        path = part / name
        if path.is_file():
            text = path.read_text(encoding="utf-8").strip()
            if text:
                lines.extend(f"{part.name}: {line}" if label else line for line in text.splitlines())
    if lines:
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")


def merge(reports: Path, parts: list[Path], args: list[str], wall: float | None = None) -> None:
    """Gather every part's reports into `reports`: JUnit, evidence, Allure, one HTML report, timings."""
    from support.html_parts import PART_SUFFIX, render

    clean_merged(reports)
    for part in parts:
        for folder in ("junit", "evidencias", "allure-results"):
            _copy_files(part / folder, reports / folder, part.name)
    config = behave_config(args)
    html = str(config.userdata.get("relatorio_html", "relatorio.html")).strip()
    if html:
        target = Path(html) if Path(html).is_absolute() else reports / html
        render([p / Path(html).with_suffix(PART_SUFFIX).name for p in parts], target, config)
    (reports / "tempos.json").write_text(json.dumps(merge_timings(parts, wall), ensure_ascii=False, indent=1),
                                         encoding="utf-8")
    _concat(parts, "nao-pode-rodar.txt", reports / "nao-pode-rodar.txt", label=True)
    _concat(parts, "nao-provados.txt", reports / "nao-provados.txt", label=False)


def merged_code(parts: list[Path], expected_shards: int | None = None) -> tuple[int, list[str]]:
    """The run's exit code from the parts' states (2 wins over 1), and what went wrong besides scenarios."""
    states, problems = [], []
    for part in parts:
        try:
            states.append({"name": part.name, **json.loads((part / STATE).read_text(encoding="utf-8"))})
        except (OSError, ValueError):
            problems.append(f"a parte {part.name} não tem {STATE} (o trabalhador não terminou?)")
    if expected_shards:
        seen = {s.get("shard") for s in states}
        problems += [f"a parte {k}/{expected_shards} não chegou" for k in range(1, expected_shards + 1)
                     if f"{k}/{expected_shards}" not in seen]
    problems += [f"{s['name']}: o behave terminou com código {s.get('code')} (a suíte não pôde rodar; veja "
                 f"{s['name']}/{CONSOLE})" for s in states if s.get("code") not in (0, 1)]
    if not parts:
        problems.append("nenhuma parte para juntar")
    if problems:
        return 2, problems
    return (1 if any(s.get("code") == 1 for s in states) else 0), []


# --- the command --------------------------------------------------------------------------------------------
def parse_shard(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        part, of = (int(x) for x in text.split("/"))
    except ValueError:
        raise Refused(f"--parte/XPORY_PARTE deve ser K/M (por exemplo 1/2), veio {text!r}") from None
    if not 1 <= part <= of:
        raise Refused(f"--parte/XPORY_PARTE={text}: K deve estar entre 1 e M")
    return part, of


def run(args: list[str], workers: int, shard: tuple[int, int] | None) -> int:
    reports = guard(args).path("XPORY_REPORTS_DIR")
    started = time.monotonic()
    buckets = plan(args, workers, shard, reports)
    parts_root = reports / PARTS
    shutil.rmtree(parts_root, ignore_errors=True)
    where = f"parte {shard[0]}/{shard[1]}, " if shard else ""
    print(f"== execução paralela ({where}{len(buckets)} trabalhador(es)):", flush=True)
    if not buckets:
        print("  nenhum cenário selecionado: nada a rodar.")
    names = worker_names(len(buckets), shard)
    team = [Worker(name, files, parts_root / name, f"{shard[0]}/{shard[1]}" if shard else None)
            for name, files in zip(names, buckets, strict=True)]
    options, _ = path_args(args)
    run_workers(team, options)
    parts = [w.folder for w in team]
    merge(reports, parts, args, wall=time.monotonic() - started)
    code, problems = merged_code(parts)
    for problem in problems:
        print(f"  {problem}")
    print(f"== execução paralela: {len(team)} trabalhador(es) em {time.monotonic() - started:.1f} s; "
          f"relatórios juntados em {reports}", flush=True)
    return code if team else 0


def join(args: list[str], expected: int | None) -> int:
    reports = load_profile(args).path("XPORY_REPORTS_DIR")
    parts = sorted(p for p in (reports / PARTS).glob("*") if p.is_dir())
    merge(reports, parts, args)
    code, problems = merged_code(parts, expected)
    for problem in problems:
        print(f"  {problem}")
    print(f"== junção: {len(parts)} parte(s) juntadas em {reports}")
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.paralelo", description=__doc__.split("\n")[0],
                                     allow_abbrev=False)  # every other argument goes to behave
    parser.add_argument("-j", "--trabalhadores", type=int, default=int(os.environ.get("XPORY_PARALELO") or 2),
                        help="quantos trabalhadores (padrão: XPORY_PARALELO, ou 2)")
    parser.add_argument("--parte", default=os.environ.get("XPORY_PARTE") or None, help="K/M: só a parte K de M")
    parser.add_argument("--juntar", action="store_true", help="só junta as partes em <reports>/partes/")
    parser.add_argument("--esperadas", type=int, default=None, help="com --juntar: quantas partes (M) devem chegar")
    options, behave_args = parser.parse_known_args(argv)
    if behave_args[:1] == ["--"]:
        behave_args = behave_args[1:]
    try:
        if options.juntar:
            return join(behave_args, options.esperadas)
        if options.trabalhadores < 1:
            raise Refused("-j/XPORY_PARALELO deve ser 1 ou mais")
        return run(behave_args, options.trabalhadores, parse_shard(options.parte))
    except Refused as exc:
        print(f"\nA suíte não pôde rodar: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
