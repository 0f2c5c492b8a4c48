"""Genuine tokens the CP issues, used where they do not belong: a peer token minted for another WL (its
audience) or in another WL's name (its `wlId`), a WL token where only a peer token counts, a peer token
where only the CP's own token counts, and a peer token after its own validity.

Unlike the forged tokens of support/security.py, the CP signs all of these (contract cp.md §3.9, §7): the
WL cannot refuse them for the signature, so each refusal proves the one check it names — whose token it
is, what kind of token, or until when it is valid.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import httpx
import jwt

from .expect import expect
from .session import Session
from .wait import until

# How long past a token's own `exp` a WL may still take it (clock skew between the CP and the WLs, or the
# WL's leeway): the suite waits that much at most before calling an accepted expired token a failure. The WL
# design documents a clock skew of up to 60 s between nodes (contracts/wl.md, purchase confirmation), so a WL
# that tolerates that much is still right; a WL that refuses at `exp` ends the wait at once.
EXPIRY_SLACK_SECONDS = 65.0
# Past `exp`, how often at most the call is repeated until the WL refuses it: the refusal is seen at most this
# late after the WL's leeway ends (one cheap call each time; at most ~260 calls over the whole slack).
REFUSAL_POLL_SECONDS = 0.25


@dataclass(frozen=True)
class Minted:
    token: str
    requester: str   # wlId: the WL that asked for it
    target: str      # targetWlId / aud: the WL it was minted for
    scopes: tuple[str, ...]

    @property
    def claims(self) -> dict:
        return claims(self.token)


def claims(token: str) -> dict:
    """The claims of a CP token, read without checking the signature (the WLs check it)."""
    return jwt.decode(token, options={"verify_signature": False})


def peer_token(session: Session, requester: str, target: str, scopes: tuple[str, ...]) -> Minted:
    """A peer token `requester` → `target`, minted by the CP over mTLS (POST /wls/{requester}/peer-token)."""
    body = expect(session.cp_peer.peer_token(requester, target, scopes), 201, session,
                  f"peer token de {requester} para {target} (mTLS)")
    if not body.get("token"):
        raise AssertionError("o CP respondeu 201 sem token")
    return Minted(body["token"], requester, target, tuple(scopes))


def importer_to_exporter(session: Session, scopes: tuple[str, ...]) -> Minted:
    c = session.config
    return peer_token(session, c.importer_wl_id, c.exporter_wl_id, scopes)


def exporter_to_importer(session: Session, scopes: tuple[str, ...]) -> Minted:
    """What the exporter asks the CP for when it calls the importer back (a token *for the importer*)."""
    c = session.config
    return peer_token(session, c.exporter_wl_id, c.importer_wl_id, scopes)


def wl_token(session: Session, wl_id: str, scopes: tuple[str, ...] = ("policies:read",)) -> str:
    """A WL token (POST /wls/{id}/token: sub = aud = wlId = the WL, no targetWlId; cp.md §3.9), the kind the
    CP signs its own calls to a WL with."""
    body = expect(session.cp_peer.wl_token(wl_id, scopes), 201, session, f"token de WL de {wl_id}")
    if not body.get("token"):
        raise AssertionError("o CP respondeu 201 sem token")
    return body["token"]


def seconds_left(token: str) -> float:
    """Seconds until the token's own `exp` (negative once past it), by this machine's clock."""
    return float(claims(token)["exp"]) - time.time()


def refused_once_expired(token: str, call, what: str) -> httpx.Response:
    """Call `call()` (one WL request with `token`) until it is refused with 401, after the token's own
    validity; returns the refusal. Fails when the WL still takes the token EXPIRY_SLACK_SECONDS past its
    `exp`, or refuses it before `exp` (the scenario's control call, served, comes first)."""
    started = time.time()
    left = max(0.0, seconds_left(token))
    refused_at, response = until(lambda: (time.time(), call()), lambda seen: seen[1].status_code == 401,
                                 timeout=left + EXPIRY_SLACK_SECONDS, expected=left, interval=0.1,
                                 max_interval=REFUSAL_POLL_SECONDS, describe=f"{what} recusar o peer token vencido")
    if refused_at < started + left:
        raise AssertionError(f"{what} recusou o peer token {started + left - refused_at:.1f} s antes de ele vencer")
    return response
