"""Validation of a relationship's export_policy (contract §4.2).

The policy is stored verbatim; validation only decides whether the new value replaces the old one.
Inner keys are snake_case; camelCase list keys are not validated (stored as given).
"""
from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from . import dates

_BOOLEANS = ("enabled", "include_domestic", "include_under_budget")
_LISTS = ("include_categories", "exclude_categories", "entity_allowlist", "entity_blocklist")

KEEP = object()   # leave the stored policy unchanged
CLEAR = None      # store NULL


def problems(policy: dict) -> list[str]:
    """Why the policy is invalid (empty list: valid)."""
    found = []
    for key in _BOOLEANS:
        if key in policy and policy[key] is not None and not isinstance(policy[key], bool):
            found.append(f"{key} must be a boolean")
    for key in _LISTS:
        if key in policy and policy[key] is not None:
            value = policy[key]
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                found.append(f"{key} must be an array of non-blank strings")
    created = policy.get("min_created_at", policy.get("minCreatedAt"))
    if created is not None and dates.parse_instant(created) is None:
        found.append("min_created_at must be an ISO-8601 instant ending with Z")
    bounds = {}
    for name, keys in (("price_min", ("price_min", "priceMin")), ("price_max", ("price_max", "priceMax"))):
        raw = next((policy[k] for k in keys if policy.get(k) is not None), None)
        if raw is None:
            continue
        try:
            if isinstance(raw, bool):
                raise InvalidOperation
            bounds[name] = Decimal(str(raw))
        except (InvalidOperation, ValueError):
            found.append(f"{name} must be numeric")
    if len(bounds) == 2 and bounds["price_min"] > bounds["price_max"]:
        found.append("price_min must be <= price_max")
    return found


def resolve(raw):
    """What a PUT's `export_policy` value does: KEEP, CLEAR, or the JSON text to store.

    Raises ValueError for a string that is not JSON at all (the real CP answers 500 then).
    """
    if raw is None:
        return CLEAR
    if isinstance(raw, str):
        if not raw.strip():
            return KEEP
        parsed = json.loads(raw)  # ValueError bubbles up
        if not isinstance(parsed, dict):
            return KEEP
        raw = parsed
    if not isinstance(raw, dict):
        return KEEP
    if problems(raw):
        return KEEP  # silently ignored (a WARN in the real CP)
    return json.dumps(raw, ensure_ascii=False)
