"""Text helpers of the page objects: patterns for Playwright's `get_by_text`/`get_by_role(name=…)`
that tolerate accents (the runbook writes "O preco desta oferta…", the pages may write "preço"), and
the readers of what a screen shows (numbers, the count at the end of a checklist item, placeholders).
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ..text import accent_insensitive_pattern

# what a screen shows instead of a missing value
PLACEHOLDERS = ("-", "—", "–")


def pattern(expected: str, *, exact: bool = False) -> re.Pattern:
    """`expected` with or without accents, any case and spacing; `exact` = the whole text, no more."""
    inner = accent_insensitive_pattern(expected)
    if not exact:
        return inner
    return re.compile(r"^\s*" + inner.pattern + r"\s*$", inner.flags)


def starting_with(expected: str) -> re.Pattern:
    """A name that starts with `expected` (e.g. a checkbox "Alimentação 61" from "Alimentação")."""
    inner = accent_insensitive_pattern(expected)
    return re.compile(r"^\s*" + inner.pattern + r"(?:\s|$)", inner.flags)


def accent_insensitive_prefix(expected: str) -> re.Pattern:
    """A text that starts with `expected` ("Carregando…" from "Carregando")."""
    inner = accent_insensitive_pattern(expected)
    return re.compile(r"^\s*" + inner.pattern, inner.flags)


def with_count(expected: str) -> re.Pattern:
    """A name made of `expected` and a count at its end: "Alimentação 61" (group 1 = the count)."""
    inner = accent_insensitive_pattern(expected)
    return re.compile(r"^\s*" + inner.pattern + r"\s+(\d+)\s*$", inner.flags)


def is_placeholder(text: str | None) -> bool:
    """A value cell that holds no value: empty, "-", "—" or "–"."""
    return (text or "").strip() in ("", *PLACEHOLDERS)


def number(text: str) -> Decimal:
    """The number a screen shows: "860.16", "1.234,56", "X$ 1.234,56", "-12.5", "61".

    With both separators the last one is the decimal mark; a lone comma is the decimal mark (pt-BR);
    a lone dot is the decimal mark (the Admin UI shows `toFixed(2)`). Raises ValueError when the
    text holds no number (e.g. "—").
    """
    raw = (text or "").strip()
    match = re.search(r"-?\d[\d.,]*", raw.replace("\u2212", "-"))
    if not match:
        raise ValueError(f"não há número em {text!r}")
    digits = match.group(0).rstrip(".,")
    if "," in digits and "." in digits:
        decimal_mark = "," if digits.rfind(",") > digits.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        digits = digits.replace(thousands, "").replace(decimal_mark, ".")
    elif "," in digits:
        digits = digits.replace(".", "").replace(",", ".") if digits.count(",") == 1 else digits.replace(",", "")
    elif digits.count(".") > 1:
        digits = digits.replace(".", "")
    try:
        return Decimal(digits)
    except InvalidOperation:
        raise ValueError(f"número ilegível em {text!r}") from None


def trailing_count(text: str) -> int:
    """The count at the end of an item like "Alimentação 61" (ValueError when there is none)."""
    match = re.search(r"(\d+)\s*$", (text or "").strip())
    if not match:
        raise ValueError(f"o item {text!r} não termina com uma contagem")
    return int(match.group(1))
