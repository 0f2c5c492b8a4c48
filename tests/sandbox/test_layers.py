"""sandbox/cp and sandbox/wl are layered one way (issue 10): the import-linter layers contracts (kept on the
real tree: tests/test_walls.py runs every contract) break as soon as an import closes a loop, no relative
import hides inside a function, and the CP's route table does not depend on the order its feature modules
are composed in."""
from __future__ import annotations

import ast
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sandbox.cp import app  # noqa: E402
from sandbox.cp.web import NONE, RouteDef, Routes  # noqa: E402

LINT = Path(sys.executable).with_name("lint-imports")
CONTRACTS = ("sandbox-cp-layers", "sandbox-wl-layers")


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    args = [str(LINT), "--no-cache", *[a for c in CONTRACTS for a in ("--contract", c)]]
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=60,
                          env={"PATH": str(LINT.parent), "PYTHONPATH": str(cwd)})


@pytest.mark.parametrize(("module", "cycle_import", "reported"), [
    ("cp/events.py", "from . import telemetry", "sandbox.cp.events -> sandbox.cp.telemetry"),
    ("wl/errors.py", "from . import purchases", "sandbox.wl.errors -> sandbox.wl.purchases"),
])
def test_an_import_that_closes_a_loop_breaks_the_contract(tmp_path, module, cycle_import, reported):
    shutil.copytree(ROOT / "sandbox", tmp_path / "sandbox", ignore=shutil.ignore_patterns("__pycache__", "admin_ui"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    # certificates/ is neutral ground the sandbox imports: the real one, so the graph is the same
    shutil.copytree(ROOT / "certificates", tmp_path / "certificates", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("support", "steps", "tools"):  # root packages named by the config; empty stand-ins
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
    target = tmp_path / "sandbox" / module
    target.write_text(target.read_text() + f"\n{cycle_import}  # a new import closing a loop\n")
    result = _lint(tmp_path)
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout and reported in result.stdout, result.stdout


def _nested_relative_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    top = {id(node) for node in tree.body}
    return [f"{path.relative_to(ROOT)}:{node.lineno}" for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.level > 0 and id(node) not in top]


def test_no_relative_import_inside_a_function():
    """Loops are not hidden by importing inside functions. Entry points (`__main__`) are exempt: nothing
    imports them, so they cannot close a loop."""
    files = [p for pkg in ("cp", "wl") for p in (ROOT / "sandbox" / pkg).glob("*.py") if p.name != "__main__.py"]
    assert len(files) > 30
    assert [hit for f in files for hit in _nested_relative_imports(f)] == []


def _signature(table: list[RouteDef]) -> list[tuple]:
    return [(d.method, d.path, d.guard, d.handler) for d in table]


def test_the_route_table_does_not_depend_on_module_order():
    expected = app.route_table()
    modules = list(app.FEATURES)
    for seed in range(5):
        random.Random(seed).shuffle(modules)
        assert _signature(app.route_table(modules)) == _signature(expected)
    paths = [(d.method, d.path) for d in expected]
    assert paths.index(("PUT", "/users/me")) < paths.index(("PUT", "/users/{id}"))
    assert paths.index(("GET", "/trades/pending")) < paths.index(("GET", "/trades/{tradeId}/details"))


def test_the_composed_app_sends_static_paths_to_their_own_handler():
    """`/users/me` reaches the profile, not `/users/{id}`, whichever module is composed first."""
    from starlette.routing import Match

    admin, _wl = app.build_apps()
    scope = {"type": "http", "method": "PUT", "path": "/admin/api/users/me", "root_path": ""}
    matched = next(r for r in admin.routes if r.matches(scope)[0] == Match.FULL)
    assert matched.path == "/admin/api/users/me"


def _module(*routes: tuple[str, str]):
    table = Routes()
    for method, path in routes:
        table.add(method, path, NONE)(lambda req: None)
    return type("Module", (), {"ROUTES": table})


def test_ambiguous_or_duplicate_routes_are_refused():
    with pytest.raises(ValueError, match="ambiguous CP routes"):
        app.route_table([_module(("GET", "/a/{x}")), _module(("GET", "/{y}/b"))])
    with pytest.raises(ValueError, match="ambiguous CP routes"):
        app.route_table([_module(("GET", "/a/{x}")), _module(("GET", "/a/{y}"))])
    table = app.route_table([_module(("GET", "/a/{x}"), ("POST", "/a/b")), _module(("GET", "/a/b"))])
    assert [(d.method, d.path) for d in table] == [("GET", "/a/b"), ("POST", "/a/b"), ("GET", "/a/{x}")]
