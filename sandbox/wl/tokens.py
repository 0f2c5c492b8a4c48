"""Verification of the CP-signed JWTs a WL node receives.

* peer token (importer -> exporter, minted by `POST /wls/{importerId}/peer-token`): RS256, header `kid`
  of a key in the CP JWKS, `exp`; `sub`/`aud` = target WL, `wlId` = requesting WL, `scopes`.
* CP service JWT (CP -> WL calls): RS256 like above with `aud` = `wlId` = this WL.

Any failure is `Invalid Control Plane token` (401); a valid token without the needed scope is 403.
"""
from __future__ import annotations

import json

from .errors import ApiError

INVALID = "Invalid Control Plane token"


def bearer(request) -> str:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer ") or not header[7:].strip():
        raise ApiError(401, INVALID, detail="missing bearer token")
    return header[7:].strip()


def decode(token: str, jwks_source) -> dict:
    """Verify signature (by kid against the JWKS) and exp; returns the claims."""
    import jwt  # imported on first use: keeps process start fast
    from jwt.algorithms import RSAAlgorithm

    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise ApiError(401, INVALID, detail="malformed token") from None
    if header.get("alg") != "RS256":
        raise ApiError(401, INVALID, detail="unsupported algorithm")
    kid = header.get("kid")
    keys = jwks_source(False)
    if kid not in keys:
        keys = jwks_source(True)
    if kid not in keys:
        raise ApiError(401, INVALID, detail="unknown key id")
    try:
        key = RSAAlgorithm.from_jwk(json.dumps(keys[kid]))
        return jwt.decode(token, key=key, algorithms=["RS256"], options={"verify_aud": False, "require": ["exp"]},
                          leeway=5)
    except jwt.ExpiredSignatureError:
        raise ApiError(401, INVALID, detail="token expired") from None
    except jwt.PyJWTError as exc:
        raise ApiError(401, INVALID, detail=f"token rejected: {type(exc).__name__}") from None


def _aud(claims: dict) -> list:
    aud = claims.get("aud")
    return aud if isinstance(aud, list) else [aud]


def peer_claims(request, state, *, scope: str | None = None, audience_self: bool = True,
                wl_self: bool = False) -> dict:
    """A peer token. audience_self: aud must be this WL (exporter endpoints);
    wl_self: wlId must be this WL (the importer's debug import, called with its own peer token)."""
    claims = decode(bearer(request), state.cp.jwks)
    own = state.cfg.wl_id
    if audience_self and own not in _aud(claims):
        raise ApiError(401, INVALID, detail="token audience is not this white label")
    if wl_self and claims.get("wlId") != own:
        raise ApiError(401, INVALID, detail="token wlId is not this white label")
    if scope is not None:
        scopes = claims.get("scopes") or []
        if isinstance(scopes, str):
            scopes = scopes.split()
        if scope not in scopes:
            raise ApiError(403, f"Missing scope {scope}", scopes=scopes)
    return claims


def cp_claims(request, state) -> dict:
    """A CP service JWT for this WL (aud = wlId = own id)."""
    claims = decode(bearer(request), state.cp.jwks)
    own = state.cfg.wl_id
    if own not in _aud(claims) or claims.get("wlId") != own:
        raise ApiError(401, INVALID, detail="token is not addressed to this white label")
    return claims
