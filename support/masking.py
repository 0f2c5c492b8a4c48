"""Masking of secrets in anything the suite writes: logs, reports, failure messages."""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

MASK = "***"
_SECRET_KEYS = re.compile(r"(pass(word)?|token|secret|authorization|p12|private|jwt|cookie)", re.I)
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")


class Masker:
    """Replaces known secret values, JWTs and bearer credentials with ***."""

    def __init__(self, secrets: Iterable[str] = ()):
        self._secrets: set[str] = set()
        self.add(*secrets)

    def add(self, *secrets: str | None) -> None:
        for secret in secrets:
            if secret and len(str(secret)) >= 4:
                self._secrets.add(str(secret))

    def text(self, value: Any) -> str:
        out = value if isinstance(value, str) else str(value)
        out = _JWT.sub(MASK, out)
        out = _BEARER.sub(lambda m: m.group(1) + MASK, out)
        for secret in sorted(self._secrets, key=len, reverse=True):
            out = out.replace(secret, MASK)
        return out

    def data(self, value: Any) -> Any:
        """A masked copy of a JSON-like structure: secret-looking keys lose their values."""
        if isinstance(value, dict):
            return {k: (MASK if _SECRET_KEYS.search(str(k)) and v not in (None, "") else self.data(v))
                    for k, v in value.items()}
        if isinstance(value, list):
            return [self.data(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value

    def body(self, raw: bytes | str | None, limit: int = 2000) -> str:
        """A masked, truncated rendering of an HTTP body (JSON bodies are masked key by key)."""
        if raw is None:
            return ""
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        try:
            text = json.dumps(self.data(json.loads(text)), ensure_ascii=False)
        except (ValueError, TypeError):
            text = self.text(text)
            text = re.sub(r"(?i)((?:password|token|senha)=)[^&\s]+", r"\1" + MASK, text)
        return text if len(text) <= limit else text[:limit] + f"… (+{len(text) - limit} caracteres)"
