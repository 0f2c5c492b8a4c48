"""The embedded stack: the sandbox, brought up by its own launcher and driven from outside, like compose.

`python -m sandbox up --runtime <run folder> --cache <XPORY_RUNTIME_DIR> --endpoints <file>` runs as a
subprocess (with the profile's timings and WL ids as options, the passwords on its stdin, then
XPORY_SANDBOX_UP_ARGS); once the stack is healthy it writes the endpoints file, whose neutral keys become
the suite's XPORY_* settings. "Restart the CP" is `python -m sandbox restart cp --runtime <run folder>`;
stop is SIGTERM. What the launcher does inside (ports, processes, databases, certificates) is its own
business: sandbox/README.md, "Launcher", documents the command line and the files used here.
"""
from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from ..config import ROOT, Config
from ..errors import StackError
from ..progress import waiting
from ..wait import WaitTimeout, until
from .base import StackController

# neutral key of the endpoints file -> the suite's setting
SETTING_OF = {
    "cp_admin_api": "XPORY_CP_ADMIN_API", "admin_ui_url": "XPORY_ADMIN_UI_URL", "cp_url": "XPORY_CP_URL",
    "exporter_url": "XPORY_EXPORTER_URL", "importer_url": "XPORY_IMPORTER_URL",
    "storefront_url": "XPORY_STOREFRONT_URL", "exporter_gateway_url": "XPORY_EXPORTER_GATEWAY_URL",
    "importer_gateway_url": "XPORY_IMPORTER_GATEWAY_URL", "cp_dsn": "XPORY_CP_DSN",
    "exporter_dsn": "XPORY_EXPORTER_DSN", "importer_dsn": "XPORY_IMPORTER_DSN", "ca_file": "XPORY_CA_FILE",
    "client_p12": "XPORY_CLIENT_P12", "exporter_wl_id": "XPORY_EXPORTER_WL_ID",
    "importer_wl_id": "XPORY_IMPORTER_WL_ID", "hold_ttl_seconds": "XPORY_HOLD_TTL_SECONDS",
    "peer_token_ttl_seconds": "XPORY_SANDBOX_PEER_TOKEN_TTL_SECONDS",
    "relationship_poll_seconds": "XPORY_SANDBOX_RELATIONSHIP_POLL_SECONDS",
    "cp_start_delay_seconds": "XPORY_SANDBOX_CP_START_DELAY_SECONDS",
}
STOP_TIMEOUT = 30.0  # the launcher stops CP and WLs, then the database, each with its own grace period


def up_command(config: Config, runtime: Path, endpoints: Path, python: str = sys.executable) -> list[str]:
    c = config
    options = {"--runtime": runtime, "--cache": c.path("XPORY_RUNTIME_DIR"), "--endpoints": endpoints,
               "--hold-ttl": c.hold_ttl_seconds,
               "--relationship-poll": c.get("XPORY_SANDBOX_RELATIONSHIP_POLL_SECONDS", 0.5),
               "--peer-token-ttl": c.get("XPORY_SANDBOX_PEER_TOKEN_TTL_SECONDS", 300),
               "--cp-start-delay": c.get("XPORY_SANDBOX_CP_START_DELAY_SECONDS", 0),
               "--exporter-wl-id": c.exporter_wl_id, "--importer-wl-id": c.importer_wl_id,
               "--startup-timeout": c.startup_timeout_seconds}
    return [python, "-m", "sandbox", "up", *[str(x) for pair in options.items() for x in pair], "--passwords-stdin",
            *shlex.split(c.get("XPORY_SANDBOX_UP_ARGS") or "")]


def restart_command(runtime: Path, timeout: float, python: str = sys.executable) -> list[str]:
    return [python, "-m", "sandbox", "restart", "cp", "--runtime", str(runtime), "--timeout", f"{timeout:g}"]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Own process group (Ctrl-C reaches the suite, which stops the launcher), SIGTERM if the suite dies."""
    os.setpgrp()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _running(pid: int) -> bool:
    """The process exists and is not a zombie (exited, not yet waited for by its parent)."""
    try:
        return not Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z")
    except (OSError, IndexError):
        return False


def _tail(path: Path, lines: int = 15) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.is_file() else ""


class EmbeddedStack(StackController):
    name = "sandbox embutido"

    def __init__(self, config: Config, python: str = sys.executable):
        super().__init__(config)
        self.python = python
        # Per run: its own launcher folder (logs, control), so two runs on one machine never collide;
        # XPORY_RUNTIME_DIR itself is the launcher's cache (PKI, database template), shared by runs.
        self.root = config.path("XPORY_RUNTIME_DIR")
        self.runtime = self.root / "runs" / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
        self.logs = self.runtime / "logs"
        self.endpoints_file = self.runtime / "endpoints.json"
        self.launcher_log = self.runtime / "launcher.log"
        self.proc: subprocess.Popen | None = None
        self.endpoints: dict = {}
        self.cold_start_seconds: float | None = None

    def start(self) -> Config:
        started = time.perf_counter()
        c = self.config
        prune_old_runs(self.root / "runs")
        self.runtime.mkdir(parents=True, exist_ok=True)
        self.endpoints_file.unlink(missing_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("XPORY_")}
        env.update(PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
        with open(self.launcher_log, "ab") as log:
            self.proc = subprocess.Popen(up_command(c, self.runtime, self.endpoints_file, self.python),
                                         cwd=str(ROOT), env=env, stdin=subprocess.PIPE, stdout=log,
                                         stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        try:
            self.proc.stdin.write(json.dumps({"bootstrap_password": c.admin_password,
                                              "client_p12_password": c.client_p12_password}).encode())
            self.proc.stdin.close()
            self.endpoints = self._wait_endpoints(c.startup_timeout_seconds + 10)
        except BaseException:
            self.stop()
            raise
        self.cold_start_seconds = time.perf_counter() - started
        return c.with_values(**{setting: self.endpoints[key] for key, setting in SETTING_OF.items()})

    def _wait_endpoints(self, timeout: float) -> dict:
        """Poll (no fixed sleep) for the endpoints file; a launcher that ends first says why."""
        def probe() -> dict | None:
            if self.proc.poll() is not None:
                raise StackError(self._start_failure())
            return json.loads(self.endpoints_file.read_text()) if self.endpoints_file.exists() else None

        try:
            return until(probe, bool, timeout=timeout, describe="o sandbox (python -m sandbox up)",
                         fatal=(StackError,), interval=0.01, max_interval=0.03)
        except WaitTimeout:
            raise StackError(f"O sandbox (python -m sandbox up) não ficou pronto em {timeout:g}s. "
                             f"Log: {self.launcher_log}\n{_tail(self.launcher_log)}") from None

    def _report(self) -> dict:
        try:
            return json.loads((self.runtime / "exit.json").read_text())
        except (OSError, ValueError):
            return {}

    def _start_failure(self) -> str:
        r = self._report()
        if r.get("reason") == "start-failed":
            return (f"O processo {r['process']} do sandbox terminou com código {r['code']} ao iniciar. "
                    f"Log: {r['log']}\n{r.get('log_tail', '')}")
        if r.get("reason") == "start-timeout":
            return (f"{r['what']} do sandbox não ficou pronto em {r['seconds']:g}s. Log: {r['log']}\n"
                    f"{r.get('log_tail', '')}")
        return (f"O sandbox (python -m sandbox up) terminou com código {self.proc.returncode} ao iniciar. "
                f"Log: {self.launcher_log}\n{_tail(self.launcher_log)}")

    def processes(self) -> dict:
        """The launcher's processes now ({name: {"pid", "log"}}, from the endpoints file it keeps current)."""
        try:
            return json.loads(self.endpoints_file.read_text()).get("processes", {})
        except (OSError, ValueError):
            return self.endpoints.get("processes", {})

    def died(self) -> str | None:
        """The sandbox process that ended during the run (named, with its exit code and log tail)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None and all(_running(p["pid"]) for p in self.processes().values()):
            return None
        try:  # a child is gone: the launcher is stopping the rest and will say which, then exit
            self.proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            return None
        r = self._report()
        if r.get("reason") == "process-died":
            return (f"o processo {r['process']} do sandbox terminou durante a execução (código {r['code']}). "
                    f"Log: {r['log']}\n{r.get('log_tail', '')}")
        return (f"o sandbox (python -m sandbox up) terminou durante a execução (código {self.proc.returncode}). "
                f"Log: {self.launcher_log}\n{_tail(self.launcher_log)}")

    def restart_cp(self) -> None:
        """Like `docker compose restart controlplane`: the launcher restarts the CP, returns once healthy."""
        timeout = self.config.cp_restart_timeout_seconds
        command = restart_command(self.runtime, timeout, self.python)
        try:
            with waiting("o restart do CP do sandbox (python -m sandbox restart cp)", timeout):
                done = subprocess.run(command, cwd=str(ROOT), capture_output=True, text=True, timeout=timeout + 10,
                                      stdin=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})
        except subprocess.TimeoutExpired:
            raise StackError(f"'python -m sandbox restart cp' não terminou em {timeout + 10:g}s.") from None
        if done.returncode != 0:
            raise StackError(f"'python -m sandbox restart cp' falhou (código {done.returncode}): "
                             f"{(done.stderr or done.stdout).strip()[-600:]}")

    def stop(self) -> None:
        """SIGTERM to the launcher, which stops everything it started; SIGKILL if it outlives STOP_TIMEOUT."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()  # its children get SIGTERM (PR_SET_PDEATHSIG)
            proc.wait(5)

    def describe(self) -> str:
        return f"{self.name} (logs em {self.logs})"


def prune_old_runs(runs: Path, keep: int = 5) -> None:
    """Remove the folders of older runs whose suite process is gone, keeping the newest `keep`."""
    folders = sorted((p for p in runs.glob("*-*") if p.is_dir()), key=lambda p: p.name)
    for old in folders[:-keep] if len(folders) > keep else []:
        pid = old.name.rsplit("-", 1)[-1]
        if not (pid.isdigit() and Path(f"/proc/{pid}").exists()):
            shutil.rmtree(old, ignore_errors=True)
