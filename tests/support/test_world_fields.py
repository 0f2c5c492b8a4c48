"""The scenario state is declared, typed and documented in one place (support/world.py):

- every field of `World` (and of the run's `ResetState`) carries its documentation;
- neither accepts a name it does not declare (slots);
- no code in the suite stores anything on behave's `context` but `session` and `world`, nor reads or
  stores a name on `context.world` that `World` does not declare (checked on the source, so a step
  that no scenario runs yet is checked too).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field, fields
from pathlib import Path

import pytest

from support.documented import doc, undocumented
from support.reset.state import ResetState
from support.world import World

ROOT = Path(__file__).resolve().parents[2]
SUITE = ("steps", "support", "tools", "environment.py")
ON_CONTEXT = {"session", "world"}
ON_WORLD = {item.name for item in fields(World)} | {name for name in dir(World) if not name.startswith("_")}


def _stored(node: ast.AST) -> list[ast.expr]:
    """The targets an assignment, augmented assignment or del stores to (tuples unpacked)."""
    if isinstance(node, (ast.Assign, ast.Delete)):
        targets = list(node.targets)
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        targets = [node.target]
    else:
        return []
    flat = []
    while targets:
        target = targets.pop()
        if isinstance(target, (ast.Tuple, ast.List)):
            targets.extend(target.elts)
        elif isinstance(target, ast.Starred):
            targets.append(target.value)
        else:
            flat.append(target)
    return flat


def _is_world(node: ast.expr) -> bool:
    """`<anything>.world` or a local named `world`."""
    return (isinstance(node, ast.Attribute) and node.attr == "world") or (isinstance(node, ast.Name)
                                                                          and node.id == "world")


def _context_stores(function: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> set[str]:
    """What a function that takes behave's `context` stores on it besides session and world."""
    problems = set()
    for node in ast.walk(function):
        for target in _stored(node):
            if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                    and target.value.id == "context" and target.attr not in ON_CONTEXT):
                problems.add(f"{name}:{target.lineno} stores context.{target.attr}")
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("setattr", "delattr")
                and node.args and isinstance(node.args[0], ast.Name) and node.args[0].id in ("context", "world")):
            problems.add(f"{name}:{node.lineno} calls {node.func.id}() on {node.args[0].id}")
    return problems


def state_problems(source: str, name: str) -> list[str]:
    """Every place in `source` that stores on `context` other than session/world, or that reads or
    stores a name on the scenario's world that World does not declare."""
    problems: set[str] = set()
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            parameters = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
            if any(argument.arg == "context" for argument in parameters):
                problems |= _context_stores(node, name)
        if isinstance(node, ast.Attribute) and _is_world(node.value) and node.attr not in ON_WORLD:
            problems.add(f"{name}:{node.lineno} uses world.{node.attr}, which World does not declare")
    return sorted(problems)


def _suite_files() -> list[Path]:
    files = []
    for entry in SUITE:
        path = ROOT / entry
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


@pytest.mark.parametrize("cls", [World, ResetState])
def test_every_field_is_documented(cls):
    assert len(fields(cls)) >= 5
    assert undocumented(cls) == [], f"{cls.__name__}: give these fields metadata=doc(...)"


def test_a_field_without_documentation_is_reported():
    @dataclass
    class Sample:
        told: int = field(default=0, metadata=doc("what it means"))
        untold: int = 0
        blank: int = field(default=0, metadata=doc("  "))

    assert undocumented(Sample) == ["untold", "blank"]


@pytest.mark.parametrize("cls", [World, ResetState])
def test_an_undeclared_name_is_refused(cls):
    state = cls()
    with pytest.raises(AttributeError):
        state.notes = {}  # the free-form dict World used to have
    assert not hasattr(state, "__dict__")


def test_the_suite_keeps_scenario_state_only_in_declared_fields():
    files = _suite_files()
    assert len(files) > 20  # the walk sees the real tree
    problems = [p for path in files for p in state_problems(path.read_text(encoding="utf-8"),
                                                            str(path.relative_to(ROOT)))]
    assert problems == [], ("declare the fact as a documented World field (support/world.py):\n"
                            + "\n".join(problems))


def test_stores_on_context_and_undeclared_world_names_are_reported():
    source = '''
def step(context):
    context.world.notes["x"] = 1
    context.extra = 2
    context.world.response, context.cache = None, {}
    setattr(context, "other", 3)
    world = context.world
    world.typo = 4
    context.session = context.session
    context.world.offer = {"offer_id": 1}

def ssl_setup(ca_file):
    context = make_ssl_context(ca_file)
    context.minimum_version = 771
'''
    assert state_problems(source, "s.py") == [
        "s.py:3 uses world.notes, which World does not declare",
        "s.py:4 stores context.extra",
        "s.py:5 stores context.cache",
        "s.py:6 calls setattr() on context",
        "s.py:8 uses world.typo, which World does not declare",
    ]
