"""Free loopback ports for the test stacks, and starting a stack again when one was taken meanwhile.

A port picked free (bound to port 0 and released) is bound by its server only later, after PostgreSQL
starts; meanwhile another process can take it (another stack, the local end of an outgoing connection).
The launcher starts such a part again (sandbox/DECISIONS.md, "Ports"); these fixtures start the whole stack
again, on new ports."""
from __future__ import annotations

import socket
import traceback

ATTEMPTS = 3
TAKEN = "already in use"  # EADDRINUSE in Python ("Address already in use"), uvicorn's log and PostgreSQL's


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_on_free_ports(start):
    """`start()` (which picks its own free ports and cleans up when it fails); again, at most ATTEMPTS times in
    all, while it fails saying that a port was already in use."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return start()
        except Exception as exc:
            if attempt == ATTEMPTS or TAKEN not in "".join(traceback.format_exception(exc)).lower():
                raise
