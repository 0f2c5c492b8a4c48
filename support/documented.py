"""Documentation carried by dataclass fields, for the state classes (`World`, `ResetState`):

    peer_token: str | None = field(default=None, metadata=doc("the peer token minted over mTLS"))

The text lives in the field's metadata (`doc`), so a test fails on any field declared without one
(`undocumented`), and a reader finds each fact's type and meaning in one place.
"""
from __future__ import annotations

from dataclasses import Field, fields


def doc(text: str) -> dict[str, str]:
    """The metadata of a documented field."""
    return {"doc": text}


def doc_of(item: Field) -> str:
    return str(item.metadata.get("doc", "")).strip()


def undocumented(cls: type) -> list[str]:
    """The names of `cls`'s fields declared without a documentation text."""
    return [item.name for item in fields(cls) if not doc_of(item)]
