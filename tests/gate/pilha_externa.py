"""A running embedded sandbox for the gate tests that reach it as an external stack (profile `externo`),
with a CP restart command, until the sandbox's own launcher (`python -m sandbox up` / `restart cp`) is
on main; then the tests use that and this file goes.

    python tests/gate/pilha_externa.py servir <pasta>     start the sandbox, write <pasta>/stack.env, serve restarts
    python tests/gate/pilha_externa.py reiniciar <pasta>  restart its CP; returns once it is healthy

The restart is asked for through files in <pasta> (a request id in pedido.txt, the same id in feito.txt
when done), so the command returns only after the CP is back.
"""
from __future__ import annotations

import os
import signal
import sys
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from support import config as config_module  # noqa: E402
from support.stack.embedded import EmbeddedStack  # noqa: E402
from support.wait import until  # noqa: E402

SHOWN = ("XPORY_CP_ADMIN_API", "XPORY_CP_URL", "XPORY_ADMIN_UI_URL", "XPORY_EXPORTER_URL", "XPORY_IMPORTER_URL",
         "XPORY_STOREFRONT_URL", "XPORY_CA_FILE", "XPORY_CLIENT_P12", "XPORY_CP_DSN", "XPORY_EXPORTER_DSN",
         "XPORY_IMPORTER_DSN", "XPORY_EXPORTER_GATEWAY_URL", "XPORY_IMPORTER_GATEWAY_URL", "XPORY_EXPORTER_WL_ID",
         "XPORY_IMPORTER_WL_ID", "XPORY_HOLD_TTL_SECONDS")


def serve(folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    stack = EmbeddedStack(config_module.load("embutido"))
    resolved = stack.start()
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    (folder / "stack.env").write_text("".join(f"{name}={resolved[name]}\n" for name in SHOWN), encoding="utf-8")
    request, done = folder / "pedido.txt", folder / "feito.txt"
    try:
        while not stopping:
            try:
                until(lambda: request.exists() or bool(stopping), bool, timeout=3600, describe="um pedido de restart",
                      interval=0.05, max_interval=0.1)
            except AssertionError:
                continue
            if stopping:
                break
            wanted = request.read_text(encoding="utf-8").strip()
            request.unlink()
            stack.restart_cp()
            done.write_text(wanted, encoding="utf-8")
    finally:
        stack.stop()
    return 0


def restart(folder: Path) -> int:
    wanted = str(uuid.uuid4())
    (folder / "pedido.tmp").write_text(wanted, encoding="utf-8")
    os.replace(folder / "pedido.tmp", folder / "pedido.txt")
    done = folder / "feito.txt"
    until(lambda: done.exists() and done.read_text(encoding="utf-8").strip() == wanted, bool, timeout=120,
          describe="o CP do sandbox reiniciar", interval=0.05, max_interval=0.2)
    return 0


if __name__ == "__main__":
    action, where = sys.argv[1], Path(sys.argv[2])
    sys.exit(serve(where) if action == "servir" else restart(where))
