"""`python -m sandbox.wl exporter|importer`: serve one WL node (importer: API + storefront)."""
from __future__ import annotations

import sys

from ..serve import Listener, serve
from ..settings import Settings, SettingsError


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in ("exporter", "importer"):
        print("usage: python -m sandbox.wl exporter|importer", file=sys.stderr)
        return 2
    role = argv[0]
    try:
        settings = Settings.from_env()
        from ..db import wait_until_ready
        from .app import build

        wait_until_ready(settings)
        state, api, front = build(role, settings)
    except SettingsError as exc:
        print(f"sandbox.wl: {exc}", file=sys.stderr)
        return 2
    port = settings.exporter_port if role == "exporter" else settings.importer_port
    listeners = [Listener(f"wl-{role}", api, port)]
    if front is not None:
        listeners.append(Listener("storefront", front, settings.storefront_port))
    state.start()
    try:
        serve(listeners, settings)
    finally:
        state.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
