"""support/wait.py: the one polling helper (no fixed sleeps, a hard deadline)."""
from __future__ import annotations

import time

import pytest

from support import wait
from support.errors import StackError
from support.wait import WaitTimeout, until


class Probe:
    """Answers the given values in turn (an Exception instance is raised), then repeats the last."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = 0

    def __call__(self):
        self.calls += 1
        answer = self.answers[min(self.calls, len(self.answers)) - 1]
        if isinstance(answer, BaseException):
            raise answer
        return answer


def test_returns_the_first_result_that_satisfies_the_condition():
    probe = Probe(503, 503, 200, 201)
    assert until(probe, lambda s: s < 300, timeout=5, describe="CP", interval=0.001) == 200
    assert probe.calls == 3


def test_returns_at_once_without_sleeping_when_already_true(monkeypatch):
    monkeypatch.setattr(wait.time, "sleep", lambda s: pytest.fail("slept although the condition held"))
    assert until(lambda: "ok", bool, timeout=5, describe="x") == "ok"


def test_timeout_carries_the_description_and_the_last_observation():
    probe = Probe({"status": "PENDING", "n": 1}, {"status": "PENDING", "n": 2})
    with pytest.raises(WaitTimeout) as info:
        until(probe, lambda v: v["status"] == "DONE", timeout=0.2, describe="trade aprovado", interval=0.01)
    message = str(info.value)
    assert message.startswith("trade aprovado: não aconteceu em 0.2s")
    assert "'n': 2" in message  # the LAST observation, not the first
    assert isinstance(info.value, AssertionError)  # a failed check, reported as such by behave


def test_probe_exceptions_count_as_not_yet_and_are_reported():
    probe = Probe(ConnectionError("refused"), ConnectionError("refused"), "up")
    assert until(probe, lambda v: v == "up", timeout=5, describe="x", interval=0.001) == "up"
    with pytest.raises(WaitTimeout, match="última observação: ValueError: boom"):
        until(Probe(ValueError("boom")), bool, timeout=0.1, describe="x", interval=0.01)


def test_condition_exceptions_count_as_not_yet():
    probe = Probe({}, {"total": 3})
    assert until(probe, lambda v: v["total"] == 3, timeout=5, describe="x", interval=0.001) == {"total": 3}


def test_fatal_exceptions_end_the_wait_at_once():
    probe = Probe(StackError("the CP process died"), "never")
    started = time.monotonic()
    with pytest.raises(StackError, match="the CP process died"):
        until(probe, bool, timeout=10, describe="x", fatal=(StackError,))
    assert probe.calls == 1
    assert time.monotonic() - started < 0.5


def test_long_observations_are_cut():
    with pytest.raises(WaitTimeout) as info:
        until(lambda: "z" * 5000, lambda v: False, timeout=0.05, describe="x", interval=0.01)
    assert len(str(info.value)) < 700


@pytest.mark.parametrize(("timeout", "interval", "max_interval"), [(0.3, 0.05, 1.0), (0.4, 5.0, 10.0), (0.25, 0.2, 0.2)])
def test_never_sleeps_past_the_deadline(timeout, interval, max_interval):
    started = time.monotonic()
    with pytest.raises(WaitTimeout):
        until(lambda: False, bool, timeout=timeout, describe="x", interval=interval, max_interval=max_interval)
    elapsed = time.monotonic() - started
    assert timeout <= elapsed < timeout + 1.0  # far below the 5-10 s sleeps it must not take; the fake clock test is exact


def test_interval_grows_up_to_max_interval(monkeypatch):
    sleeps: list[float] = []
    clock = [0.0]

    def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock[0] += seconds

    monkeypatch.setattr(wait.time, "sleep", fake_sleep)
    monkeypatch.setattr(wait.time, "monotonic", lambda: clock[0])
    with pytest.raises(WaitTimeout):
        until(lambda: False, bool, timeout=3.0, describe="x", interval=0.1, max_interval=0.5)
    assert sleeps[:5] == pytest.approx([0.1, 0.15, 0.225, 0.3375, 0.5])
    assert max(sleeps) == pytest.approx(0.5)
    assert sum(sleeps) == pytest.approx(3.0)  # the last sleep is cut to end exactly at the deadline


def test_zero_timeout_probes_once():
    probe = Probe(False)
    with pytest.raises(WaitTimeout):
        until(probe, bool, timeout=0, describe="x")
    assert probe.calls == 1


def test_a_long_interval_does_not_overshoot_the_expected_moment():
    """With `expected`, the wait wakes when the condition should start to hold and looks again soon after,
    instead of sleeping a whole long interval past it."""
    started = time.monotonic()
    holds_at = started + 0.3
    seen = until(time.monotonic, lambda now: now >= holds_at, timeout=5, describe="x", interval=0.25,
                 max_interval=2.0, expected=0.3)
    assert seen - holds_at < 0.2  # without `expected`: the sleeps are 0.25 then 0.375 s, so ≈ 0.33 s late


def test_without_expected_the_interval_grows_as_before(monkeypatch):
    pauses = []
    monkeypatch.setattr(wait.time, "sleep", pauses.append)
    with pytest.raises(WaitTimeout):
        until(lambda: False, bool, timeout=0.0001, describe="x", interval=0.1, max_interval=0.2)
    probe = Probe(False, False, False, True)
    until(probe, bool, timeout=60, describe="x", interval=0.1, max_interval=0.2)
    assert pauses[-3:] == [0.1, pytest.approx(0.15), 0.2]
