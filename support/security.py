"""What the security scenarios do to the stack: admin calls with no token, a forged token or a TRADER's
token; peer tokens the CP never issued (signed by the suite, expired, tampered with) sent to the importer;
peer tokens without the purchase scope sent to the exporter.

Forged tokens are made here, with keys the suite generates on the spot: the suite never knows the CP's
signing keys (nor the admin JWT secret). A token the CP cannot have issued is therefore refused for its
signature, whatever else is wrong with it — the scenarios say so in their own words.
"""
from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import dataclass

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from . import wl_shapes, wl_sql
from .http import describe
from .reset.runbook_steps import peer_token
from .session import Session

# --- admin API ------------------------------------------------------------------------------------
ADMIN_PROBE_PATH = "/trades/pending"


def forged_admin_token(session: Session) -> str:
    """An admin JWT shaped like the CP's (HS256, userId/role MASTER, valid `exp`) signed with a secret
    the suite invents."""
    now = int(time.time())
    claims = {"jti": str(uuid.uuid4()), "sub": str(uuid.uuid4()), "userId": str(uuid.uuid4()),
              "email": session.config.admin_email, "role": "MASTER", "iat": now, "exp": now + 3600}
    token = jwt.encode(claims, f"segredo-inventado-{uuid.uuid4()}", algorithm="HS256")
    session.masker.add(token)
    return token


def admin_call(session: Session, credential: str, path: str = ADMIN_PROBE_PATH) -> httpx.Response:
    """GET an admin route with: "sem token", "token forjado", or "token do MASTER"."""
    if credential == "sem token":
        return session.cp_admin.call("GET", path, auth=False)
    if credential == "token forjado":
        return session.cp_admin.call("GET", path, token=forged_admin_token(session))
    if credential == "token do MASTER":
        return session.cp_admin.call("GET", path)
    raise ValueError(f"credencial desconhecida: {credential!r}")


def credentials(session: Session, role: str) -> tuple[str, str]:
    """The profile's bootstrap user of `role` (MASTER, TRADER, MANAGER): (email, password)."""
    prefix = {"MASTER": "admin", "TRADER": "trader", "MANAGER": "manager"}[role]
    c = session.config  # read only the role asked for: XPORY_MANAGER_* is optional
    return c[f"XPORY_{prefix.upper()}_EMAIL"], c[f"XPORY_{prefix.upper()}_PASSWORD"]


def logged_in(session: Session, role: str):
    """An admin API client logged in as the bootstrap user of `role`."""
    client = session.admin_client(*credentials(session, role))
    client.login()
    return client


def _from(base_url: str, response: httpx.Response) -> bool:
    return str(response.request.url).startswith(base_url.rstrip("/") + "/")


def error_of(session: Session, response: httpx.Response) -> str | None:
    """The error message of a refusal: the CP's `{"error": ...}` (contract cp.md §0.2), or a WL's by the
    key the stack map gives (support.wl_shapes.wl_error)."""
    c = session.config
    for side, base in (("exporter", c.exporter_url), ("importer", c.importer_url)):
        if _from(base, response):
            return wl_shapes.wl_error(session, response, side)
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("error") if isinstance(body, dict) else None


# --- peer tokens the CP never issued ----------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class ForgedPeerToken:
    token: str
    kind: str


def forge_peer_token(session: Session, genuine: str, kind: str) -> ForgedPeerToken:
    """From a genuine peer token, one the CP never issued:

    - "assinado por outra chave": same header (the CP's real `kid`) and claims, signed with an RSA key
      the suite generates;
    - "vencido": the same, with `iat`/`exp` an hour in the past (the CP will not issue an expired token,
      so the suite signs it: the importer may refuse it for the signature or for the expiry);
    - "adulterado": the genuine header and signature, claims changed (`exp` one day later).
    """
    header = jwt.get_unverified_header(genuine)
    claims = jwt.decode(genuine, options={"verify_signature": False})
    if kind == "adulterado":
        head, _, signature = genuine.split(".")
        claims["exp"] = int(claims.get("exp", time.time())) + 86400
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        token = f"{head}.{payload}.{signature}"
    elif kind in ("assinado por outra chave", "vencido"):
        if kind == "vencido":
            now = int(time.time())
            claims.update(iat=now - 7200, exp=now - 3600)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": header.get("kid")})
    else:
        raise ValueError(f"tipo de token forjado desconhecido: {kind!r}")
    session.masker.add(token)
    return ForgedPeerToken(token, kind)


def real_peer_token(session: Session, scopes: tuple[str, ...]) -> str:
    """A peer token (importer -> exporter) minted by the CP over mTLS."""
    return peer_token(session, scopes=scopes)


def imported_offer_count(session: Session) -> int:
    session.stack_map.require("wl.importer.imported_offer.table")
    return int(session.db.importer.scalar("SELECT count(*) AS n FROM imported_offer"))


def debug_import_with(session: Session, token: str) -> httpx.Response:
    """The importer's debug import with `token`; its refusal is then read by the map's error key (so the
    scenario needs it: declared here, where the WL's answer is produced)."""
    session.stack_map.require("wl.importer.error.key")
    return session.importer.debug_import(token)


# --- the exporter's purchase endpoints ----------------------------------------------------------------
PURCHASE_ACTIONS = ("listar as compras pendentes", "fazer o preflight de uma compra")


def exporter_purchase_call(session: Session, action: str, token: str) -> httpx.Response:
    """A purchase call at the exporter; its refusal is read by the map's error key (declared here)."""
    c = session.config
    session.stack_map.require("wl.exporter.error.key")
    if action == "listar as compras pendentes":
        return session.exporter.pending_purchases(token)
    if action == "fazer o preflight de uma compra":
        offer = wl_sql.first_active_offer(session)
        if offer is None:
            raise AssertionError("o exportador não tem oferta ativa para o preflight")
        return session.exporter.preflight(token, wl_shapes.preflight_request(
            session, origin_offer_id=offer, quantity=1, requester_wl_id=c.importer_wl_id))
    raise ValueError(f"ação desconhecida: {action!r}")


def purchase_data_in(session: Session, response: httpx.Response) -> list[str]:
    """What a refusal of the exporter's purchase endpoints carries that it must not (a list, a hold)."""
    try:
        body = response.json()
    except ValueError:
        return []
    return wl_shapes.refused_without_data(session, body)


def expect_refusal(session: Session, response: httpx.Response, status: int, error: str | None, what: str) -> None:
    """The response has `status` and (when given) the JSON error `error`; the failure carries the call."""
    got = error_of(session, response)
    if response.status_code != status or (error is not None and got != error):
        wanted = f"HTTP {status}" + (f' {{"error": "{error}"}}' if error is not None else "")
        raise AssertionError(f"{what}: esperava {wanted}, veio {describe(response, session.masker)}")
