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
    for ch in fold(expected):
        if ch == " ":
            out.append(r"\s+")
            continue
        variants = {ch} | {c for c in _ACCENTED.get(ch, "")}
        out.append("[" + "".join(re.escape(v) for v in sorted(variants)) + "]" if len(variants) > 1 else re.escape(ch))
    return re.compile("".join(out), re.IGNORECASE)


_ACCENTED = {"a": "áàâãä", "e": "éèêë", "i": "íìîï", "o": "óòôõö", "u": "úùûü", "c": "ç", "n": "ñ"}
