"""tests/sandbox/ports.py: a test stack whose port was taken before its server bound it starts again on new
ports; any other failure is raised at once, and a port that stays taken is raised after the last attempt."""
from __future__ import annotations

import socket

import pytest
from ports import ATTEMPTS, free_port, start_on_free_ports


def _listening(port: int) -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", port))
    sock.listen()
    return sock


def test_a_port_taken_meanwhile_is_picked_again():
    taken = _listening(free_port())  # another process took the port the first attempt picked
    picks = iter([taken.getsockname()[1], free_port()])
    bound: list[socket.socket] = []

    def start():
        sock = socket.socket()
        bound.append(sock)
        sock.bind(("127.0.0.1", next(picks)))  # the real EADDRINUSE on the first attempt
        return sock.getsockname()[1]

    try:
        port = start_on_free_ports(start)
        assert port != taken.getsockname()[1]
    finally:
        taken.close()
        for sock in bound:
            sock.close()
    assert len(bound) == 2  # the first attempt refused, the second bound


def test_another_failure_is_raised_at_once():
    calls = []

    def start():
        calls.append(1)
        raise RuntimeError("the CP exited: bad settings")

    with pytest.raises(RuntimeError, match="bad settings"):
        start_on_free_ports(start)
    assert len(calls) == 1


def test_a_port_that_stays_taken_is_raised_after_the_last_attempt():
    taken = _listening(free_port())
    calls = []

    def start():
        calls.append(1)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", taken.getsockname()[1]))

    try:
        with pytest.raises(OSError, match="already in use"):
            start_on_free_ports(start)
    finally:
        taken.close()
    assert len(calls) == ATTEMPTS
