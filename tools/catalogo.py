"""O catálogo de passos (documentação viva): `docs/passos.md`, gerado das docstrings de `steps/*.py`.

    python -m tools.catalogo              # (re)escreve docs/passos.md
    python -m tools.catalogo --verificar  # só confere: sai com 1 se o arquivo está velho ou um passo
                                          # não tem descrição ou "Exemplo:"

Cada definição de passo tem uma docstring assim:

    \"\"\"Uma ou mais linhas dizendo o que o passo faz (o que chama, o que confere).

    Exemplo: Dado que a stack XporY está no ar
    \"\"\"

O exemplo é conferido contra o padrão do passo (com o mesmo casamento do behave), para que o catálogo
nunca mostre uma frase que não roda. Os módulos são lidos como texto (ast): nada é importado.
"""
from __future__ import annotations

import argparse
import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import parse

ROOT = Path(__file__).resolve().parent.parent
STEPS_DIR = ROOT / "steps"
OUTPUT = ROOT / "docs" / "passos.md"

DECORATORS = {"given": "Dado", "when": "Quando", "then": "Então", "step": "Qualquer palavra-chave"}
# Palavras-chave do Gherkin em português (behave, `# language: pt`) aceitas no início de um exemplo.
KEYWORDS = {
    "given": ("Dado", "Dada", "Dados", "Dadas", "E", "Mas"),
    "when": ("Quando", "E", "Mas"),
    "then": ("Então", "Entao", "E", "Mas"),
    "step": ("Dado", "Dada", "Dados", "Dadas", "Quando", "Então", "Entao", "E", "Mas", "*"),
}
# Domínio de cada módulo: título e uma frase, em português (módulo novo sem entrada: título do nome do arquivo).
DOMAINS = {
    "ambiente_steps": ("Ambiente e reset do runbook (passos 0 a 6)",
                       "Stack no ar, limpeza do CP e dos WLs, WLs com ids fixos, políticas, relacionamentos, "
                       "contas trader, snapshots, export_policy, peer token e import."),
    "export_policy_steps": ("export_policy",
                            "Políticas no relacionamento exportador → importador, a exportação do exportador e o "
                            "import do importador sob elas."),
    "trades_steps": ("Trocas, aprovações e conferência no CP (passos 7 a 9)",
                     "Pré-condições do comprador, compras, decisões no exportador e pelo CP, lista e detalhes "
                     "de trades no CP, saldo X$."),
    "preflight_steps": ("Preflight (passo 10)",
                        "PRICE_CHANGED, OUT_OF_STOCK, HOLD_EXPIRED e o checkout idempotente."),
    "ui_steps": ("Telas: loja e Admin UI",
                 "A loja do importador e a Admin UI do CP num Chromium de verdade; as expectativas vêm da "
                 "stack (API ou SQL)."),
    "seguranca_steps": ("Segurança",
                        "mTLS do peer token, bearer e papéis da API admin, peer tokens que o CP não emitiu no "
                        "importador e o escopo de compra no exportador."),
}
ORDER = ("ambiente_steps", "export_policy_steps", "trades_steps", "preflight_steps", "ui_steps", "seguranca_steps")


@dataclass
class Step:
    module: str
    line: int
    function: str
    kind: str  # given | when | then | step
    pattern: str
    matcher: str  # parse | re | cfparse
    description: str
    examples: list[str]

    @property
    def example(self) -> str:
        """The first example this step's own pattern matches (a function with several decorators
        carries one example per pattern)."""
        for example in self.examples:
            if _example_fits(self, example):
                return example
        return ""

    @property
    def where(self) -> str:
        return f"steps/{self.module}.py:{self.line} ({self.function})"


def _docstring_parts(doc: str | None) -> tuple[str, list[str]]:
    """The description (lines before the first "Exemplo:") and every "Exemplo:" line."""
    if not doc:
        return "", []
    description, examples = [], []
    for raw in doc.strip().splitlines():
        line = raw.strip()
        if line.startswith("Exemplo:"):
            examples.append(line[len("Exemplo:"):].strip())
        elif line and not examples:
            description.append(line)
    return " ".join(description), [e for e in examples if e]


def read_module(path: Path) -> list[Step]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    matcher = "parse"
    steps: list[Step] = []
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            func = node.value.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name == "use_step_matcher" and node.value.args and isinstance(node.value.args[0], ast.Constant):
                matcher = str(node.value.args[0].value)
            continue
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        description, examples = _docstring_parts(ast.get_docstring(node))
        for decorator in node.decorator_list:
            if not isinstance(decorator, ast.Call):
                continue
            func = decorator.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name.lower() not in DECORATORS or not decorator.args:
                continue
            first = decorator.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            steps.append(Step(path.stem, node.lineno, node.name, name.lower(), first.value, matcher,
                              description, examples))
    return steps


def collect(steps_dir: Path = STEPS_DIR) -> list[Step]:
    modules = sorted(steps_dir.glob("*.py"), key=lambda p: (ORDER.index(p.stem) if p.stem in ORDER else len(ORDER),
                                                            p.stem))
    return [step for path in modules for step in read_module(path)]


def _matches(step: Step, text: str) -> bool:
    if step.matcher == "re":
        return re.fullmatch(step.pattern, text) is not None
    return parse.compile(step.pattern).parse(text) is not None


def _example_fits(step: Step, example: str) -> bool:
    keyword, _, text = example.partition(" ")
    return keyword in KEYWORDS[step.kind] and _matches(step, text)


def problems(steps: list[Step]) -> list[str]:
    """What keeps a step out of a trustworthy catalogue: no description, no "Exemplo:" line, or no
    example that starts with a keyword of the step's kind and that the step's own pattern matches."""
    found = []
    for step in steps:
        if not step.description:
            found.append(f"{step.where}: a docstring não descreve o passo ({step.pattern!r})")
        if not step.examples:
            found.append(f"{step.where}: a docstring não tem a linha 'Exemplo: ...' ({step.pattern!r})")
        elif not step.example:
            found.append(f"{step.where}: nenhum exemplo ({'; '.join(map(repr, step.examples))}) começa com "
                         f"{' / '.join(KEYWORDS[step.kind])} e casa com o padrão {step.pattern!r}")
    return found


def _anchor(title: str) -> str:
    text = re.sub(r"[^\w\- ]", "", title.lower(), flags=re.UNICODE)
    return text.strip().replace(" ", "-")


def render(steps: list[Step]) -> str:
    modules: dict[str, list[Step]] = {}
    for step in steps:
        modules.setdefault(step.module, []).append(step)
    out = [
        "# Catálogo de passos",
        "",
        "<!-- Gerado por `python -m tools.catalogo` a partir das docstrings de steps/*.py. Não edite à mão. -->",
        "",
        "Todos os passos que as funcionalidades podem usar, por domínio, cada um com o que faz e um exemplo",
        "pronto para copiar. Gerado por `python -m tools.catalogo` a partir das docstrings de `steps/*.py`:",
        "para mudar um texto, mude a docstring e rode o gerador (o teste `tests/gate/test_catalogo.py` falha",
        "quando este arquivo fica velho ou quando um passo não tem descrição ou exemplo).",
        "",
        "Nos padrões, `{nome}` é um parâmetro: `{n:d}` um número inteiro, `\"{nome}\"` um texto entre aspas, e",
        "`{nome}` sem aspas o resto da frase. `E` e `Mas` servem no lugar de qualquer palavra-chave.",
        "",
        f"{len(steps)} passos em {len(modules)} módulos.",
        "",
    ]
    titles = {name: DOMAINS.get(name, (name.removesuffix("_steps").replace("_", " ").capitalize(), ""))
              for name in modules}
    for name, items in modules.items():
        title = titles[name][0]
        out.append(f"- [{title}](#{_anchor(title)}) — `steps/{name}.py`, {len(items)} passos")
    for name, items in modules.items():
        title, blurb = titles[name]
        out += ["", f"## {title}", "", f"`steps/{name}.py`" + (f" — {blurb}" if blurb else ""), ""]
        for step in items:
            out += [f"- **{DECORATORS[step.kind]}** `{step.pattern}`  ",
                    f"  {step.description or '(sem descrição)'}  ",
                    f"  Exemplo: `{step.example or '(sem exemplo)'}`"]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--verificar", action="store_true", help="só confere; não escreve")
    options = args.parse_args(argv)
    steps = collect()
    found = problems(steps)
    text = render(steps)
    for problem in found:
        print(f"passo sem documentação: {problem}", file=sys.stderr)
    if options.verificar:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT.relative_to(ROOT)} está desatualizado: rode python -m tools.catalogo", file=sys.stderr)
            return 1
        return 1 if found else 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"{OUTPUT.relative_to(ROOT)}: {len(steps)} passos")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
