"""O catálogo de mutantes (`tools/mutantes.toml`): cada mutante é um bug realista da XporY semeado no
sandbox — um trecho exato de um arquivo de `sandbox/`, a troca que o transforma no bug, o bug em
palavras de negócio e a área da suíte que deveria pegá-lo.

    python -m tools.mutantes            # confere o catálogo (cada trecho ocorre exatamente uma vez)
    python -m tools.mutantes --listar   # lista os mutantes por área

O catálogo é dado, não código: quem escreve cenários acrescenta um bug com um bloco `[[mutante]]`.
A conferência falha alto quando um trecho some ou se repete no arquivo (um refactor do sandbox que
moveu o código), em vez de produzir em silêncio um mutante que não muda nada.

Este módulo só lê os arquivos do sandbox como texto (a suíte nunca importa o sandbox).
"""
from __future__ import annotations

import argparse
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = Path(__file__).resolve().with_name("mutantes.toml")
ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
FIELDS = ("id", "area", "arquivo", "trecho", "troca", "bug")
OPTIONAL = ("sobrevive",)  # why a surviving mutant is not caught (equivalent, or not the runbook's concern)


class CatalogueError(ValueError):
    """The catalogue is malformed or no longer matches the sandbox (the message says which mutant and why)."""


@dataclass(frozen=True)
class Area:
    name: str
    tags: str          # behave tag expression: the scenarios of this area
    description: str


@dataclass(frozen=True)
class Mutant:
    id: str
    area: str
    file: str          # relative to the repository root, under sandbox/
    snippet: str       # occurs exactly once in the file
    replacement: str
    bug: str           # the bug in business words (pt-BR), one line
    survives: str | None = None  # why the gate lets it pass, when it does (README lists it)

    def apply(self, text: str) -> str:
        """The file's text with the bug in it; CatalogueError when the snippet is not there exactly once."""
        found = text.count(self.snippet)
        if found != 1:
            raise CatalogueError(f"mutante {self.id}: o trecho ocorre {found} vez(es) em {self.file} "
                                 "(deve ocorrer exatamente 1; o sandbox mudou? atualize tools/mutantes.toml)")
        return text.replace(self.snippet, self.replacement, 1)


@dataclass(frozen=True)
class Catalogue:
    areas: dict[str, Area]
    mutants: list[Mutant]

    def by_id(self) -> dict[str, Mutant]:
        return {m.id: m for m in self.mutants}


def _area(name: str, raw: dict) -> Area:
    if not isinstance(raw, dict) or not isinstance(raw.get("tags"), str) or not raw["tags"].strip():
        raise CatalogueError(f"área {name}: falta `tags` (expressão de tags do behave, ex.: \"@reset\")")
    return Area(name, raw["tags"].strip(), str(raw.get("descricao", "")).strip())


def _mutant(number: int, raw: dict, areas: dict[str, Area]) -> Mutant:
    missing = [k for k in FIELDS if not isinstance(raw.get(k), str) or (k != "troca" and not raw[k].strip())]
    if missing:
        raise CatalogueError(f"mutante nº {number} ({raw.get('id', '?')}): faltam {', '.join(missing)}")
    extra = sorted(set(raw) - set(FIELDS) - set(OPTIONAL))
    if extra:
        raise CatalogueError(f"mutante {raw['id']}: chaves desconhecidas {', '.join(extra)} (use {', '.join(FIELDS)})")
    survives = raw.get("sobrevive")
    if survives is not None and (not isinstance(survives, str) or not survives.strip()):
        raise CatalogueError(f"mutante {raw['id']}: `sobrevive` deve ser o motivo, em texto")
    mutant = Mutant(raw["id"], raw["area"], raw["arquivo"], raw["trecho"], raw["troca"], raw["bug"].strip(),
                    survives.strip() if survives else None)
    if not ID.match(mutant.id):
        raise CatalogueError(f"mutante {mutant.id!r}: o id deve ser minúsculas, dígitos e hífens")
    if mutant.area not in areas:
        raise CatalogueError(f"mutante {mutant.id}: área {mutant.area!r} desconhecida (áreas: {', '.join(areas)})")
    if not mutant.file.startswith("sandbox/"):
        raise CatalogueError(f"mutante {mutant.id}: só o sandbox é mutado (arquivo {mutant.file})")
    if mutant.snippet == mutant.replacement:
        raise CatalogueError(f"mutante {mutant.id}: a troca é igual ao trecho (não muda nada)")
    if "\n" in mutant.bug:
        raise CatalogueError(f"mutante {mutant.id}: o bug é uma linha só")
    return mutant


def load(path: Path = CATALOGUE) -> Catalogue:
    """The catalogue, validated in form (ids unique, known areas); `check` compares it with the sandbox."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueError(f"{path}: {exc}") from None
    areas = {name: _area(name, raw) for name, raw in (data.get("areas") or {}).items()}
    if not areas:
        raise CatalogueError(f"{path}: falta a tabela [areas]")
    mutants = [_mutant(n, raw, areas) for n, raw in enumerate(data.get("mutante") or [], start=1)]
    seen: set[str] = set()
    for mutant in mutants:
        if mutant.id in seen:
            raise CatalogueError(f"mutante {mutant.id}: id repetido")
        seen.add(mutant.id)
    return Catalogue(areas, mutants)


def check(catalogue: Catalogue, root: Path = ROOT) -> list[str]:
    """The problems of the catalogue against the sandbox in `root` (empty: every mutant applies)."""
    problems = []
    for mutant in catalogue.mutants:
        path = root / mutant.file
        if not path.is_file():
            problems.append(f"mutante {mutant.id}: o arquivo {mutant.file} não existe")
            continue
        try:
            mutant.apply(path.read_text(encoding="utf-8"))
        except CatalogueError as exc:
            problems.append(str(exc))
    return problems


def _listing(catalogue: Catalogue) -> str:
    lines = []
    for name, area in catalogue.areas.items():
        mine = [m for m in catalogue.mutants if m.area == name]
        lines.append(f"{name} ({area.tags}): {len(mine)} mutante(s) — {area.description}")
        lines += [f"  {m.id:<34} {m.bug}" for m in mine]
    lines.append(f"total: {len(catalogue.mutants)} mutantes")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.mutantes", description=__doc__.split("\n\n")[0])
    parser.add_argument("--listar", action="store_true", help="lista os mutantes por área")
    args = parser.parse_args(argv)
    try:
        catalogue = load()
    except CatalogueError as exc:
        print(f"catálogo inválido: {exc}", file=sys.stderr)
        return 2
    problems = check(catalogue)
    if args.listar:
        print(_listing(catalogue))
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems and not args.listar:
        print(f"catálogo ok: {len(catalogue.mutants)} mutantes em {len(catalogue.areas)} áreas")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
