"""The one polling helper: call until a condition holds or a deadline passes. No fixed sleeps."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from .progress import waiting

T = TypeVar("T")


class WaitTimeout(AssertionError):
    """The condition did not hold before the deadline; the message carries the last observation."""


def until(probe: Callable[[], T], condition: Callable[[T], bool], *, timeout: float,
          describe: str, interval: float = 0.05, max_interval: float = 0.25,
          fatal: tuple[type[BaseException], ...] = (), expected: float | None = None) -> T:
    """Call `probe()` until `condition(result)` is true; return that result.

    The interval starts short and grows (x1.5) up to `max_interval`; when `expected` is given, the wait
    also wakes at that moment and looks again at the short interval from there (a long interval never
    overshoots the moment the condition should start to hold). Exceptions raised by the probe
    count as "not yet" and are reported if the deadline passes, except those listed in `fatal`,
    which end the wait at once. A wait longer than a few seconds shows `describe` and the time left
    (support/progress.py); `expected`, when known, is when the condition should hold (in seconds).
    """
    with waiting(describe, timeout, expected=expected):
        return _poll(probe, condition, timeout, describe, interval, max_interval, fatal, expected)


def _poll(probe, condition, timeout, describe, interval, max_interval, fatal, expected=None):
    first = interval
    deadline = time.monotonic() + timeout
    expected_at = None if expected is None else time.monotonic() + max(0.0, expected)
    last: object = "nenhuma observação"
    while True:
        try:
            result = probe()
            if condition(result):
                return result
            last = result
        except fatal:
            raise
        except Exception as exc:  # the probe may fail while the system converges
            last = f"{type(exc).__name__}: {exc}"
        now = time.monotonic()
        if now >= deadline:
            raise WaitTimeout(f"{describe}: não aconteceu em {timeout:g}s; última observação: {last!s:.500}")
        pause, interval = min(interval, max(0.0, deadline - now)), min(interval * 1.5, max_interval)
        if expected_at is not None and now < expected_at < now + pause:  # wake when it should hold
            pause, interval = expected_at - now, first
        time.sleep(pause)
