"""Quanto o portão pega: roda a suíte contra mutantes do sandbox — cada um um bug realista da XporY,
descrito em `tools/mutantes.toml` — um de cada vez, numa cópia descartável do repositório, e diz quais
foram mortos (algum cenário falhou), por qual cenário, e quais sobreviveram (o portão passaria verde com
o bug). Não faz parte do portão normal: é a ferramenta de quem escreve cenários.

    python -m tools.mutacao                          # todos os mutantes (área primeiro, depois o resto)
    python -m tools.mutacao -j 2                     # 2 trabalhadores, cada um com sua cópia e seu sandbox
    python -m tools.mutacao --area ui,preflight      # só os mutantes dessas áreas
    python -m tools.mutacao busca-nao-esconde ...    # só esses mutantes (ids do catálogo)
    python -m tools.mutacao --so-area                # só os cenários da área de cada mutante (rápido)
    python -m tools.mutacao --cenario "balança"      # que bugs este cenário pega? (-n do behave)
    python -m tools.mutacao --tags @ui               # que bugs estas tags pegam?
    python -m tools.mutacao --amostra 3              # uma amostra rotativa (muda a cada dia; --semente N fixa)
    python -m tools.mutacao --base                   # antes, confere que a suíte sem mutante passa
    python -m tools.mutacao --readme                 # ao fim, grava o placar no README (entre os marcadores)
    python -m tools.mutacao --listar                 # lista os mutantes e sai

Como roda cada mutante: numa cópia da árvore de trabalho (os arquivos do git, inclusive os ainda não
commitados; nunca o checkout de verdade), troca o trecho do catálogo e roda o behave com `--stop`
primeiro só nos cenários da área do mutante (as tags da área no catálogo) e, se nenhum falhar, no resto
da suíte. Morto = algum cenário falhou (o primeiro que falhou é o "assassino"; "na área" quando ele é da
área do bug); sobreviveu = a suíte inteira passou com o bug. Com `--cenario`/`--tags` roda só essa
seleção. O sandbox é sempre o embutido (XPORY_PERFIL=embutido; as outras variáveis XPORY_* e SANDBOX_*
do ambiente são ignoradas), um por trabalhador, com portas e pastas próprias.

Um mutante que sobrevive precisa de um cenário novo ou mais afiado, ou de um motivo registrado no
catálogo (`sobrevive = "..."`: mutante equivalente, ou comportamento que o runbook não cobra); o README
lista os sobreviventes com o motivo.

Resultados em `<reports>/mutacao/`: `resultado.json`, `resultado.md` e o console de cada execução do
behave em `logs/<mutante>-<fase>.log`. Código de saída: 0 quando todo sobrevivente tem motivo registrado
(e, com `--minimo P`, a taxa de mortos é ≥ P %); 1 caso contrário; 2 quando não pôde rodar (catálogo
inválido, suíte sem mutante vermelha com `--base`).
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tools import mutantes
from tools.mutantes import Catalogue, CatalogueError, Mutant

ROOT = mutantes.ROOT
README = ROOT / "README.md"
BEGIN, END = "<!-- mutacao:início -->", "<!-- mutacao:fim -->"
QUIET = ["-D", "relatorio_html=", "-D", "allure=", "-D", "tempos="]  # no HTML, Allure or timings per run
KILLED, SURVIVED = "morto", "sobreviveu"


# --- the scratch copy ----------------------------------------------------------------------------------
def worktree_files(root: Path = ROOT) -> list[str]:
    """The files of the working tree git knows or would add (tracked, and untracked but not ignored)."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root,
                         capture_output=True, check=True).stdout
    return sorted({name for name in out.decode().split("\0") if name})


@dataclass
class Run:
    """One behave execution in a scratch copy."""
    phase: str
    code: int | None          # None: killed after the time limit
    seconds: float
    failures: list[dict]      # [{scenario, message}] from the JUnit files
    cause: str | None = None  # why the suite could not run (nao-pode-rodar.txt or the log's tail)


class Scratch:
    """A throw-away copy of the working tree, with its own `.xpory/` and `reports/` (so its own sandbox)."""

    def __init__(self, root: Path = ROOT, keep: bool = False):
        self.root = root
        self.keep = keep
        self.path = Path(tempfile.mkdtemp(prefix="xpory-mutacao-"))
        for name in worktree_files(root):
            source = root / name
            if source.is_file():
                target = self.path / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target, follow_symlinks=False)
        self.process: subprocess.Popen | None = None

    def remove(self) -> None:
        if not self.keep:
            shutil.rmtree(self.path, ignore_errors=True)

    @contextmanager
    def mutated(self, mutant: Mutant):
        """The mutant's bug in this copy while the block runs; the original text back afterwards."""
        path = self.path / mutant.file
        original = path.read_text(encoding="utf-8")
        path.write_text(mutant.apply(original), encoding="utf-8")
        _drop_bytecode(path)
        try:
            yield
        finally:
            path.write_text(original, encoding="utf-8")
            _drop_bytecode(path)

    def behave(self, phase: str, selection: list[str], log: Path, limit: float) -> Run:
        reports = self.path / "reports"
        for stale in (reports / "junit", reports / "nao-pode-rodar.txt"):
            shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)
        command = [sys.executable, "-m", "behave", "--stop", "-f", "progress", *QUIET, *selection]
        log.parent.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        with open(log, "w", encoding="utf-8") as out:
            out.write("$ " + " ".join(command) + "\n")
            out.flush()
            self.process = subprocess.Popen(command, cwd=self.path, env=sandbox_env(), stdout=out,
                                            stderr=subprocess.STDOUT, start_new_session=True)
            try:
                code: int | None = self.process.wait(timeout=limit)
            except subprocess.TimeoutExpired:
                self.stop()
                code = None
        self.process = None
        seconds = time.monotonic() - started
        cause = None
        if code not in (0, 1) or (code == 1 and not junit_failures(reports / "junit")):
            cause = _cause(reports, log, code, limit)
        return Run(phase, code, seconds, junit_failures(reports / "junit"), cause)

    def stop(self) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def _drop_bytecode(path: Path) -> None:
    if path.suffix == ".py":
        Path(importlib.util.cache_from_source(str(path))).unlink(missing_ok=True)


def sandbox_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XPORY_", "SANDBOX_"))}
    env["XPORY_PERFIL"] = "embutido"
    return env


def _cause(reports: Path, log: Path, code: int | None, limit: float) -> str:
    if code is None:
        return f"tempo esgotado ({limit:g} s)"
    try:
        return (reports / "nao-pode-rodar.txt").read_text(encoding="utf-8").strip().splitlines()[0][:300]
    except (OSError, IndexError):
        tail = [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
        return f"behave terminou com código {code}: " + (tail[-1][:300] if tail else "sem saída")


def junit_failures(folder: Path) -> list[dict]:
    """The failed or errored scenarios of behave's JUnit files: [{scenario, message}], in file order."""
    found = []
    for path in sorted(folder.glob("TESTS-*.xml")):
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError:
            continue
        for case in root.iter("testcase"):
            problem = case.find("failure")
            problem = problem if problem is not None else case.find("error")
            if problem is None:
                continue
            feature = (case.get("classname") or path.stem).split(".", 1)[0]
            message = (problem.get("message") or problem.text or "").strip().splitlines()
            found.append({"scenario": f"{feature}: {(case.get('name') or '').strip()}",
                          "message": (message[0] if message else "")[:300]})
    return found


# --- what to run for one mutant ------------------------------------------------------------------------
def _without_wip(expression: str) -> str:
    return f"({expression}) and not @wip"


def chosen_scenarios(args) -> list[str]:
    """The behave selection of `--cenario` / `--tags` (the whole suite when neither is given)."""
    chosen = ["-n", args.cenario] if args.cenario else []
    return chosen + ["--tags", _without_wip(args.tags) if args.tags else "not @wip"]


def phases(mutant: Mutant, catalogue: Catalogue, args) -> list[tuple[str, list[str]]]:
    """[(phase name, behave selection)]: the chosen scenarios only, or the mutant's area and then the rest."""
    if args.cenario or args.tags:
        return [("seleção", chosen_scenarios(args))]
    area = catalogue.areas[mutant.area].tags
    first = ("área", ["--tags", _without_wip(area)])
    return [first] if args.so_area else [first, ("resto", ["--tags", _without_wip(f"not ({area})")])]


@dataclass
class Outcome:
    id: str
    area: str
    bug: str
    result: str = SURVIVED
    killer: str | None = None       # the first failed scenario (or why the suite could not run)
    message: str | None = None      # its failure message, first line
    phase: str | None = None        # where it died: área, resto, seleção
    in_area: bool = False
    seconds: float = 0.0
    reason: str | None = None       # the catalogue's `sobrevive` for a survivor
    runs: list[dict] = field(default_factory=list)


def run_mutant(scratch: Scratch, mutant: Mutant, catalogue: Catalogue, args, logs: Path) -> Outcome:
    outcome = Outcome(mutant.id, mutant.area, mutant.bug, reason=mutant.survives)
    started = time.monotonic()
    with scratch.mutated(mutant):
        for phase, selection in phases(mutant, catalogue, args):
            run = scratch.behave(phase, selection, logs / f"{mutant.id}-{phase}.log", args.tempo_maximo)
            outcome.runs.append({"phase": phase, "code": run.code, "seconds": round(run.seconds, 1)})
            if run.failures or run.code != 0:
                outcome.result, outcome.phase = KILLED, phase
                first = run.failures[0] if run.failures else {"scenario": None, "message": run.cause}
                outcome.killer = first["scenario"] or f"(a suíte não pôde rodar) {run.cause}"
                outcome.message = first["message"]
                outcome.in_area = phase == "área" and bool(run.failures)
                break
    outcome.seconds = round(time.monotonic() - started, 1)
    if outcome.result == KILLED:
        outcome.reason = None
    return outcome


# --- the pool ---------------------------------------------------------------------------------------------
class Pool:
    """N workers, each with its own scratch copy, taking mutants from one queue."""

    def __init__(self, catalogue: Catalogue, args, logs: Path):
        self.catalogue, self.args, self.logs = catalogue, args, logs
        self.todo: queue.Queue = queue.Queue()
        self.done: list[Outcome] = []
        self.lock = threading.Lock()
        self.scratches: list[Scratch] = []
        self.total = 0

    def run(self, selected: list[Mutant]) -> list[Outcome]:
        self.total = len(selected)
        for mutant in selected:
            self.todo.put(mutant)
        workers = max(1, min(self.args.paralelo, len(selected)))
        self.scratches = [Scratch(keep=self.args.manter) for _ in range(workers)]
        threads = [threading.Thread(target=self._work, args=(s,), daemon=True) for s in self.scratches]
        try:
            for thread in threads:
                thread.start()
            while any(t.is_alive() for t in threads):
                for thread in threads:
                    thread.join(timeout=0.5)
        except KeyboardInterrupt:
            while not self.todo.empty():
                self.todo.get_nowait()
            for scratch in self.scratches:
                scratch.stop()
            raise
        finally:
            for scratch in self.scratches:
                scratch.remove()
        order = {m.id: n for n, m in enumerate(selected)}
        return sorted(self.done, key=lambda o: order[o.id])

    def _work(self, scratch: Scratch) -> None:
        while True:
            try:
                mutant = self.todo.get_nowait()
            except queue.Empty:
                return
            outcome = run_mutant(scratch, mutant, self.catalogue, self.args, self.logs)
            with self.lock:
                self.done.append(outcome)
                print(progress_line(len(self.done), self.total, outcome), flush=True)


def progress_line(number: int, total: int, o: Outcome) -> str:
    where = ""
    if o.result == KILLED:
        where = f" por {o.killer}" + ("" if o.in_area or o.phase == "seleção" else "  [fora da área]")
    return f"[{number}/{total}] {o.result:<10} {o.id:<32} {o.area:<13} {o.seconds:6.1f} s{where}"


# --- selection, baseline, reports ----------------------------------------------------------------------------
def select(catalogue: Catalogue, args) -> list[Mutant]:
    chosen = list(catalogue.mutants)
    if args.ids:
        known = catalogue.by_id()
        unknown = [i for i in args.ids if i not in known]
        if unknown:
            raise CatalogueError(f"mutantes desconhecidos: {', '.join(unknown)} (veja python -m tools.mutacao --listar)")
        chosen = [known[i] for i in args.ids]
    if args.area:
        areas = [a.strip() for a in args.area.split(",") if a.strip()]
        unknown = [a for a in areas if a not in catalogue.areas]
        if unknown:
            raise CatalogueError(f"áreas desconhecidas: {', '.join(unknown)} (áreas: {', '.join(catalogue.areas)})")
        chosen = [m for m in chosen if m.area in areas]
    if args.amostra:
        chosen = sample(chosen, args.amostra, args.semente)
    return chosen


def sample(mutants: list[Mutant], size: int, seed: int | None) -> list[Mutant]:
    """`size` mutants, rotating through the catalogue: today's slice (or the slice numbered `seed`)."""
    if not mutants or size >= len(mutants):
        return list(mutants)
    turn = dt.date.today().toordinal() if seed is None else seed
    start = (turn * size) % len(mutants)
    return [mutants[(start + k) % len(mutants)] for k in range(size)]


def baseline(args, logs: Path) -> str | None:
    """None when the suite passes unmutated (the selection of this run); else why not."""
    scratch = Scratch(keep=args.manter)
    try:
        run = scratch.behave("base", chosen_scenarios(args), logs / "base.log", args.tempo_maximo)
    finally:
        scratch.remove()
    if run.failures:
        return f"sem mutante, falhou {run.failures[0]['scenario']}: {run.failures[0]['message']}"
    return run.cause if run.code != 0 else None


def summary(outcomes: list[Outcome], wall: float) -> dict:
    killed = [o for o in outcomes if o.result == KILLED]
    total = len(outcomes)
    return {"total": total, "killed": len(killed), "survived": total - len(killed),
            "percent": round(100 * len(killed) / total, 1) if total else 0.0,
            "killed_in_area": sum(1 for o in killed if o.in_area),
            "unexplained": [o.id for o in outcomes if o.result == SURVIVED and not o.reason],
            "wall_seconds": round(wall, 1)}


def _pct(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _minutes(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


def markdown(outcomes: list[Outcome], totals: dict, args) -> str:
    mode = "seleção " + (f"`-n {args.cenario}` " if args.cenario else "") + (f"`--tags {args.tags}`" if args.tags else "") \
        if (args.cenario or args.tags) else ("só a área de cada mutante" if args.so_area else "área primeiro, depois o resto")
    lines = [f"**{totals['killed']}/{totals['total']} mutantes mortos ({_pct(totals['percent'])} %)**, "
             f"{totals['killed_in_area']} deles por um cenário da área do bug; tempo de parede "
             f"{_minutes(totals['wall_seconds'])} com {args.paralelo} trabalhador(es) ({mode}; "
             f"medido em {dt.date.today().isoformat()}, máquina de 2 núcleos compartilhada).", ""]
    survivors = [o for o in outcomes if o.result == SURVIVED]
    if survivors:
        lines += ["Sobreviventes (o portão passa verde com o bug):", "", "| mutante | área | bug | por que não é pego |",
                  "|---|---|---|---|"]
        lines += [f"| `{o.id}` | {o.area} | {o.bug} | {o.reason or '**sem motivo registrado**'} |" for o in survivors]
    else:
        lines.append("Nenhum sobrevivente.")
    outside = [o for o in outcomes if o.result == KILLED and not o.in_area and o.phase != "seleção"]
    if outside:
        lines += ["", "Mortos fora da área (o cenário que pegou não é da área do bug):", ""]
        lines += [f"- `{o.id}` ({o.area}): {o.killer}" for o in outside]
    return "\n".join(lines) + "\n"


def detail_table(outcomes: list[Outcome]) -> str:
    rows = ["| mutante | área | resultado | cenário que pegou | tempo |", "|---|---|---|---|---|"]
    for o in outcomes:
        killer = (o.killer or "—").replace("|", "\\|")
        rows.append(f"| `{o.id}` | {o.area} | {o.result} | {killer} | {o.seconds:.0f} s |")
    return "\n".join(rows) + "\n"


def write_reports(outcomes: list[Outcome], totals: dict, args, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    data = {"summary": totals, "mutants": [asdict(o) for o in outcomes],
            "options": {"paralelo": args.paralelo, "cenario": args.cenario, "tags": args.tags,
                        "so_area": args.so_area}}
    (folder / "resultado.json").write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (folder / "resultado.md").write_text(markdown(outcomes, totals, args) + "\n" + detail_table(outcomes),
                                         encoding="utf-8")


def update_readme(text: str, readme: Path = README) -> None:
    content = readme.read_text(encoding="utf-8")
    if BEGIN not in content or END not in content:
        raise SystemExit(f"{readme}: faltam os marcadores {BEGIN} / {END}")
    head, rest = content.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{BEGIN}\n{text}{END}{tail}", encoding="utf-8")


# --- command line ------------------------------------------------------------------------------------------
def reports_dir() -> Path:
    raw = Path(os.environ.get("XPORY_REPORTS_DIR", "reports"))
    return (raw if raw.is_absolute() else ROOT / raw) / "mutacao"


def parse_args(argv: list[str] | None):
    p = argparse.ArgumentParser(prog="python -m tools.mutacao", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("ids", nargs="*", help="ids de mutantes do catálogo (padrão: todos)")
    p.add_argument("--area", help="só os mutantes destas áreas (separadas por vírgula)")
    p.add_argument("-j", "--paralelo", "--parallel", type=int, default=1, help="trabalhadores em paralelo")
    p.add_argument("--so-area", action="store_true", help="roda só os cenários da área de cada mutante")
    p.add_argument("-n", "--cenario", help="roda só os cenários com este nome (regex do behave -n)")
    p.add_argument("--tags", help="roda só os cenários destas tags (expressão do behave)")
    p.add_argument("--amostra", type=int, help="uma amostra rotativa de N mutantes")
    p.add_argument("--semente", type=int, help="fixa a fatia da amostra (padrão: muda a cada dia)")
    p.add_argument("--base", action="store_true", help="antes, confere que a suíte passa sem mutante")
    p.add_argument("--minimo", type=float, default=0.0, help="taxa mínima de mortos (%%) para sair com 0")
    p.add_argument("--tempo-maximo", type=float, default=600.0, help="limite de cada execução do behave (s)")
    p.add_argument("--readme", action="store_true", help="grava o placar no README.md (entre os marcadores)")
    p.add_argument("--manter", action="store_true", help="não apaga as cópias descartáveis (depuração)")
    p.add_argument("--listar", action="store_true", help="lista o catálogo e sai")
    args = p.parse_args(argv)
    if args.paralelo < 1:
        p.error("--paralelo deve ser ≥ 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.listar:
        return mutantes.main(["--listar"])
    try:
        catalogue = mutantes.load()
        problems = mutantes.check(catalogue)
        if problems:
            raise CatalogueError("; ".join(problems))
        selected = select(catalogue, args)
    except CatalogueError as exc:
        print(f"mutação: {exc}", file=sys.stderr)
        return 2
    folder = reports_dir()
    shutil.rmtree(folder / "logs", ignore_errors=True)
    started = time.monotonic()
    if args.base:
        problem = baseline(args, folder / "logs")
        if problem:
            print(f"mutação: a suíte sem mutante não está verde — {problem}", file=sys.stderr)
            return 2
    print(f"mutação: {len(selected)} mutante(s), {args.paralelo} trabalhador(es); logs em {folder / 'logs'}")
    outcomes = Pool(catalogue, args, folder / "logs").run(selected)
    totals = summary(outcomes, time.monotonic() - started)
    write_reports(outcomes, totals, args, folder)
    text = markdown(outcomes, totals, args)
    print("\n" + text + f"\nDetalhes: {folder / 'resultado.md'}")
    if args.readme:
        update_readme(text)
    ok = not totals["unexplained"] and totals["percent"] >= args.minimo
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
