"""Checks of CP-issued JWTs: signature against the JWKS (by `kid`) and the claims."""
from __future__ import annotations

import json
from dataclasses import dataclass

import jwt
from jwt.algorithms import RSAAlgorithm


@dataclass
class VerifiedToken:
    header: dict
    claims: dict


def verify_with_jwks(token: str, jwks: dict, audience: str) -> VerifiedToken:
    """Verify an RS256 token with the JWKS key whose `kid` matches its header; return header and claims."""
    header = jwt.get_unverified_header(token)
    keys = {k.get("kid"): k for k in jwks.get("keys", [])}
    kid = header.get("kid")
    if kid not in keys:
        raise AssertionError(f"o kid {kid!r} do token não está no JWKS (kids publicados: {sorted(keys)})")
    public_key = RSAAlgorithm.from_jwk(json.dumps(keys[kid]))
    claims = jwt.decode(token, public_key, algorithms=["RS256"], audience=audience,
                        options={"require": ["exp", "iat", "sub", "aud"]})
    return VerifiedToken(header=header, claims=claims)
