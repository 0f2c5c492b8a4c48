"""How much later than the shown validity a hold may live (support.wl_shapes.resolution), and the wait that
uses it (support.preflight.wait_hold_expiry): the unit of the last digit shown, a whole second when the
answer shows no fraction of a second."""
from __future__ import annotations

import datetime as dt
import time
from types import SimpleNamespace

import pytest

from support import preflight
from support.wl_shapes import Hold, resolution


@pytest.mark.parametrize(("value", "style", "expected"), [
    ("2026-12-04T02:46:00Z", "iso", 1.0),
    ("2026-12-04T02:46:00.000Z", "iso", 1.0),        # zeros: maybe cut to the second
    ("2026-12-04T02:46:00.123Z", "iso", 0.001),
    ("2026-12-04T02:46:00.5+00:00", "iso", 0.1),
    ("2026-12-04T02:46:00.123456", "iso", 0.000001),
    (1733280360000, "epoch_ms", 1.0),                # a multiple of 1000: maybe seconds written in ms
    (1733280360123, "epoch_ms", 0.001),
    (1733280360, "epoch_s", 1.0),
    (1733280360.25, "epoch_s", 0.001),
])
def test_the_resolution_is_the_last_digit_shown_or_a_whole_second(value, style, expected):
    assert resolution(value, style) == pytest.approx(expected)


SESSION = SimpleNamespace(config=SimpleNamespace(hold_ttl_seconds=2.0))  # what the wait reads of a session


def _hold(expires_in: float, resolution_s: float) -> Hold:
    return Hold("h", None, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=expires_in), {}, resolution_s)


@pytest.mark.parametrize("resolution_s", [0.001, 0.3])
def test_the_wait_ends_once_the_shown_validity_plus_its_resolution_has_passed(resolution_s):
    hold = _hold(0.2, resolution_s)
    preflight.wait_hold_expiry(SESSION, hold)
    now = dt.datetime.now(dt.UTC)
    assert now > hold.expires_at + dt.timedelta(seconds=resolution_s)
    assert now < hold.expires_at + dt.timedelta(seconds=resolution_s + 0.25)  # not a second later


def test_a_validity_with_no_fraction_waits_the_whole_second_past_it():
    started = time.monotonic()
    hold = _hold(0.0, 1.0)
    preflight.wait_hold_expiry(SESSION, hold)
    assert time.monotonic() - started >= 0.99
