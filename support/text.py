"""Text comparison for business texts: tolerant of accents, case and spacing, so the runbook's
unaccented spelling ("O preco desta oferta…") and the accented one match alike."""
from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", plain).strip().casefold()


def same_words(actual: str, expected: str) -> bool:
    return fold(actual) == fold(expected)


def contains_words(actual: str, expected: str) -> bool:
    return fold(expected) in fold(actual)


def accent_insensitive_pattern(expected: str) -> re.Pattern:
    """A regex matching `expected` with or without accents (for Playwright's get_by_text)."""
    out = []
    # char by char, stripping only combining accents (NFD): fold()'s compatibility forms (NFKD, casefold)
    # would turn "…" into "...", "º" into "o" and "ß" into "ss", which the page does not contain
    for ch in re.sub(r"\s+", " ", expected or "").strip():
        if ch == " ":
            out.append(r"\s+")
            continue
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c)).lower()
        if base in _ACCENTED:
            out.append("[" + "".join(re.escape(v) for v in sorted({base, *_ACCENTED[base]})) + "]")
        else:
            out.append(re.escape(ch))
    return re.compile("".join(out), re.IGNORECASE)


_ACCENTED = {"a": "áàâãä", "e": "éèêë", "i": "íìîï", "o": "óòôõö", "u": "úùûü", "c": "ç", "n": "ñ"}
