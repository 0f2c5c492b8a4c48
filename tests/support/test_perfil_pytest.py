"""tools.perfil_pytest on known rows (per worker, the longest groups, the start and the end) and its plugin
(tools/pytest_tempos.py) in a real pytest process: one row per test, with its process and group."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tools import perfil_pytest

ROOT = Path(__file__).resolve().parents[2]


def row(worker: str, group: str, start: float, end: float) -> dict:
    return {"worker": worker, "test": f"{group}::t{start}", "group": group, "start": start, "end": end}


ROWS = [row("gw0", "tests/gate/test_a.py::run()", 102.0, 112.0), row("gw0", "tests/gate/test_a.py::run()", 112.0, 113.0),
        row("gw1", "real_stack", 102.5, 106.0), row("gw1", "tests/x.py", 106.0, 106.5)]


def test_groups_sum_their_tests_and_come_longest_first():
    found = perfil_pytest.groups(ROWS)
    assert [(g["group"], g["worker"], g["tests"], g["seconds"]) for g in found] == [
        ("tests/gate/test_a.py::run()", "gw0", 2, 11.0), ("real_stack", "gw1", 1, 3.5), ("tests/x.py", "gw1", 1, 0.5)]


def test_the_report_says_the_start_the_end_each_worker_and_the_longest_groups():
    text = perfil_pytest.report(ROWS, began=100.0, ended=114.0, code=0, top=2)
    assert text.splitlines()[0] == ("pytest: 14.0 s de parede, código 0, 4 testes; partida até o primeiro teste "
                                    "2.0 s, do último teste ao fim 1.0 s")
    assert "| gw0 | 11.0 s | 2 | 13.0 s |" in text and "| gw1 | 4.0 s | 2 | 6.5 s |" in text
    assert "| tests/gate/test_a.py::run() | gw0 | 2 | 11.0 s | 2.0 – 13.0 s |" in text
    assert "tests/x.py" not in text  # past the top 2


def test_the_plugin_writes_one_row_per_test_with_its_process(tmp_path):
    (tmp_path / "test_dois.py").write_text("import time\n\ndef test_a():\n    time.sleep(0.05)\n\n"
                                           "def test_b():\n    pass\n", encoding="utf-8")
    out = tmp_path / "tempos"
    out.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}  # not this worker's id
    env.update(XPORY_PYTEST_TEMPOS=str(out), PYTHONPATH=str(ROOT))
    ran = subprocess.run([sys.executable, "-m", "pytest", "-p", "tools.pytest_tempos", "-p", "no:cacheprovider",
                          "-q", "-n", "0", str(tmp_path / "test_dois.py")], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    rows = [json.loads(line) for line in (out / "main.jsonl").read_text().splitlines()]
    assert [(r["test"].split("::")[-1], r["worker"], r["group"]) for r in rows] == [
        ("test_a", "main", "test_dois.py"), ("test_b", "main", "test_dois.py")]
    assert rows[0]["end"] - rows[0]["start"] >= 0.05
