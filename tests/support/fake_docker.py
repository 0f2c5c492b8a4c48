"""A `docker` executable for the tests, put first on PATH: the suite's real code paths (subprocess,
PATH lookup, arguments, stdin, exit codes, output parsing) run unchanged, against this small engine.

What it knows (state in a JSON file, every call appended to calls.jsonl):
- `docker compose ps -q controlplane` → the CP container id (empty: no container);
- `docker compose ps -a --format ...` → the `services` lines ("<service> <state> <status>");
- `docker inspect --format '{{.State.StartedAt}} {{.State.Running}}' <id>`;
- `docker compose restart controlplane` → a new StartedAt (unless `restart_changes` is false);
- `docker compose [-f file] up -d` → nothing;
- `docker exec -i [-e NAME]... <container> psql <args>` → the real `psql` with those args against the
  PostgreSQL at `pg_host`/`pg_port`, with only the `-e` variables of the caller's environment (the
  containers listed in `db_containers`; others: "No such container");
- `docker context inspect --format '{{.Endpoints.docker.Host}}'` → `endpoint`.
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

SCRIPT = r'''#!{python}
import datetime, json, os, subprocess, sys
state_file = os.environ["FAKE_DOCKER_STATE"]
state = json.load(open(state_file))
args = sys.argv[1:]
with open(os.path.join(os.path.dirname(state_file), "calls.jsonl"), "a") as log:
    log.write(json.dumps(args) + "\n")

def save():
    json.dump(state, open(state_file, "w"))

def fail(message, code=1):
    sys.stderr.write(message + "\n")
    sys.exit(code)

if args[:1] == ["compose"]:
    rest = args[1:]
    while rest[:1] == ["-f"]:
        rest = rest[2:]
    if rest == ["ps", "-q", "controlplane"]:
        print(state["cp_container"])
    elif rest[:3] == ["ps", "-a", "--format"]:
        print("\n".join(state["services"]))
    elif rest == ["restart", "controlplane"]:
        if state.get("restart_exit"):
            fail("Error response from daemon: restart failed", state["restart_exit"])
        if state.get("restart_changes", True):
            state["started_at"] = datetime.datetime.now(datetime.timezone.utc).isoformat()
            save()
        sys.stderr.write(" Container xpory-cp  Restarting\n Container xpory-cp  Started\n")
    elif rest == ["up", "-d"]:
        pass
    else:
        fail("fake docker: unknown compose command " + " ".join(rest))
elif args[:2] == ["inspect", "--format"] and len(args) == 4:
    if args[3] != state["cp_container"]:
        fail("Error: No such object: " + args[3])
    print(args[2].replace("{{.State.StartedAt}}", state["started_at"])
                 .replace("{{.State.Running}}", "true" if state.get("running", True) else "false"))
elif args[:2] == ["context", "inspect"]:
    print(state["endpoint"])
elif args[:2] == ["exec", "-i"]:
    rest, passed = args[2:], {}
    while rest[:1] == ["-e"]:  # -e NAME: NAME's value from this (the client's) environment
        passed[rest[1]] = os.environ.get(rest[1], "")
        rest = rest[2:]
    if rest[1:2] != ["psql"]:
        fail("fake docker: only psql runs in a container here")
    if rest[0] not in state["db_containers"]:
        fail("Error response from daemon: No such container: " + rest[0])
    env = {"PATH": os.environ["PATH"], "PGHOST": state["pg_host"], "PGPORT": str(state["pg_port"]), **passed}
    sys.exit(subprocess.run([state["psql"], *rest[2:]], env=env).returncode)
else:
    fail("fake docker: unknown command " + " ".join(args))
'''


@dataclass
class FakeDocker:
    folder: Path

    @property
    def state_file(self) -> Path:
        return self.folder / "state.json"

    @property
    def state(self) -> dict:
        return json.loads(self.state_file.read_text())

    def set(self, **values) -> None:
        self.state_file.write_text(json.dumps({**self.state, **values}))

    def calls(self) -> list[list[str]]:
        path = self.folder / "calls.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def install(folder: Path, monkeypatch, **state) -> FakeDocker:
    """Write the fake `docker` into `folder/bin`, put it first on PATH for this test, return its handle."""
    bin_dir = folder / "bin"
    bin_dir.mkdir(parents=True)
    executable = bin_dir / "docker"
    executable.write_text(SCRIPT.replace("{python}", sys.executable, 1))
    executable.chmod(0o755)
    fake = FakeDocker(folder)
    defaults = {"cp_container": "0f3c9a1e2b7d", "started_at": "2026-01-06T12:00:00.000000000Z", "running": True,
                "endpoint": "unix:///var/run/docker.sock", "db_containers": [], "pg_host": "127.0.0.1",
                "pg_port": 5432, "psql": "psql",
                "services": ["controlplane running Up 2 hours", "postgres running Up 2 hours"]}
    fake.state_file.write_text(json.dumps({**defaults, **state}))
    monkeypatch.setenv("FAKE_DOCKER_STATE", str(fake.state_file))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    return fake
