"""Code in support/ and steps/ takes the names the runbook and the contract do not fix only from the stack
map: no guessed WL table or column name, no undocumented WL response key and no guessed UI label may be
written anywhere else (issue 11). The forbidden names are built from the map itself: every value the
embedded map marks as a guess ("suposição"), minus the names the runbook or the contract also fix.

String constants are scanned (docstrings and prose are documentation, not code that reaches the stack):
a string that is a name or a key path (`"price"`, `"seller.name"`) and every identifier of a string
that is SQL; UI names as whole strings. The map's own entry names (`"wl.exporter.offer.price"`) are how
code asks the map, so they are not names of the stack.
"""
from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

from support.stackmap import load_map
from support.stackmap.catalogue import BY_NAME

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("support", "steps")
LOADER = ROOT / "support" / "stackmap"  # the map loader and its catalogue name every entry
NAME_KINDS = ("table", "column", "key", "envelope")
UI_KINDS = ("element", "text", "route")
KEY_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
KEYED_CALLS = ("has_entries", "has_entry", "dict")  # their keyword names are JSON keys
SQL = re.compile(r"\b(SELECT|UPDATE|INSERT|DELETE|FROM|WHERE|SET|TRUNCATE)\b")
# A guessed WL name that is also a name the CP contract fixes for the CP's own answers: allowed only in the
# files that read those CP answers, each with the contract's section.
CONTRACT_NAMES = {
    "items": ("cp.md §3.2, §6.1, §8.4, §8.6, §9.2: CP lists are {items, count}",
              {"support/correlation.py", "support/queries.py", "support/trading.py", "steps/ambiente_steps.py",
               "steps/trades_steps.py", "steps/contadores_steps.py",
               "steps/ui_steps.py"}),
    "active": ("cp.md §4.1: a relationship's status (the runbook's curls send \"status\":\"active\")", {
        "support/reset/runbook_steps.py", "steps/ambiente_steps.py", "steps/export_policy_steps.py"}),
    "tradeId": ("cp.md §8.6, §9.2: pending items and notifications carry tradeId; §8.2: the projection key",
                {"support/reset/previous_run.py", "steps/trades_steps.py", "steps/ui_steps.py", "support/trading.py",
                 "support/correlation.py", "steps/contadores_steps.py"}),
    "externalTradeId": ("cp.md §8.1, §8.2: the TRADER_PURCHASE payload a WL sends, the projection key",
                        {"support/reset/previous_run.py", "support/trading.py", "support/correlation.py"}),
    "totalPrice": ("cp.md §8.1: the TRADER_PURCHASE payload a WL sends", {"support/reset/previous_run.py"}),
    "originOfferId": ("cp.md §8.1, §8.8: the telemetry payload and the CP's trade details",
                      {"support/reset/previous_run.py", "steps/trades_steps.py", "support/correlation.py"}),
    "createdAt": ("cp.md §8.1: the TRADER_PURCHASE payload a WL sends", {"support/reset/previous_run.py"}),
    "categoryId": ("cp.md §6.1: the CP's category snapshot", {"support/export_policy.py", "steps/ambiente_steps.py",
                                                               "steps/ui_steps.py", "support/policy_table.py"}),
    "entityId": ("cp.md §6.1: the CP's entity snapshot", {"support/export_policy.py", "steps/ambiente_steps.py",
                                                           "support/trade_details.py", "support/policy_table.py"}),
    "error": ("cp.md §0.2: the CP's error bodies are {\"error\": ...}", {"support/security.py"}),
}


def forbidden() -> tuple[dict[str, str], dict[str, str]]:
    """(identifier -> entry, UI text -> entry): the embedded map's guesses the runbook/contract don't fix."""
    stack_map = load_map(ROOT / "profiles" / "embutido.mapa.toml")
    facts = {e.value for e in stack_map.entries.values() if e.state in ("fato", "documentado") and e.value}
    fact_words = {w for value in facts for w in re.split(r"[.\s]", value) if w}
    names, texts = {}, {}
    for entry in stack_map.entries.values():
        if entry.state != "suposição" or not entry.value or entry.value == "[]":
            continue
        kind = entry.fact.kind
        if kind in NAME_KINDS:
            for word in entry.value.split("."):
                if word not in fact_words:
                    names.setdefault(word, entry.name)
        elif kind in UI_KINDS and entry.value not in facts:
            texts.setdefault(entry.value, entry.name)
    return names, texts


def code_strings(path: Path):
    """(line, text) of every string constant in `path` that is not a docstring, and the keyword names
    of the calls that build or match dicts by key."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in KEYED_CALLS:
            yield from ((node.lineno, kw.arg) for kw in node.keywords if kw.arg)  # has_entries(tradeId=...)


def stack_names(text: str) -> set[str]:
    """The names a string gives the stack: itself when it is a name or key path, every identifier when
    it is SQL; none for prose, paths and the map's own entry names."""
    if text in BY_NAME:
        return set()
    if KEY_PATH.match(text):
        return set(text.split("."))
    if SQL.search(text):
        return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
    return set()


def offenders(names: dict[str, str], texts: dict[str, str], root: Path = ROOT) -> list[str]:
    found = []
    loader = root / LOADER.relative_to(ROOT)
    files = sorted(p for folder in SCANNED for p in (root / folder).rglob("*.py") if loader not in p.parents)
    assert len(files) > 20  # the walk sees the real tree
    for path in files:
        relative = str(path.relative_to(root))
        for line, text in code_strings(path):
            for word in stack_names(text) & set(names):
                if relative not in CONTRACT_NAMES.get(word, ("", set()))[1]:
                    found.append(f"{relative}:{line}: {word!r} (entrada {names[word]} do mapa) em {text[:80]!r}")
            if text.strip() in texts:
                found.append(f"{relative}:{line}: {text.strip()!r} (entrada {texts[text.strip()]} do mapa)")
    return found


def test_no_guessed_name_is_written_in_support_or_steps_outside_the_map():
    names, texts = forbidden()
    assert {"price", "origin_offer_id", "externalTradeId", "fetched_at", "cross_wl_trade"} - set(names) == {
        "cross_wl_trade"}  # the map's guesses are forbidden; the runbook's table name is a fact
    assert {"Detalhes", "/entrar", "Conta"} <= set(texts)
    hits = offenders(names, texts)
    assert hits == [], ("nomes que só o mapa da stack pode dar (leia-os de session.stack_map):\n" + "\n".join(hits))


def test_the_scan_finds_a_guessed_name_written_in_code(tmp_path, monkeypatch):
    names, texts = forbidden()
    # planted in a copy of the scanned folders: the real tree stays untouched for tests running alongside
    for folder in SCANNED:
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    planted = tmp_path / "support" / "_planted_for_test.py"
    planted.write_text('SQL = "SELECT price FROM offer"\nLABEL = "Detalhes"\n"""a docstring: price"""\n',
                       encoding="utf-8")
    hits = [h for h in offenders(names, texts, tmp_path) if "_planted_for_test" in h]
    assert any("'price'" in h for h in hits) and any("'Detalhes'" in h for h in hits), hits
    assert len(hits) == 3  # price, offer (the table) and the label; never the docstring


def test_every_contract_name_allowance_is_used():
    """An allowance that no file needs any more is removed (so the list stays the real collisions)."""
    names, _ = forbidden()
    unused = []
    for word, (_, allowed) in CONTRACT_NAMES.items():
        for relative in allowed:
            strings = [text for _, text in code_strings(ROOT / relative)]
            if not any(word in stack_names(text) for text in strings):
                unused.append(f"{word} em {relative}")
        assert word in names, f"{word} não é mais uma suposição do mapa: tire-o de CONTRACT_NAMES"
    assert unused == []
