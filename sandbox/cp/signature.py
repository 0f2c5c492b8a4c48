"""Governance signature (contract §4.6): HMAC-SHA256 over key-sorted canonical JSON, base64.

Canonical form (sandbox choice, see DECISIONS.md): the response object without `signature`,
exactly as a client parses it from the JSON body (dates already `...Z` strings, numbers as
numbers), serialised with sorted keys, `,`/`:` separators and no ASCII escaping, UTF-8.
A WL verifies by parsing the body, dropping `signature` and recomputing.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json

from . import dates, db
from .web import ApiError, to_plain


def canonical(body: dict) -> bytes:
    plain = to_plain({k: v for k, v in body.items() if k != "signature"})
    return json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign(body: dict) -> dict:
    """`{value, algorithm, issuedAt}` for the body."""
    secret = db.settings().governance_secret
    if not secret:
        raise ApiError(500, "Governance signing secret is not configured")
    digest = hmac.new(secret.encode("utf-8"), canonical(body), hashlib.sha256).digest()
    return {"value": base64.b64encode(digest).decode("ascii"), "algorithm": "HMAC-SHA256",
            "issuedAt": dates.iso(dates.now())}


def signed(body: dict) -> dict:
    body = dict(body)
    body["signature"] = sign(body)
    return body


def verify(body: dict, secret: str) -> bool:
    expected = base64.b64encode(hmac.new(secret.encode("utf-8"), canonical(body), hashlib.sha256).digest())
    return hmac.compare_digest(expected.decode("ascii"), str((body.get("signature") or {}).get("value", "")))
