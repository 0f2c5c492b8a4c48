"""Time helpers. The database holds naive UTC timestamps; the API speaks UTC ISO-8601 with `Z`."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

_OFFSET_RE = re.compile(r"(Z|[+-]\d{2}:?\d{2})$", re.IGNORECASE)


def now() -> datetime:
    """Current UTC time, naive (as stored), microsecond precision."""
    return datetime.now(UTC).replace(tzinfo=None)


def iso(value: datetime | None) -> str | None:
    """`2026-01-07T12:00:00Z` (second precision), as Grails renders dates."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def groovy(value: datetime | None) -> str | None:
    """Groovy JsonOutput's date format (`2026-01-07T12:00:00+0000`), used inside revision payloads."""
    if value is None:
        return None
    return value.strftime("%Y-%m-%dT%H:%M:%S+0000")


def epoch_ms(value: datetime) -> int:
    return int(value.replace(tzinfo=UTC).timestamp() * 1000)


def epoch_s(value: datetime) -> int:
    return int(value.replace(tzinfo=UTC).timestamp())


def from_epoch_ms(ms: float) -> datetime:
    return datetime(1970, 1, 1) + timedelta(milliseconds=ms)


def parse_offset(text: Any) -> datetime | None:
    """An ISO-8601 timestamp WITH an offset (`Z` or `+hh:mm`), as a naive UTC datetime; else None."""
    if not isinstance(text, str) or not _OFFSET_RE.search(text.strip()) or "T" not in text.upper():
        return None
    raw = text.strip()
    if raw[-1] in "zZ":
        raw = raw[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(UTC).replace(tzinfo=None)


def parse_instant(text: Any) -> datetime | None:
    """Java `Instant.parse`: ISO-8601 ending with `Z` only."""
    if not isinstance(text, str) or not text.strip().upper().endswith("Z"):
        return None
    return parse_offset(text)


def parse_flexible(value: Any) -> datetime | None:
    """Epoch milliseconds (number or digit string) or ISO-8601 with offset; None when neither."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        try:
            return from_epoch_ms(value)
        except (OverflowError, ValueError):
            return None
    if isinstance(value, str):
        raw = value.strip()
        if re.fullmatch(r"-?\d+", raw):
            try:
                return from_epoch_ms(int(raw))
            except (OverflowError, ValueError):
                return None
        return parse_offset(raw)
    return None
