"""Reading a map file (`tomllib`, standard library) and validating it against the catalogue.

A map file nests the dotted entry names as TOML tables; an entry is an inline table:

    [wl.exporter.offer]
    price = { valor = "price", estado = "suposição", origem = "sandbox/schema/wl.sql" }

Fields: `valor` (absent when `estado = "desconhecido"`), `estado` (fato | documentado | capturado |
suposição | desconhecido), `origem` (runbook line, contract section, "capturado de <stack> em <data>",
"suposição: ..."), `papel` (UI elements: the ARIA role), `nota` (optional). Every entry of the
catalogue must be present, and nothing else: a malformed map stops the run before any scenario with
`MapError` naming the file, the entry, what is wrong and an example.
"""
from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path

from ..errors import ConfigError
from .catalogue import BY_NAME, FACTS, KINDS, Fact
from .model import STATES, Entry, StackMap

FIELDS = ("valor", "papel", "estado", "origem", "nota", "nao_pode_diferir")
STATE_ALIASES = {"suposicao": "suposição"}
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")
KEY_PATH = re.compile(r"^[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$-]*)*$")
ROLES = frozenset((
    "alert", "alertdialog", "article", "banner", "button", "cell", "checkbox", "columnheader", "combobox",
    "complementary", "contentinfo", "definition", "dialog", "form", "grid", "gridcell", "group", "heading",
    "img", "link", "list", "listbox", "listitem", "log", "main", "menu", "menuitem", "navigation", "option",
    "paragraph", "progressbar", "radio", "region", "row", "rowheader", "search", "searchbox", "spinbutton",
    "status", "switch", "tab", "table", "tabpanel", "term", "textbox", "toolbar", "tooltip",
))


class MapError(ConfigError):
    """The map file is malformed (named: file, entry, what is wrong, an example)."""


def map_path(config) -> Path:
    """XPORY_STACK_MAP, else profiles/<perfil>.mapa.toml (relative paths from the repository root)."""
    from ..config import PROFILES_DIR, ROOT

    chosen = config.get("XPORY_STACK_MAP")
    if chosen:
        path = Path(chosen)
        return path if path.is_absolute() else ROOT / path
    return PROFILES_DIR / f"{config.perfil}.mapa.toml"


def example(fact: Fact) -> str:
    """An entry line of `fact` as a map file writes it (the value is a placeholder)."""
    samples = {"table": "offer", "column": "price", "key": "tradeId", "envelope": "items", "route": "trades",
               "element": "Entrar", "text": "Oferta esgotada."}
    if fact.allowed:
        value = fact.allowed[0]
    elif fact.kind == "template":
        value = " ".join("{" + p + "}" for p in fact.placeholders)
    else:
        value = samples.get(fact.kind, "…")
    role = ' papel = "button",' if fact.kind == "element" else ""
    leaf = fact.name.rsplit(".", 1)[1]
    return (f'[{fact.group}] {leaf} = {{{role} valor = "{value}", estado = "capturado", '
            f'origem = "capturado de staging-local em 2026-12-10" }}')


def _fail(path: Path, entry: str | None, what: str, fact: Fact | None = None) -> MapError:
    where = f"{path}" + (f": entrada {entry}" if entry else "")
    hint = f". Exemplo: {example(fact)}" if fact is not None else ""
    return MapError(f"Mapa da stack inválido: {where}: {what}{hint}")


def _leaves(tree: dict, prefix: str, path: Path, out: dict[str, dict]) -> None:
    for key, value in tree.items():
        name = f"{prefix}.{key}" if prefix else key
        if not isinstance(value, dict):
            raise _fail(path, name, f"esperava uma tabela {{ valor = ..., estado = ..., origem = ... }}, "
                        f"veio {value!r}", BY_NAME.get(name))
        if any(field in value for field in FIELDS):
            out[name] = value
        else:
            _leaves(value, name, path, out)


def _check_value(path: Path, fact: Fact, value: object, role: object) -> None:
    name = fact.name
    if not isinstance(value, str):
        raise _fail(path, name, f"valor deve ser um texto, veio {value!r}", fact)
    kind = fact.kind
    if fact.allowed and value not in fact.allowed:
        raise _fail(path, name, f"valor {value!r} não é um dos aceitos: {', '.join(fact.allowed)}", fact)
    if kind in ("table", "column") and not IDENTIFIER.match(value):
        raise _fail(path, name, f"{value!r} não é um nome SQL simples ({KINDS[kind]})", fact)
    if kind == "key" and not KEY_PATH.match(value):
        raise _fail(path, name, f"{value!r} não é uma chave JSON ({KINDS[kind]})", fact)
    if kind == "envelope" and value != "[]" and not KEY_PATH.match(value):
        raise _fail(path, name, f"{value!r}: {KINDS[kind]}", fact)
    if kind in ("text", "sqlvalue") and not value.strip():
        raise _fail(path, name, "o texto está vazio", fact)
    if kind == "template":
        found = set(re.findall(r"\{(\w+)\}", value))
        if found != set(fact.placeholders):
            raise _fail(path, name, f"o modelo {value!r} deve ter exatamente os marcadores "
                        f"{', '.join('{' + p + '}' for p in fact.placeholders)}", fact)
    if kind == "element" and role is None:
        raise _fail(path, name, "falta o papel ARIA (papel = \"button\", \"textbox\", ...)", fact)
    if role is not None and role not in ROLES:
        raise _fail(path, name, f"papel {role!r} não é um papel ARIA conhecido ({', '.join(sorted(ROLES))})", fact)


def _entry(path: Path, name: str, raw: dict) -> Entry:
    fact = BY_NAME.get(name)
    if fact is None:
        close = difflib.get_close_matches(name, BY_NAME, n=3)
        hint = f" (quis dizer {', '.join(close)}?)" if close else ""
        raise _fail(path, name, f"entrada desconhecida{hint}; as entradas estão em support/stackmap/catalogue.py")
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        raise _fail(path, name, f"campo(s) desconhecido(s) {', '.join(unknown)}; use {', '.join(FIELDS)}", fact)
    state = STATE_ALIASES.get(raw.get("estado"), raw.get("estado"))
    if state not in STATES:
        raise _fail(path, name, f"estado {raw.get('estado')!r} não é um de {', '.join(STATES)}", fact)
    source = raw.get("origem")
    if not isinstance(source, str) or not source.strip():
        raise _fail(path, name, "falta a origem (linha do runbook, seção do contrato, "
                    "\"capturado de <stack> em <data>\" ou \"suposição: ...\")", fact)
    if state == "desconhecido":
        if "valor" in raw:
            raise _fail(path, name, "uma entrada desconhecida não tem valor (tire o valor ou mude o estado)", fact)
        return Entry(name, None, state, source, raw.get("papel"), str(raw.get("nota", "")),
                     str(raw.get("nao_pode_diferir", "")))
    if "valor" not in raw:
        raise _fail(path, name, f"falta o valor (estado {state})", fact)
    _check_value(path, fact, raw["valor"], raw.get("papel"))
    return Entry(name, raw["valor"], state, source, raw.get("papel"), str(raw.get("nota", "")),
                 str(raw.get("nao_pode_diferir", "")))


def parse_map(text: str, path: Path) -> StackMap:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MapError(f"Mapa da stack inválido: {path}: não é TOML válido ({exc}). "
                       'Exemplo de entrada: [wl.exporter.offer] price = { valor = "price", estado = '
                       '"capturado", origem = "capturado de staging-local em 2026-12-10" }') from None
    header = data.pop("mapa", None)
    if not isinstance(header, dict) or not isinstance(header.get("perfil"), str):
        raise MapError(f'Mapa da stack inválido: {path}: falta o cabeçalho [mapa] com perfil = "<perfil>" '
                       'e descricao = "...". Exemplo: [mapa] perfil = "staging-local"')
    leaves: dict[str, dict] = {}
    _leaves(data, "", path, leaves)
    entries = {name: _entry(path, name, raw) for name, raw in leaves.items()}
    missing = [fact for fact in FACTS if fact.name not in entries]
    if missing:
        names = ", ".join(f.name for f in missing[:5]) + (f" e mais {len(missing) - 5}" if len(missing) > 5 else "")
        raise _fail(path, None, f"faltam entradas: {names} (uma desconhecida se declara com "
                    'estado = "desconhecido")', missing[0])
    ordered = {fact.name: entries[fact.name] for fact in FACTS}
    return StackMap(path=path, profile=header["perfil"], description=str(header.get("descricao", "")),
                    entries=ordered)


def load_map(path: Path) -> StackMap:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MapError(f"Mapa da stack não encontrado: {path}. Cada perfil tem o seu em "
                       "profiles/<perfil>.mapa.toml, ou XPORY_STACK_MAP nomeia outro arquivo "
                       "(exemplo: XPORY_STACK_MAP=profiles/staging-local.mapa.toml)") from None
    return parse_map(text, Path(path))
