"""`python -m sandbox`: the sandbox's command line.

    python -m sandbox [up] [--runtime DIR] [--cache DIR] [--endpoints FILE] [timings, ids, ...]
        the whole stack; prints its endpoints, writes them to FILE once healthy, supervises it until
        SIGTERM/SIGINT (Ctrl-C). Plain `python -m sandbox` is `up` in the foreground for a person.
    python -m sandbox restart cp --runtime DIR [--timeout S]
        asks the launcher running in DIR to restart the CP; returns (0) once the CP is healthy again.

See sandbox/README.md ("Launcher") for the endpoints file and the exit codes.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from . import launcher
from .personality import NAMES

SHOWN = ("cp_admin_api", "admin_ui_url", "cp_url", "exporter_url", "importer_url", "storefront_url",
         "cp_dsn", "exporter_dsn", "importer_dsn", "ca_file", "client_p12", "client_cert", "client_key",
         "hold_ttl_seconds", "peer_token_ttl_seconds", "relationship_poll_seconds", "logs_dir")


def _positive(kind):
    def parse(text: str):
        value = kind(text)
        if value < 0:
            raise argparse.ArgumentTypeError(f"{text!r} is negative")
        return value
    return parse


def _up_arguments(parser: argparse.ArgumentParser) -> None:
    d = launcher.Options(runtime=Path("."), cache=Path("."))
    default_root = launcher.ROOT / ".xpory"
    parser.add_argument("--runtime", type=Path, default=None,
                        help="this launch's folder: logs/, run/, control/, exit.json (must not be in use); "
                             f"default {default_root}/runs/<time>-<pid>")
    parser.add_argument("--cache", type=Path, default=None,
                        help="what launches share: pki/ and the seeded PostgreSQL template pg-template/ "
                             f"(default {default_root})")
    parser.add_argument("--endpoints", type=Path, default=None,
                        help="write the endpoints (JSON) here once every process is healthy (atomically)")
    parser.add_argument("--hold-ttl", dest="hold_ttl_seconds", type=_positive(float), default=d.hold_ttl_seconds,
                        help="seconds a preflight hold lives on the exporter (default: the real stack's 90)")
    parser.add_argument("--peer-token-ttl", dest="peer_token_ttl_seconds", type=_positive(int),
                        default=d.peer_token_ttl_seconds, help="seconds a CP peer token lives (default 300)")
    parser.add_argument("--relationship-poll", dest="relationship_poll_seconds", type=_positive(float),
                        default=d.relationship_poll_seconds,
                        help="seconds between the exporter's pulls of its relationships from the CP (default 180)")
    parser.add_argument("--cp-start-delay", dest="cp_start_delay_seconds", type=_positive(float),
                        default=d.cp_start_delay_seconds,
                        help="seconds the CP takes to boot before it listens, at every start and restart "
                             "(simulates a Grails CP running Liquibase; default 0)")
    parser.add_argument("--variante", dest="variant", choices=NAMES, default=d.variant,
                        help="the sandbox's personality (sandbox/personality.py): a, as always; b, every guess of the "
                             "stack map different (profile embutido-b)")
    parser.add_argument("--exporter-wl-id", default=d.exporter_wl_id)
    parser.add_argument("--importer-wl-id", default=d.importer_wl_id)
    parser.add_argument("--bcrypt-rounds", type=_positive(int), default=d.bcrypt_rounds)
    parser.add_argument("--startup-timeout", dest="startup_timeout_seconds", type=_positive(float),
                        default=d.startup_timeout_seconds, help="seconds each start (and restart) may take")
    parser.add_argument("--passwords-stdin", action="store_true",
                        help='read {"bootstrap_password": ..., "client_p12_password": ...} (JSON) from stdin, '
                             "so they never show in the process list (default: changeit)")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m sandbox", description="The embedded XporY stack.")
    commands = root.add_subparsers(dest="command")
    _up_arguments(commands.add_parser("up", help="start the whole stack and supervise it"))
    restart = commands.add_parser("restart", help="restart a process of the running launcher")
    restart.add_argument("process", choices=("cp",))
    restart.add_argument("--runtime", type=Path, required=True, help="the running launcher's --runtime")
    restart.add_argument("--timeout", type=_positive(float), default=60.0)
    return root


def options(args: argparse.Namespace) -> launcher.Options:
    root = launcher.ROOT / ".xpory"
    runtime = args.runtime or root / "runs" / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    fields = {name: getattr(args, name) for name in (
        "hold_ttl_seconds", "peer_token_ttl_seconds", "relationship_poll_seconds", "cp_start_delay_seconds",
        "exporter_wl_id",
        "importer_wl_id", "bcrypt_rounds", "startup_timeout_seconds", "variant")}
    if args.passwords_stdin:
        given = json.loads(sys.stdin.read() or "{}")
        fields.update({k: str(given[k]) for k in ("bootstrap_password", "client_p12_password") if given.get(k)})
    return launcher.Options(runtime=runtime, cache=args.cache or root, endpoints=args.endpoints, **fields)


def announce(endpoints: dict) -> None:
    print(f"XporY sandbox up in {endpoints['cold_start_seconds']:.2f}s (pid {endpoints['launcher_pid']}; "
          "SIGTERM or Ctrl-C stops it)")
    for key in SHOWN:
        print(f"  {key:<26} {endpoints[key]}")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0].startswith("-"):
        argv = ["up", *argv]  # plain `python -m sandbox`: up, in the foreground
    args = parser().parse_args(argv)
    if args.command == "restart":
        ok, said = launcher.request_restart(args.runtime.resolve(), args.process, args.timeout)
        print(said, file=sys.stdout if ok else sys.stderr)
        return 0 if ok else 1
    return launcher.run(options(args), announce=announce)


if __name__ == "__main__":
    sys.exit(main())
