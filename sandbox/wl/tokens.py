"""Verification of the CP-signed JWTs a WL node receives.

* peer token (importer -> exporter, minted by `POST /wls/{importerId}/peer-token`): RS256, header `kid`
  of a key in the CP JWKS, `exp`; `sub`/`aud` = target WL, `wlId` = requesting WL, `scopes`.
* CP service JWT (CP -> WL calls, the same shape as `POST /wls/{id}/token`): RS256 like above with
  `sub` = `aud` = `wlId` = this WL, no `targetWlId`.

Each endpoint accepts one kind only: a WL token is not a peer token (it would let anyone who can call the
unguarded `POST /wls/{id}/token` hold stock without the peer token's client certificate), and the reverse.
Any failure is `Invalid Control Plane token` (401); the right kind of token without the endpoint's scope is
403 `Missing scope <scope>`.
"""
from __future__ import annotations

import json

from .errors import ApiError

INVALID = "Invalid Control Plane token"
LEEWAY_SECONDS = 0  # clock skew allowed on `exp`: none, the CP and the WLs share one clock in the sandbox


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
                          leeway=LEEWAY_SECONDS)
    except jwt.ExpiredSignatureError:
        raise ApiError(401, INVALID, detail="token expired") from None
    except jwt.PyJWTError as exc:
        raise ApiError(401, INVALID, detail=f"token rejected: {type(exc).__name__}") from None


def _aud(claims: dict) -> list:
    aud = claims.get("aud")
    return aud if isinstance(aud, list) else [aud]


def is_peer_token(claims: dict) -> bool:
    """A peer token (`POST /wls/{importerId}/peer-token`): `targetWlId` = `sub` = `aud` = the exporter, and
    `wlId` = the requesting WL, another one. A WL token (`POST /wls/{id}/token`, and the CP's own calls) has
    `sub` = `aud` = `wlId` and no `targetWlId`; an admin token is HS256 and never gets past `decode`."""
    target, requester = claims.get("targetWlId"), claims.get("wlId")
    return isinstance(target, str) and bool(target) and isinstance(requester, str) and bool(requester) \
        and requester != target and target in _aud(claims) and claims.get("sub") == target


def _scopes(claims: dict) -> list:
    scopes = claims.get("scopes") or []
    return scopes.split() if isinstance(scopes, str) else scopes if isinstance(scopes, list) else []


def require_scope(claims: dict, scope: str) -> None:
    if scope not in _scopes(claims):
        raise ApiError(403, f"Missing scope {scope}", scopes=_scopes(claims))


def peer_claims(request, state, *, scope: str, audience_self: bool = True, wl_self: bool = False) -> dict:
    """A peer token with `scope`. audience_self: minted for this WL as the target (aud = targetWlId = own id:
    the exporter's endpoints, the importer's decision callback); wl_self: minted by this WL (wlId = own id:
    the importer's debug import, called with the token it holds for the exporter)."""
    claims = decode(bearer(request), state.cp.jwks)
    own = state.cfg.wl_id
    if not is_peer_token(claims):
        raise ApiError(401, INVALID, detail="not a peer token (WL and admin tokens are not accepted here)")
    if audience_self and claims["targetWlId"] != own:
        raise ApiError(401, INVALID, detail="token audience is not this white label")
    if wl_self and claims["wlId"] != own:
        raise ApiError(401, INVALID, detail="token wlId is not this white label")
    require_scope(claims, scope)
    return claims


def cp_claims(request, state, scope: str = "policies:read") -> dict:
    """The CP's JWT for this WL (a WL token: aud = sub = wlId = own id, as the CP signs its own calls)."""
    claims = decode(bearer(request), state.cp.jwks)
    own = state.cfg.wl_id
    if is_peer_token(claims) or own not in _aud(claims) or claims.get("wlId") != own or claims.get("sub") != own:
        raise ApiError(401, INVALID, detail="token is not the Control Plane's token for this white label")
    require_scope(claims, scope)
    return claims
