"""`python -m tools.reconhecer --perfil <perfil>`: capture, from a live stack and read-only, a draft of the
profile's stack map (and a diff against the current one).

It runs the runbook's own read calls and the schema queries (support/readiness/observe.py): the WL
databases' tables and columns (information_schema), the exporter's export (keys, envelope, paging,
timestamps), the exporter's pending list with a fresh peer token, a refusal of each WL, and the Admin
UI's and the storefront's pages (ARIA snapshots, `locator.aria_snapshot()`). Then, for every entry of
the current map: confirmed, captured (exactly one candidate fits) or left unknown (tools/reconhecer/
rascunho.py). It writes, under --saida (default <XPORY_REPORTS_DIR>/reconhecimento/):

  <perfil>.mapa.toml         the draft (same format as profiles/<perfil>.mapa.toml)
  <perfil>.mapa.diff         what the draft changes in the current map
  <perfil>/wl-01.esquema.txt, <perfil>/wl-03.esquema.txt   the WL databases' tables and columns
  <perfil>/respostas.json    the answers the probes read (masked)
  <perfil>/telas/*.aria.yml  the ARIA snapshot of each page visited

Nothing is written to the stack. On the compose profile the stack is not started (XPORY_COMPOSE_UP is
ignored): it must already be up. Exit code 0, or 2 when the stack cannot be reached (the message says why).
"""
from __future__ import annotations

import argparse
import datetime as dt
import difflib
import json
import sys
from pathlib import Path

from support import config as config_module
from support.errors import SuiteSetupError
from support.readiness.observe import observe
from support.session import open_session
from support.stackmap import load_map
from support.stackmap.catalogue import SURFACES
from support.stackmap.render import render

from .rascunho import draft, summarize, with_notes_of, working_map


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.reconhecer", description=__doc__.split("\n\n")[0])
    parser.add_argument("--perfil", default=None, help="perfil da stack (padrão: XPORY_PERFIL, senão embutido)")
    parser.add_argument("--mapa", type=Path, default=None,
                        help="mapa de partida (padrão: o do perfil, XPORY_STACK_MAP ou profiles/<perfil>.mapa.toml)")
    parser.add_argument("--saida", type=Path, default=None, help="pasta dos arquivos (padrão: <relatórios>/reconhecimento)")
    parser.add_argument("--sem-telas", action="store_true", help="não abrir o navegador (só bancos e respostas)")
    return parser.parse_args(argv)


def _observations(session, observed, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for side, name in (("exporter", "wl-01"), ("importer", "wl-03")):
        tables = observed.schema.get(side, {})
        (folder / f"{name}.esquema.txt").write_text(
            "".join(f"{t}: {', '.join(sorted(cols))}\n" for t, cols in sorted(tables.items())), encoding="utf-8")

    def trimmed(answer):
        if answer is None:
            return None
        body = answer.body
        if isinstance(body, dict):
            body = {k: (v[:3] if isinstance(v, list) else v) for k, v in body.items()}
        elif isinstance(body, list):
            body = body[:3]
        return {"status": answer.status, "body": body, "problem": answer.problem}

    answers = {"export_offers": trimmed(observed.export_plain),
               "export_offers_pages": {s: [trimmed(a) for a in p] for s, p in observed.export_pages.items()},
               "pending": trimmed(observed.pending), "errors": {k: trimmed(a) for k, a in observed.errors.items()},
               "problems": observed.problems}
    text = json.dumps(answers, ensure_ascii=False, indent=1, default=str)
    (folder / "respostas.json").write_text(session.masker.text(text), encoding="utf-8")
    screens = folder / "telas"
    screens.mkdir(exist_ok=True)
    for key, page in observed.pages.items():
        (screens / f"{key.replace(':', '-')}.aria.yml").write_text(
            f"# {page.title}: {page.url} (HTTP {page.status})\n{session.masker.text(page.snapshot)}\n", encoding="utf-8")


def capture(session, base, *, screens: bool, origin: str):
    """Observe (twice for the pages: the second time with what the first captured, e.g. the login form)."""
    surfaces = {s for s in SURFACES if screens or not s.startswith("ui:")}
    session.stack_map = base
    observed = observe(session, surfaces)
    entries, verdicts = draft(base, observed, session.config.admin_email, origin)
    if screens and entries != base.entries:
        session.stack_map = working_map(base, entries)
        again = observe(session, {s for s in surfaces if s.startswith("ui:")})
        observed.pages = {**observed.pages, **again.pages}  # what the first visit saw stays (the store's home)
        observed.problems = {**{k: v for k, v in observed.problems.items() if not k.startswith("ui")}, **again.problems}
        entries, verdicts = draft(base, observed, session.config.admin_email, origin)
    return observed, with_notes_of(entries, base), verdicts


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    try:
        config = config_module.load(args.perfil)
        config = config.with_values(XPORY_COMPOSE_UP="false") if config.stack == "compose" else config
        from support.stackmap import map_path

        base_path = args.mapa or map_path(config)
        base = load_map(base_path)
        session = open_session(config)
    except SuiteSetupError as exc:
        print(f"O reconhecimento não pôde rodar: {exc}", file=sys.stderr)
        return 2
    today = dt.date.today().isoformat()
    try:
        observed, entries, verdicts = capture(session, base, screens=not args.sem_telas,
                                              origin=f"capturado de {config.perfil} em {today}")
        out = args.saida or session.reports_dir / "reconhecimento"
        out.mkdir(parents=True, exist_ok=True)
        text = render(base.profile, base.description, entries)
        draft_path = out / f"{config.perfil}.mapa.toml"
        draft_path.write_text(text, encoding="utf-8")
        diff = "".join(difflib.unified_diff(Path(base_path).read_text(encoding="utf-8").splitlines(True),
                                            text.splitlines(True), str(base_path), str(draft_path)))
        (out / f"{config.perfil}.mapa.diff").write_text(diff, encoding="utf-8")
        _observations(session, observed, out / config.perfil)
    except SuiteSetupError as exc:
        print(f"O reconhecimento não pôde ler a stack: {exc}", file=sys.stderr)
        return 2
    finally:
        session.close()
    _report(summarize(base, entries, verdicts), draft_path, out, diff, config.perfil)
    return 0


def _report(summary, draft_path: Path, out: Path, diff: str, perfil: str) -> None:
    print(f"Rascunho do mapa: {draft_path}")
    print(f"  confirmadas na stack: {len(summary.confirmed)}; mantidas (nenhuma leitura as mostra): {len(summary.kept)}")
    print(f"  capturadas: {len(summary.captured)}; divergentes: {len(summary.divergent)}; "
          f"desconhecidas: {len(summary.unknown)}")
    for name in summary.captured:
        print(f"    capturada   {name}")
    for name in summary.divergent:
        print(f"    divergente  {name}")
    print(f"Diferenças: {out / (perfil + '.mapa.diff')} ({'nenhuma' if not diff else str(diff.count(chr(10))) + ' linhas'})")
    print(f"O que a stack mostrou: {out / perfil}/ (esquemas, respostas, telas)")
    print("Revise o rascunho e copie para o mapa do perfil (veja README, 'Primeira execução no staging').")


if __name__ == "__main__":
    sys.exit(main())
