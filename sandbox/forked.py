"""The launcher's service children (CP, exporter, importer) as forks of the launcher.

A new Python process spends about a quarter of a second of CPU importing what a service needs (psycopg,
uvicorn, starlette, httpx, PyJWT, cryptography) before it does anything; the launcher starts three services
per run and a new CP at every restart. So the launcher imports those modules once (`preload`, while the
database starts) and forks each service from itself: the child resets what it inherited (signal handlers,
process group, standard streams, environment, folder) and runs the same `main()` that `python -m
sandbox.cp` / `python -m sandbox.wl <role>` runs. `Child` answers what the launcher asks of a
`subprocess.Popen` (pid, poll, wait, terminate, kill, returncode); `ps` shows it with the command line
`python -m sandbox.cp` would have.

Forking is safe here because the launcher has one thread (it spawns from its main thread only) and the
preloaded modules start no thread and open no connection when imported.
"""
from __future__ import annotations

import importlib
import io
import os
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path

from setproctitle import setproctitle

# What the services import before they serve (their main() functions import these lazily).
PRELOAD = ("sandbox.settings", "sandbox.db", "sandbox.serve", "sandbox.cp.app", "sandbox.cp.auth", "sandbox.cp.db",
           "sandbox.wl.app", "sandbox.cp.__main__", "sandbox.wl.__main__")
ENTRIES = {"cp": ("sandbox.cp.__main__", ()), "exporter": ("sandbox.wl.__main__", ("exporter",)),
           "importer": ("sandbox.wl.__main__", ("importer",))}
_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def preload() -> None:
    for module in PRELOAD:
        importlib.import_module(module)


class Child:
    """A forked child, seen through the part of subprocess.Popen the launcher uses."""

    def __init__(self, pid: int, args: list[str]):
        self.pid, self.args, self.returncode = pid, args, None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        interval = 0.005
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(self.args, timeout)
            time.sleep(interval)
            interval = min(interval * 1.5, 0.05)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def fork(module: str, argv: tuple[str, ...], env: dict[str, str], log: Path, cwd: Path, become_child) -> Child:
    """Fork a child that runs `module.main(argv)` (`main()` when there are no arguments; ENTRIES for the services)
    with `env`, its output appended to `log`, in `cwd`; `become_child()` runs first in the child (the launcher's
    process group and parent-death signal). Its exit code is main's return value, or SystemExit's."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)  # no launcher handler runs in the child
    pid = os.fork()
    if pid:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        return Child(pid, [sys.executable, "-m", module.removesuffix(".__main__"), *argv])
    _run_child(module, argv, env, log, cwd, become_child, blocked)  # pragma: no cover - the child never returns


def _run_child(module, argv, env, log, cwd, become_child, blocked) -> None:  # pragma: no cover - in the child
    code = 1
    try:
        for sig in _SIGNALS:
            signal.signal(sig, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        become_child()
        sys.argv = [module.removesuffix(".__main__"), *argv]
        # what `ps` shows: the command line `python -m` would have (before the environment changes: setproctitle
        # reuses the memory of the inherited one)
        setproctitle(" ".join([sys.executable, "-m", *sys.argv]))
        _streams(log)
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        main = importlib.import_module(module).main
        code = main(list(argv)) if argv else main()
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        if not isinstance(stop.code, int | None):
            print(stop.code, file=sys.stderr)
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(code if isinstance(code, int) else 1)


def _streams(log: Path) -> None:  # pragma: no cover - in the child
    """stdin from /dev/null; stdout and stderr appended to `log`, unbuffered (PYTHONUNBUFFERED's effect)."""
    null = os.open(os.devnull, os.O_RDONLY)
    out = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(null, 0)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(null)
    os.close(out)
    # new stream objects on the new descriptors (the inherited ones may buffer, or not write to fd 1 and 2)
    sys.stdout = sys.__stdout__ = _text(1)
    sys.stderr = sys.__stderr__ = _text(2)


def _text(fd: int) -> io.TextIOWrapper:  # pragma: no cover - in the child
    return io.TextIOWrapper(io.FileIO(fd, "w", closefd=False), encoding="utf-8", errors="backslashreplace",
                            write_through=True)
