"""Checks of the CP's trade details: no placeholder where a value should be."""
from __future__ import annotations

PLACEHOLDERS = {"-", "—", "–", "", "N/A", "null", "None"}
REQUIRED = (("offerName",), ("importer", "clientName"), ("importer", "clientPhone"),
            ("exporter", "clientName"), ("exporter", "clientPhone"))


def placeholders(details: dict) -> list[str]:
    """The required fields (offer, buyer, seller) that are missing or hold a placeholder."""
    bad = []
    for path in REQUIRED:
        value = details
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if value is None or str(value).strip() in PLACEHOLDERS:
            bad.append(".".join(path) + f"={value!r}")
    return bad
