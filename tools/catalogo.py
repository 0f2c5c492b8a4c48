"""O catálogo de passos (documentação viva): `docs/passos.md`, gerado das docstrings de `steps/*.py`.

    python -m tools.catalogo              # (re)escreve docs/passos.md
    python -m tools.catalogo --verificar  # só confere: sai com 1 se o arquivo está velho ou um passo
                                          # não tem descrição ou "Exemplo:"

Cada definição de passo tem uma docstring assim:

    \"\"\"Uma ou mais linhas dizendo o que o passo faz (o que chama, o que confere).

    Exemplo: Dado que a stack XporY está no ar
    \"\"\"

Linhas opcionais da docstring: `Precisa antes: <passo>` (o estado que um passo anterior deixa; o passo
falha dizendo qual escrever antes) e `Contexto: <tipo de cenário>` (num passo de Contexto: para que tipo
de cenário começar por ele). A tag `@ui` que um passo exige sai do código (ele usa o navegador).

O exemplo é conferido contra o padrão do passo (com o mesmo casamento do behave, parâmetros tipados
inclusive), para que o catálogo nunca mostre uma frase que não roda. Os módulos de passos são lidos como
texto (ast); só os dados dos tipos (support/vocabulary.py) e das referências da tabela da export_policy
(support/policy_table.py) são importados.
"""
from __future__ import annotations

import argparse
import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import parse

from support import policy_table, vocabulary
from support.export_policy import FIELDS

ROOT = Path(__file__).resolve().parent.parent
STEPS_DIR = ROOT / "steps"
OUTPUT = ROOT / "docs" / "passos.md"
VSCODE = ROOT / ".vscode" / "settings.json"  # Cucumber (Gherkin) Full Support: autocompletion from steps/

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
    needs: list[str]  # "Precisa antes:" lines
    contexts: list[str]  # "Contexto:" lines
    ui: bool  # the function drives the browser (the scenario needs @ui)

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


LABELS = ("Exemplo:", "Precisa antes:", "Contexto:")


def _docstring_parts(doc: str | None) -> tuple[str, dict[str, list[str]]]:
    """The description (lines before the first labelled line) and every labelled line, by label."""
    labelled: dict[str, list[str]] = {label: [] for label in LABELS}
    if not doc:
        return "", labelled
    description, seen_label = [], False
    for raw in doc.strip().splitlines():
        line = raw.strip()
        label = next((lb for lb in LABELS if line.startswith(lb)), None)
        if label:
            seen_label = True
            if line[len(label):].strip():
                labelled[label].append(line[len(label):].strip())
        elif line and not seen_label:
            description.append(line)
    return " ".join(description), labelled


def _uses_browser(node: ast.AST) -> bool:
    """The step drives the browser: it calls the steps' `_ui(context)` helper."""
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "_ui"
               for n in ast.walk(node))


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
        description, labelled = _docstring_parts(ast.get_docstring(node))
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
                              description, labelled["Exemplo:"], labelled["Precisa antes:"],
                              labelled["Contexto:"], _uses_browser(node)))
    return steps


def collect(steps_dir: Path = STEPS_DIR) -> list[Step]:
    modules = sorted(steps_dir.glob("*.py"), key=lambda p: (ORDER.index(p.stem) if p.stem in ORDER else len(ORDER),
                                                            p.stem))
    return [step for path in modules for step in read_module(path)]


def _matches(step: Step, text: str) -> bool:
    if step.matcher == "re":
        return re.fullmatch(step.pattern, text) is not None
    return parse.compile(step.pattern, extra_types=TYPES, case_sensitive=True).parse(text) is not None


TYPES = vocabulary.converters()
TYPED = re.compile(r"\{(\w*):(\w+)\}")


OPEN = {t.name: t for t in vocabulary.OPEN_TYPES}


def typed_parameters(pattern: str) -> list[tuple[str, vocabulary.Vocabulary]]:
    """The typed parameters of a pattern that are vocabularies (closed lists): (name, vocabulary)."""
    return [(name, vocabulary.BY_NAME[kind]) for name, kind in TYPED.findall(pattern) if kind in vocabulary.BY_NAME]


def open_parameters(pattern: str) -> list[tuple[str, vocabulary.OpenType]]:
    """The typed parameters of a pattern that are open types (quantities, amounts): (name, type)."""
    return [(name, OPEN[kind]) for name, kind in TYPED.findall(pattern) if kind in OPEN]


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


def _values(vocab: vocabulary.Vocabulary) -> str:
    return " · ".join(f"`{phrase}`" for phrase in vocab.values)


def _header(steps: list[Step], modules: dict[str, list[Step]]) -> list[str]:
    return [
        "# Catálogo de passos",
        "",
        "<!-- Gerado por `python -m tools.catalogo` a partir das docstrings de steps/*.py. Não edite à mão. -->",
        "",
        "Todos os passos que as funcionalidades podem usar, por domínio, cada um com o que faz e confere, um",
        "exemplo pronto para copiar, os valores aceitos de cada parâmetro tipado, a tag que exige e o estado que",
        "precisa de um passo anterior. Gerado por `python -m tools.catalogo` a partir das docstrings de",
        "`steps/*.py` e dos tipos de `support/vocabulary.py`: para mudar um texto, mude a docstring e rode o",
        "gerador (o teste `tests/gate/test_catalogo.py` falha quando este arquivo fica velho, quando um passo não",
        "tem descrição ou exemplo, ou quando falta aqui um valor aceito de um parâmetro tipado).",
        "",
        "Nos padrões, `{nome}` é um parâmetro: `{n:d}` um número inteiro, `\"{nome}\"` um texto entre aspas,",
        "`{nome}` sem aspas o resto da frase, e `{nome:Tipo}` um parâmetro tipado, que aceita só os valores",
        "listados (com ou sem acentos, em maiúsculas ou minúsculas): qualquer outro valor deixa o passo",
        "**indefinido** já no `behave --dry-run`. `E` e `Mas` servem no lugar de qualquer palavra-chave. Um",
        "passo que termina em `:` leva uma tabela logo abaixo.",
        "",
        f"{len(steps)} passos em {len(modules)} módulos.",
        "",
    ]


def _contexts(steps: list[Step]) -> list[str]:
    out = ["## Por onde começar: o Contexto de cada tipo de cenário", "",
           "| tipo de cenário | comece com |", "|---|---|"]
    for step in steps:
        for kind in step.contexts:
            out.append(f"| {kind} | `{step.example}` |")
    return out + ["", "Um cenário `@ui` precisa da tag `@ui` (no cenário ou na funcionalidade): é ela que abre o "
                      "navegador. Sem ela, um passo de tela falha dizendo isso.", ""]


def _types() -> list[str]:
    out = ["## Parâmetros tipados: todos os valores aceitos", "", "| tipo | o que é | valores aceitos |", "|---|---|---|"]
    for vocab in vocabulary.TYPES:
        out.append(f"| `{vocab.name}` | {vocab.meaning} | {_values(vocab)} |")
    for open_type in vocabulary.OPEN_TYPES:
        out.append(f"| `{open_type.name}` | {open_type.meaning} | {open_type.accepts} |")
    return out + [""]


def _policy_table() -> list[str]:
    out = ["## A tabela da export_policy", "",
           "Os passos que terminam em `a export_policy:` levam uma tabela `| campo | valor |` com os campos reais da",
           "política: " + ", ".join(f"`{f}`" for f in FIELDS) + ". Um campo fora da tabela (ou com a célula vazia)",
           "fica como na política base do runbook (ligada, sem filtro, `min_created_at` 2000-01-01T00:00:00Z). Um",
           "valor é literal (um id como `15`, `true`/`false`, um instante ISO, um número; JSON se começar com `[`,",
           "`{` ou `\"`, enviado exatamente como escrito, por exemplo `[15]` para uma política inválida) ou uma",
           "referência aos dados da própria stack, resolvida pelos snapshots do CP e pelo catálogo do exportador.",
           "Listas separam os valores com `,` ou ` e `. `enabled` aceita "
           + ", ".join(f"`{v}`" for v in policy_table.TRUE + policy_table.FALSE) + ".", "",
           "| campo | referências aceitas |", "|---|---|"]
    for field_name, kind in policy_table.KIND_OF.items():
        refs = [shown for ref_kind, shown, _, _ in policy_table.REFERENCES if ref_kind == kind]
        out.append(f"| `{field_name}` | " + " · ".join(f"`{r}`" for r in refs) + " |")
    return out + [""]


def _step_lines(step: Step) -> list[str]:
    out = [f"- **{DECORATORS[step.kind]}** `{step.pattern}`  ",
           f"  {step.description or '(sem descrição)'}  "]
    for name, vocab in typed_parameters(step.pattern):
        out.append(f"  Valores de `{name}` ({vocab.name}): {_values(vocab)}  ")
    for name, open_type in open_parameters(step.pattern):
        out.append(f"  `{name}` ({open_type.name}): {open_type.accepts}  ")
    if step.ui:
        out.append("  Exige a tag `@ui`.  ")
    for need in step.needs:
        out.append(f"  Precisa antes: `{need}`  ")
    out.append(f"  Exemplo: `{step.example or '(sem exemplo)'}`")
    return out


def render(steps: list[Step]) -> str:
    modules: dict[str, list[Step]] = {}
    for step in steps:
        modules.setdefault(step.module, []).append(step)
    out = _header(steps, modules)
    titles = {name: DOMAINS.get(name, (name.removesuffix("_steps").replace("_", " ").capitalize(), ""))
              for name in modules}
    for name, items in modules.items():
        title = titles[name][0]
        out.append(f"- [{title}](#{_anchor(title)}) — `steps/{name}.py`, {len(items)} passos")
    out += ["", *_contexts(steps), *_types(), *_policy_table()]
    for name, items in modules.items():
        title, blurb = titles[name]
        out += ["", f"## {title}", "", f"`steps/{name}.py`" + (f" — {blurb}" if blurb else ""), ""]
        for step in items:
            out += _step_lines(step)
    return "\n".join(out) + "\n"


def render_vscode(steps: list[Step]) -> str:
    """.vscode/settings.json for the "Cucumber (Gherkin) Full Support" extension
    (alexkrechik.cucumberautocomplete): it reads the step patterns of steps/*.py and, through
    customParameters, learns what each typed parameter accepts (its values as a regex alternation), so
    the editor completes only steps that run and flags a wrong typed value as an undefined step."""
    import json

    def escape(text: str) -> str:
        return re.sub(r"([.^$*+?()\[\]{}|\\])", r"\\\1", text)

    custom = {}
    for step in steps:
        for whole, kind in re.findall(r"(\{\w*(?::(\w+))?\})", step.pattern):
            if kind in vocabulary.BY_NAME:
                phrases = sorted(vocabulary.BY_NAME[kind].values, key=len, reverse=True)
                custom[whole] = "(" + "|".join(escape(v) for v in phrases) + ")"
            elif kind in OPEN:
                custom[whole] = f"({OPEN[kind].pattern})"
            else:
                custom[whole] = "(\\d+)" if kind == "d" else "(.*)"
    settings = {
        "cucumberautocomplete.steps": ["steps/*.py"],
        "cucumberautocomplete.syncfeatures": "{features,tests/autoria}/*.feature",
        "cucumberautocomplete.strictGherkinCompletion": False,
        "cucumberautocomplete.smartSnippets": True,
        "cucumberautocomplete.stepsInvariants": True,
        "cucumberautocomplete.gherkinDefinitionPart": "@(given|when|then|step)\\(",
        "cucumberautocomplete.customParameters": [{"parameter": k, "value": v} for k, v in sorted(custom.items())],
        "[feature]": {"editor.quickSuggestions": {"comments": False, "strings": True, "other": True}},
    }
    return json.dumps(settings, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--verificar", action="store_true", help="só confere; não escreve")
    options = args.parse_args(argv)
    steps = collect()
    found = problems(steps)
    text = render(steps)
    for problem in found:
        print(f"passo sem documentação: {problem}", file=sys.stderr)
    editor = render_vscode(steps)
    if options.verificar:
        for path, wanted in ((OUTPUT, text), (VSCODE, editor)):
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != wanted:
                print(f"{path.relative_to(ROOT)} está desatualizado: rode python -m tools.catalogo", file=sys.stderr)
                return 1
        return 1 if found else 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    VSCODE.parent.mkdir(parents=True, exist_ok=True)
    VSCODE.write_text(editor, encoding="utf-8")
    print(f"{OUTPUT.relative_to(ROOT)}: {len(steps)} passos")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
