"""`python -m sandbox`: the whole embedded XporY stack in the foreground, for exploring by hand.

It uses the same process orchestration as the suite's embedded profile (support/stack/embedded.py),
prints the URLs, the database DSNs and the certificate files, and stops everything on Ctrl-C.
"""
from __future__ import annotations

import signal
import sys
import threading


def main() -> int:
    from support import config as suite_config
    from support.errors import SuiteSetupError
    from support.stack.embedded import EmbeddedStack

    try:
        cfg = suite_config.load("embutido")
        stack = EmbeddedStack(cfg)
        resolved = stack.start()
    except SuiteSetupError as exc:
        print(f"O sandbox não subiu: {exc}", file=sys.stderr)
        return 2
    print(f"Sandbox XporY no ar em {stack.cold_start_seconds:.2f}s (Ctrl-C para parar)")
    for name in ("XPORY_CP_ADMIN_API", "XPORY_ADMIN_UI_URL", "XPORY_CP_URL", "XPORY_EXPORTER_URL",
                 "XPORY_IMPORTER_URL", "XPORY_STOREFRONT_URL", "XPORY_CP_DSN", "XPORY_EXPORTER_DSN",
                 "XPORY_IMPORTER_DSN", "XPORY_CA_FILE", "XPORY_CLIENT_P12"):
        print(f"  {name}={resolved[name]}")
    print(f"  logs: {stack.logs}")
    done = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: done.set())
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    while not done.wait(0.5):
        dead = [part for part, proc in stack.procs.items() if proc.poll() is not None]
        if dead:
            print(f"Processo(s) do sandbox terminaram: {', '.join(dead)}; veja {stack.logs}", file=sys.stderr)
            break
    stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
