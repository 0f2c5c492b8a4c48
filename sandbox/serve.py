"""Run one or more ASGI listeners (plain HTTP, TLS, or TLS that requires a client certificate)
in one process, stopping all of them cleanly on SIGTERM/SIGINT."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from .settings import Settings

# On SIGTERM a server stops accepting and gives the requests in flight this long to finish (DECISIONS.md).
GRACEFUL_SHUTDOWN_SECONDS = 0.1


@dataclass
class Listener:
    name: str
    app: Any
    port: int
    tls: bool = False
    require_client_cert: bool = False


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signal handling to `serve()` (several servers share a process)."""

    @contextlib.contextmanager
    def capture_signals(self):
        yield


def _config(listener: Listener, settings: Settings) -> uvicorn.Config:
    kwargs: dict[str, Any] = dict(
        host=settings.host,
        port=listener.port,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    if listener.tls:
        for path in (settings.server_cert, settings.server_key, settings.ca_cert):
            if not Path(path).is_file():
                raise FileNotFoundError(
                    f"{listener.name}: TLS file {path} is missing; generate the PKI first "
                    "(the suite does it in before_all, or run `python -m sandbox`)"
                )
        kwargs.update(ssl_certfile=str(settings.server_cert), ssl_keyfile=str(settings.server_key))
        if listener.require_client_cert:
            kwargs.update(ssl_cert_reqs=ssl.CERT_REQUIRED, ssl_ca_certs=str(settings.ca_cert))
    return uvicorn.Config(listener.app, **kwargs)


def serve(listeners: list[Listener], settings: Settings) -> None:
    """Serve every listener until the process is asked to stop."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    servers = [_Server(_config(listener, settings)) for listener in listeners]

    def stop(*_: Any) -> None:
        for server in servers:
            server.should_exit = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    async def main() -> None:
        await asyncio.gather(*(server.serve() for server in servers))

    asyncio.run(main())
