"""Long waits made visible: what the suite waits for and how long is left.

Every wait of the suite goes through `waiting()`: `support.wait.until` (the polling helper) opens one
for each poll, and blocking calls that can take long (the importer's debug import, `docker compose`)
open one around the call. A wait that lasts more than `THRESHOLD` seconds is shown
- on a terminal (stderr is a TTY): as one live line, rewritten in place (carriage return) until the
  wait ends, then replaced by a line saying how long it took;
- elsewhere (CI, a parallel worker's log): as a line when it passes the threshold and then one every
  `CI_INTERVAL` seconds, plus one when it ends;
- in the reports: `drain()` hands the long waits that ended to the hooks, which attach them to the
  step as a note (HTML report and Allure).

The lines go to the process's real stderr (`sys.__stderr__`): behave captures `sys.stderr` during a
step. Their text goes through the run's masker (`support.redaction`). Only the innermost open wait
is shown (the most specific one: "CP admin answering" inside "the CP restart").
"""
from __future__ import annotations

import contextlib
import sys
import threading
import time
from dataclasses import dataclass, field

THRESHOLD = 2.0  # seconds: a shorter wait stays silent
CI_INTERVAL = 10.0  # seconds between the lines of one wait when stderr is not a terminal
TICK = 0.25  # seconds between two renderings of the live line


@dataclass
class Wait:
    what: str
    timeout: float | None
    expected: float | None  # seconds from the start at which the wait should end, when known
    started: float = field(default_factory=time.monotonic)
    shown: bool = False
    last_line: float = 0.0

    def elapsed(self, now: float | None = None) -> float:
        return (now if now is not None else time.monotonic()) - self.started

    def line(self, now: float) -> str:
        elapsed = self.elapsed(now)
        text = f"aguardando {self.what}: {elapsed:.0f} s"
        if self.expected is not None:
            text += f", faltam ~{max(0.0, self.expected - elapsed):.0f} s"
        if self.timeout is not None:
            text += f" (desiste em {max(0.0, self.timeout - elapsed):.0f} s)"
        return text


class Board:
    """The open waits and the thread that renders them."""

    def __init__(self, stream=None):
        self.stream = stream
        self.condition = threading.Condition()
        self.open: list[Wait] = []
        self.ended: list[dict] = []
        self.thread: threading.Thread | None = None

    def out(self):
        return self.stream if self.stream is not None else sys.__stderr__

    def tty(self) -> bool:
        try:
            return bool(self.out().isatty())
        except (AttributeError, ValueError):
            return False

    def write(self, text: str) -> None:
        from .redaction import current_masker

        masker = current_masker()
        try:
            stream = self.out()
            stream.write(masker.text(text) if masker is not None else text)
            stream.flush()
        except (AttributeError, ValueError, OSError):
            pass  # no usable stderr: the wait itself goes on

    def begin(self, wait: Wait) -> None:
        with self.condition:
            self.open.append(wait)
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="xpory-esperas", daemon=True)
                self.thread.start()
            self.condition.notify_all()

    def end(self, wait: Wait, failed: bool) -> None:
        with self.condition:
            if wait in self.open:
                self.open.remove(wait)
            elapsed = wait.elapsed()
            if elapsed >= THRESHOLD:
                self.ended.append({"what": wait.what, "seconds": elapsed, "timeout": wait.timeout,
                                   "expected": wait.expected, "failed": failed})
            if wait.shown:  # the last line stays: what was waited for, and for how long
                outcome = "desistiu" if failed else "pronto"
                self.write(("\r\x1b[2K" if self.tty() else "") + f"… {wait.what}: {outcome} em {elapsed:.1f} s\n")

    def drain(self) -> list[dict]:
        with self.condition:
            ended, self.ended = self.ended, []
            return ended

    def _run(self) -> None:
        while True:
            with self.condition:
                while not self.open:
                    self.condition.wait()
                self._render(self.open[-1], time.monotonic())
                self.condition.wait(TICK)

    def _render(self, wait: Wait, now: float) -> None:
        if wait.elapsed(now) < THRESHOLD:
            return
        first = "" if wait.shown else "\n"  # the console's line may be half written (progress dots)
        if self.tty():
            self.write(first + "\r\x1b[2K⏳ " + wait.line(now))
        elif not wait.shown or now - wait.last_line >= CI_INTERVAL:
            self.write(first + "… " + wait.line(now) + "\n")
            wait.last_line = now
        wait.shown = True


BOARD = Board()


@contextlib.contextmanager
def waiting(what: str, timeout: float | None = None, *, expected: float | None = None, board: Board | None = None):
    """Show `what` while the block runs, once it has taken more than THRESHOLD seconds. `timeout`: the
    block's deadline (shown as the time before giving up); `expected`: when it should end, if known."""
    board = board or BOARD
    wait = Wait(what, timeout, expected)
    board.begin(wait)
    failed = True
    try:
        yield wait
        failed = False
    finally:
        board.end(wait, failed)


def drain() -> list[dict]:
    """The long waits that ended since the last call (for the step's note in the reports)."""
    return BOARD.drain()


def describe(waits: list[dict]) -> str:
    """The note a step gets in the reports: one line per long wait."""
    lines = []
    for wait in waits:
        text = f"- {wait['what']}: {wait['seconds']:.1f} s"
        if wait.get("timeout") is not None:
            text += f" (prazo {wait['timeout']:g} s)"
        if wait.get("failed"):
            text += " — não terminou bem"
        lines.append(text)
    return "Esperas longas neste passo:\n" + "\n".join(lines)
