"""Groovy-style coercions of request values, as the real controllers apply them (contract §3.1, §3.6)."""
from __future__ import annotations

from .web import ApiError

TRUE_WORDS = ("true", "1", "yes", "on")


def truthy(value) -> bool:
    """Groovy truth (used at registration: the string "false" is true)."""
    if value is None:
        return False
    if isinstance(value, (bool, int, float)):
        return bool(value)
    return len(value) > 0 if isinstance(value, (str, list, dict)) else True


def as_bool(value) -> bool:
    """PUT coercion: true for true/"true"/"1"/"yes"/"on", anything else false."""
    if isinstance(value, bool):
        return value
    return value is not None and str(value).strip().lower() in TRUE_WORDS


def int_or_400(value, default: int | None) -> int | None:
    """`value as Integer`: a non-numeric string answers 400 with the NumberFormatException message."""
    if value is None:
        return default
    if isinstance(value, bool):
        raise ApiError(400, f'For input string: "{str(value).lower()}"')
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        raise ApiError(400, f'For input string: "{value}"') from None
