"""RS256 keys, JWKS and the WL / peer tokens (contract §3.9, §7).

One RSA-2048 key pair per WL, created lazily on first issuance (valid 90 days), stored base64
(DER: PKCS#8 private, SubjectPublicKeyInfo public) in `cp_white_label_keys`. The JWKS lists every
active key. Keys are created and committed in their own transaction, so a WL that verifies a
token right away always finds its `kid` in the JWKS.
"""
from __future__ import annotations

import base64
import threading
import uuid
from datetime import timedelta

from . import dates, db, events
from .web import CERT, ApiError, Req, Routes, json_response, not_found_empty

ROUTES = Routes()

ISSUER = "xpory-control-plane"
PEER_SCOPES = ("offers:sync", "trader:purchase")
KEY_VALIDITY = timedelta(days=90)
TOKEN_CAP_SECONDS = 300
_private_cache: dict[str, object] = {}
_cache_lock = threading.Lock()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _new_key_row(conn, wl_id: str) -> dict:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    now = dates.now()
    row = conn.execute(
        "INSERT INTO cp_white_label_keys (id, version, white_label_id, key_id, algorithm, public_key, private_key,"
        " active, valid_from, valid_until, date_created, last_updated)"
        " VALUES (%s, 0, %s, %s, 'RS256', %s, %s, true, %s, %s, %s, %s) RETURNING *",
        (str(uuid.uuid4()), wl_id, str(uuid.uuid4()), _b64(public), _b64(private), now, now + KEY_VALIDITY,
         now, now)).fetchone()
    with _cache_lock:
        _private_cache[row["key_id"]] = key
    return row


def active_key(wl_id: str) -> dict:
    """The WL's active, unexpired key; created (and committed) when there is none."""
    with db.tx() as conn:
        conn.execute("SELECT 1 FROM cp_white_labels WHERE id = %s FOR UPDATE", (wl_id,))
        row = conn.execute("SELECT * FROM cp_white_label_keys WHERE white_label_id = %s AND active"
                           " ORDER BY valid_from DESC LIMIT 1", (wl_id,)).fetchone()
        if row and row["valid_until"] is not None and row["valid_until"] <= dates.now():
            conn.execute("UPDATE cp_white_label_keys SET active = false, last_updated = %s WHERE id = %s",
                         (dates.now(), row["id"]))
            row = None
        return row or _new_key_row(conn, wl_id)


def _private_key(row: dict):
    with _cache_lock:
        cached = _private_cache.get(row["key_id"])
    if cached is not None:
        return cached
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_der_private_key(base64.b64decode(row["private_key"]), password=None)
    with _cache_lock:
        _private_cache[row["key_id"]] = key
    return key


def _sign(signer_wl: str, claims: dict) -> str:
    import jwt

    key_row = active_key(signer_wl)
    return jwt.encode(claims, _private_key(key_row), algorithm="RS256", headers={"kid": key_row["key_id"]})


def _claims(subject: str, scopes: list[str], ttl: int, **extra) -> dict:
    now = dates.epoch_s(dates.now())
    return {"jti": str(uuid.uuid4()), "iss": ISSUER, "sub": subject, "aud": subject, "scopes": scopes,
            **extra, "iat": now, "exp": now + min(ttl, TOKEN_CAP_SECONDS)}


def _unique(scopes) -> list[str]:
    seen: list[str] = []
    for scope in scopes:
        if scope not in seen:
            seen.append(scope)
    return seen


def wl_token(wl_id: str, scopes: list[str] | None = None) -> str:
    """A WL JWT (sub = aud = wlId = the WL), as `POST /wls/{id}/token` and the CP's own calls use."""
    scopes = _unique([str(s) for s in (scopes or ["policies:read"])])
    return _sign(wl_id, _claims(wl_id, scopes, db.settings().wl_token_ttl_seconds, wlId=wl_id))


class PeerTokenError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def peer_token(importer_id: str, target_id, scopes) -> str:
    """Every check of §7, in order, then the RS256 token signed with the importer's key."""
    if target_id is None or not str(target_id).strip():
        raise PeerTokenError(400, "targetWlId is required")
    target_id = str(target_id).strip()
    with db.tx() as conn:
        importer = conn.execute("SELECT * FROM cp_white_labels WHERE id = %s", (importer_id,)).fetchone()
        if not importer:
            raise PeerTokenError(400, "importerId not found")
        target = conn.execute("SELECT * FROM cp_white_labels WHERE id = %s", (target_id,)).fetchone()
        if not target:
            raise PeerTokenError(400, "targetWlId not found")
        if importer["status"] != "active" or target["status"] != "active":
            raise PeerTokenError(403, "white label is inactive")
        items = scopes if isinstance(scopes, list) else ([] if scopes is None else [scopes])
        clean = sorted({str(s).strip() for s in items if s is not None and str(s).strip()})
        if not clean:
            raise PeerTokenError(400, "scopes are required")
        if any(s not in PEER_SCOPES for s in clean):
            raise PeerTokenError(400, "unsupported scope")
        rel = conn.execute("SELECT status FROM cp_relationships WHERE source_id = %s AND target_id = %s",
                           (target_id, importer_id)).fetchone()
        if not rel or rel["status"] != "active":
            raise PeerTokenError(403, "relationship not active")
    token = _sign(importer_id, _claims(target_id, clean, db.settings().peer_token_ttl_seconds,
                                       wlId=importer_id, targetWlId=target_id))
    with db.tx() as conn:
        events.record(conn, importer_id, "PEER_TOKEN_ISSUED", {"targetWlId": target_id, "scopes": clean})
    return token


@ROUTES.add("POST", "/wls/{id}/token")  # no guard in the real CP
def issue_wl_token(req: Req):
    wl_id = req.path_params["id"]
    if not db.one("SELECT 1 FROM cp_white_labels WHERE id = %s", (wl_id,)):
        raise not_found_empty()
    scopes = req.obj().get("scopes")
    scopes = scopes if isinstance(scopes, list) and scopes else ["policies:read"]
    return json_response({"token": wl_token(wl_id, scopes),
                          "expiresInSeconds": db.settings().wl_token_ttl_seconds}, 201)


@ROUTES.add("POST", "/wls/{importerId}/peer-token")  # client certificate: enforced by the mTLS listener
def issue_peer_token(req: Req):
    if req.listener != "wl":
        # Documented intent (DIVERGENCES.md): only a caller with a verified client certificate may mint
        # peer tokens. The admin listener has none, so `/admin/api/wls/{id}/peer-token` is refused.
        raise ApiError(401, "Client certificate required")
    body = req.obj()
    target = body.get("targetWlId") if body.get("targetWlId") is not None else body.get("target_wl_id")
    try:
        token = peer_token(req.path_params["importerId"], target, body.get("scopes"))
    except PeerTokenError as err:
        raise ApiError(err.status, err.message) from None
    return json_response({"token": token, "expiresInSeconds": db.settings().peer_token_ttl_seconds}, 201)


@ROUTES.add("POST", "/wls/{id}/keys/rotate", CERT)
def rotate(req: Req):
    wl_id = req.path_params["id"]
    with db.tx() as conn:
        if not conn.execute("SELECT 1 FROM cp_white_labels WHERE id = %s FOR UPDATE", (wl_id,)).fetchone():
            raise ApiError(400, "Unknown white label id")
        conn.execute("UPDATE cp_white_label_keys SET active = false, last_updated = %s"
                     " WHERE white_label_id = %s AND active", (dates.now(), wl_id))
        row = _new_key_row(conn, wl_id)
    return json_response({"whiteLabelId": wl_id, "keyId": row["key_id"], "algorithm": row["algorithm"],
                          "validFrom": row["valid_from"], "validUntil": row["valid_until"]}, 201)


def _int_b64url(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@ROUTES.add("GET", "/.well-known/jwks.json")
def jwks(req: Req):
    from cryptography.hazmat.primitives import serialization

    keys = []
    for row in db.all("SELECT key_id, public_key, valid_until FROM cp_white_label_keys WHERE active"
                      " ORDER BY date_created"):
        numbers = serialization.load_der_public_key(base64.b64decode(row["public_key"])).public_numbers()
        key = {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": row["key_id"],
               "n": _int_b64url(numbers.n), "e": _int_b64url(numbers.e)}
        if row["valid_until"] is not None:
            key["exp"] = dates.epoch_s(row["valid_until"])
        keys.append(key)
    return {"keys": keys}
