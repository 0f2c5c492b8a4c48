"""The house rule "no function in support/ or steps/ over 50 lines", checked on the source (ast)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("support", "steps")
MAX_LINES = 50


def long_functions(source: str, name: str) -> list[str]:
    """Every function (or method, nested or not) in `source` longer than MAX_LINES, from its `def`
    line to its last line, docstring included."""
    found = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_LINES:
                found.append(f"{name}:{node.lineno} {node.name}() has {length} lines")
    return found


def test_no_function_in_support_or_steps_is_over_50_lines():
    files = sorted(path for folder in FOLDERS for path in (ROOT / folder).rglob("*.py"))
    assert len(files) > 20  # the walk sees the real tree
    offenders = [hit for path in files
                 for hit in long_functions(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))]
    assert offenders == [], "split these functions (at most 50 lines each):\n" + "\n".join(offenders)


def _function(lines: int, indent: str = "") -> str:
    """A function of exactly `lines` lines (its def plus one statement per line)."""
    body = "".join(f"{indent}    x{i} = {i}\n" for i in range(lines - 1))
    return f"{indent}def f():\n{body}"


def test_the_check_counts_from_def_to_the_last_line_of_any_function_or_method():
    assert long_functions(_function(MAX_LINES), "fits.py") == []
    assert long_functions("class C:\n" + _function(MAX_LINES + 1, "    "), "long.py") == [
        "long.py:2 f() has 51 lines"]
