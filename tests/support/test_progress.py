"""support.progress: a long wait shows what it waits for and the time left — a live line on a terminal,
periodic lines elsewhere — and becomes the step's note; a short one stays silent. The waits are real
(support.wait.until against the clock), with the threshold lowered so the test stays short."""
from __future__ import annotations

import io
import time

import pytest

from support import progress, redaction
from support.masking import Masker
from support.wait import WaitTimeout, until


class Stream(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.fixture
def board(monkeypatch):
    def make(tty: bool) -> progress.Board:
        board = progress.Board(Stream(tty))
        monkeypatch.setattr(progress, "BOARD", board)
        return board

    monkeypatch.setattr(progress, "THRESHOLD", 0.15)
    monkeypatch.setattr(progress, "CI_INTERVAL", 0.2)
    monkeypatch.setattr(progress, "TICK", 0.03)
    return make


def wait_for(seconds: float, what: str = "o relógio andar", timeout: float = 10.0, **kwargs):
    end = time.monotonic() + seconds
    return until(time.monotonic, lambda now: now >= end, timeout=timeout, describe=what, **kwargs)


def test_on_a_terminal_one_live_line_says_what_and_the_time_left(board):
    board = board(tty=True)
    wait_for(0.5, "o hold expirar", expected=0.5)
    out = board.stream.getvalue()
    assert "\r\x1b[2K⏳ aguardando o hold expirar: " in out
    assert "faltam ~" in out and "(desiste em " in out
    assert out.count("\n") == 2  # one opening the line, one closing it; the updates rewrite it in place
    assert out.rstrip("\n").rsplit("\r\x1b[2K", 1)[-1].startswith("… o hold expirar: pronto em ")


def test_elsewhere_periodic_lines_and_an_end_line(board):
    board = board(tty=False)
    wait_for(0.6, "o exportador puxar o relacionamento")
    lines = [line for line in board.stream.getvalue().splitlines() if line]
    assert "\r" not in board.stream.getvalue()
    progress_lines = [line for line in lines if line.startswith("… aguardando o exportador puxar o relacionamento: ")]
    assert len(progress_lines) >= 2  # the first past the threshold, then one every CI_INTERVAL
    assert all("(desiste em " in line for line in progress_lines)
    assert lines[-1].startswith("… o exportador puxar o relacionamento: pronto em ")


def test_a_short_wait_is_silent_and_no_note(board):
    board = board(tty=False)
    wait_for(0.02, "algo rápido")
    assert board.stream.getvalue() == ""
    assert progress.drain() == []


def test_the_long_wait_becomes_the_steps_note(board):
    board(tty=False)
    wait_for(0.3, "o CP reiniciar", timeout=7)
    waits = progress.drain()
    assert [w["what"] for w in waits] == ["o CP reiniciar"] and waits[0]["seconds"] >= 0.3
    note = progress.describe(waits)
    assert note.startswith("Esperas longas neste passo:\n- o CP reiniciar: ")
    assert note.endswith("(prazo 7 s)")
    assert progress.drain() == []  # drained once


def test_a_wait_that_gives_up_says_so(board):
    board = board(tty=False)
    with pytest.raises(WaitTimeout):
        until(lambda: False, bool, timeout=0.3, describe="algo que não chega")
    assert "… algo que não chega: desistiu em " in board.stream.getvalue()
    assert progress.drain()[0]["failed"] is True
    assert "não terminou bem" in progress.describe([{"what": "x", "seconds": 1.0, "timeout": None, "failed": True}])


def test_a_blocking_call_is_shown_too_and_only_the_innermost_wait(board):
    board = board(tty=False)
    with progress.waiting("o debug import do importador", 60):
        wait_for(0.4, "o importador responder")
    out = board.stream.getvalue()
    assert "aguardando o importador responder" in out
    assert "debug import" not in out  # hidden behind the inner wait, and ended with it
    assert [w["what"] for w in progress.drain()] == ["o importador responder", "o debug import do importador"]


def test_the_lines_are_masked(board, monkeypatch):
    board = board(tty=False)
    monkeypatch.setitem(redaction._state, "masker", Masker(["segredo-da-espera"]))
    wait_for(0.3, "o login com segredo-da-espera")
    assert "segredo-da-espera" not in board.stream.getvalue() and "o login com ***" in board.stream.getvalue()
