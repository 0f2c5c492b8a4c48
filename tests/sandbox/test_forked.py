"""The launcher's forked children (sandbox/forked.py): a child runs its module's main with exactly the
environment, folder and output file it is given, shows a `python -m` command line, exits with main's code (or
SystemExit's, or 1 with the traceback in its log), and does not inherit the launcher's signal handlers."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sandbox import forked

ROOT = Path(__file__).resolve().parents[2]
MODULE = "forked_child"  # tests/sandbox/forked_child.py (tests/sandbox is on sys.path under pytest)


def _fork(tmp_path: Path, *argv: str, env: dict[str, str] | None = None) -> tuple[forked.Child, Path]:
    log = tmp_path / "child.log"
    became: list[str] = []
    child = forked.fork(MODULE, argv, env or {"ONLY": "this"}, log, tmp_path, lambda: became.append("x"))
    return child, log


def _wait_for_text(log: Path, text: str) -> None:
    deadline = time.monotonic() + 10
    while text not in (log.read_text() if log.exists() else ""):
        assert time.monotonic() < deadline, f"{text!r} never reached {log}"
        time.sleep(0.01)


def test_the_child_runs_main_with_its_environment_folder_and_output_file(tmp_path):
    child, log = _fork(tmp_path, "report", "7", env={"ONLY": "this", "SANDBOX_X": "1"})
    assert child.wait(10) == 7
    out, err = log.read_text().splitlines()
    seen = json.loads(out)
    assert seen["env"] == {"ONLY": "this", "SANDBOX_X": "1"}
    assert seen["cwd"] == str(tmp_path)
    assert seen["argv"] == ["forked_child", "report", "7"]
    assert err == "to stderr"


PARENT = """
import sys
from pathlib import Path
from sandbox import forked
folder = Path(sys.argv[1])
child = forked.fork("forked_child", ("sleep", "5"), {"ONLY": "this"}, folder / "child.log", folder, lambda: None)
print(child.pid, flush=True)
sys.exit(child.wait(30))
"""


def test_ps_shows_the_command_line_python_m_would_have(tmp_path):
    """Forked by a fresh process, as the launcher forks: setproctitle rewrites the memory of the command line and
    environment the process started with, which is no longer contiguous once a process has rebuilt its
    environment (this pytest process, after the fixtures that swap os.environ, under `-n 0`)."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": os.pathsep.join([str(ROOT), str(Path(__file__).parent)])}
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(tmp_path)], env=env, stdout=subprocess.PIPE, text=True)
    try:
        pid = int(parent.stdout.readline())
        _wait_for_text(tmp_path / "child.log", "sleeping")
        cmdline = Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ").strip()
        assert cmdline == f"{sys.executable} -m forked_child sleep 5"
        os.kill(pid, signal.SIGKILL)
        assert parent.wait(10) == -signal.SIGKILL % 256  # the parent exits with Child.wait's code: -9
    finally:
        parent.kill()
        parent.wait(10)


@pytest.mark.parametrize(("argv", "code", "logged"), [
    (("exit", "3"), 3, ""),
    (("raise",), 1, "RuntimeError: boom in the child"),
    (("unknown",), 9, ""),
])
def test_the_exit_code_is_mains_or_system_exits_or_1_with_the_traceback(tmp_path, argv, code, logged):
    child, log = _fork(tmp_path, *argv)
    assert child.wait(10) == code
    assert child.poll() == code and child.returncode == code
    assert logged in log.read_text()


def test_sigterm_ends_the_child_although_the_parent_handles_sigterm(tmp_path):
    caught: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: caught.append(signum))
    try:
        child, log = _fork(tmp_path, "sleep", "30")
        _wait_for_text(log, "sleeping")
        child.terminate()
        assert child.wait(10) == -signal.SIGTERM
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert caught == []  # the signal went to the child only


def test_wait_with_a_deadline_raises_timeout_expired_and_kill_ends_it(tmp_path):
    child, log = _fork(tmp_path, "sleep", "30")
    _wait_for_text(log, "sleeping")
    with pytest.raises(subprocess.TimeoutExpired):
        child.wait(0.1)
    assert child.poll() is None
    child.kill()
    assert child.wait(10) == -signal.SIGKILL
    child.terminate()  # a child already reaped: nothing to signal, no error
