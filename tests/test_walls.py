"""The walls, in the test command: every import-linter contract of .importlinter is kept (the suite never
imports the sandbox, the sandbox never imports the suite, sandbox/cp and sandbox/wl layered one way), ruff
is clean, and a forbidden import added across a wall breaks its contract (a copy of the tree with the
import added; the cycle cases are in tests/sandbox/test_layers.py)."""
from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ROOT_PACKAGES = ("support", "steps", "tools", "sandbox", "certificates")


def lint_imports(cwd: Path, *contracts: str) -> subprocess.CompletedProcess:
    args = [str(BIN / "lint-imports"), "--no-cache", *[a for c in contracts for a in ("--contract", c)]]
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={"PATH": str(BIN), "PYTHONPATH": str(cwd)})


def contract_names() -> dict[str, str]:
    parser = configparser.ConfigParser()
    parser.read(ROOT / ".importlinter")
    return {section.split(":", 2)[2]: parser[section]["name"] for section in parser.sections()
            if section.startswith("importlinter:contract:")}


def test_every_contract_is_kept():
    names = contract_names()
    assert {"suite-never-imports-sandbox", "sandbox-never-imports-suite", "sandbox-cp-layers",
            "sandbox-wl-layers"} <= set(names)
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in names.values():
        assert f"{name} KEPT" in result.stdout, name
    assert f"Contracts: {len(names)} kept, 0 broken." in result.stdout


def test_ruff_is_clean():
    result = subprocess.run([str(BIN / "ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def _tree_with(tmp_path: Path, module: str, line: str) -> Path:
    """A copy of the root packages' Python files with `line` appended to `module`."""
    for package in ROOT_PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__", "admin_ui", "*.md", "*.sql", "*.toml", "*.txt"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    target = tmp_path / module
    target.write_text(target.read_text() + f"\n{line}  # a forbidden import, added by the test\n")
    return tmp_path


@pytest.mark.parametrize(("contract", "module", "line", "reported"), [
    ("sandbox-never-imports-suite", "sandbox/launcher.py", "import support.config", "sandbox.launcher -> support.config"),
    ("suite-never-imports-sandbox", "support/stack/embedded.py", "from sandbox import launcher",
     "support.stack.embedded -> sandbox.launcher"),
    ("certificates-is-neutral", "certificates/__init__.py", "import sandbox.settings",
     "certificates -> sandbox.settings"),
])
def test_a_forbidden_import_breaks_its_wall(tmp_path, contract, module, line, reported):
    result = lint_imports(_tree_with(tmp_path, module, line), contract)
    assert result.returncode != 0, result.stdout
    assert f"{contract_names()[contract]} BROKEN" in result.stdout, result.stdout
    assert reported in result.stdout, result.stdout
