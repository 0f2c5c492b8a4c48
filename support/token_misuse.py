"""Genuine credentials used where they do not belong (issue 12, item 3; issue 14, first gap): each is a
token the real CP signs, so a WL cannot refuse it for its signature — the refusal proves the one check
the scenario names:

- a WL token (`POST /wls/{id}/token`, unguarded as in the real CP) where only a peer token counts: its
  kind (cp.md §3.9; sandbox/DIVERGENCES.md #17);
- the MASTER's admin JWT (HS256, the admin API's own) where only a CP-signed RS256 token counts: its kind;
- a peer token the exporter minted for the importer (`aud` = `targetWlId` = the importer, `wlId` = the
  exporter): at the exporter, whose token it is (audience); at the importer's debug import, in whose name
  it was minted (`wlId`);
- a peer token of the right kind without the endpoint's scope;
- a peer token past its own `exp` (support.peer_tokens.refused_once_expired).
"""
from __future__ import annotations

from collections.abc import Callable

import httpx

from . import peer_tokens, security
from .expect import expect
from .session import Session

WL_TOKEN_PURCHASE = 'o token de WL do importador, emitido pelo CP com o escopo "trader:purchase"'
WL_TOKEN_SYNC = 'o token de WL do importador, emitido pelo CP com o escopo "offers:sync"'
ADMIN_TOKEN = "o token de admin do MASTER"
FOR_THE_IMPORTER = "um peer token verdadeiro que o exportador pediu ao CP para chamar o importador"
CREDENTIALS = (WL_TOKEN_PURCHASE, WL_TOKEN_SYNC, ADMIN_TOKEN, FOR_THE_IMPORTER)
BOTH_SCOPES = ("offers:sync", "trader:purchase")


def admin_token(session: Session) -> str:
    """The MASTER's admin JWT, from a login of its own (the client's kept token is untouched)."""
    c = session.config
    body = expect(session.cp_admin.login(c.admin_email, c.admin_password), 200, session, "login do MASTER")
    if not body.get("token"):
        raise AssertionError("o login do MASTER respondeu 200 sem token")
    session.masker.add(body["token"])
    return body["token"]


def credential(session: Session, phrase: str) -> str:
    """The genuine token a credential phrase names (CREDENTIALS)."""
    c = session.config
    if phrase == WL_TOKEN_PURCHASE:
        token = peer_tokens.wl_token(session, c.importer_wl_id, ("trader:purchase",))
    elif phrase == WL_TOKEN_SYNC:
        token = peer_tokens.wl_token(session, c.importer_wl_id, ("offers:sync",))
    elif phrase == ADMIN_TOKEN:
        token = admin_token(session)
    elif phrase == FOR_THE_IMPORTER:
        token = peer_tokens.exporter_to_importer(session, BOTH_SCOPES).token
    else:
        raise ValueError(f"credencial desconhecida: {phrase!r}; use uma destas: {', '.join(CREDENTIALS)}")
    session.masker.add(token)
    return token


# --- a genuine peer token past its validity ------------------------------------------------------------
EXPIRY_CALLS = ("listar as compras pendentes no exportador", "importar as ofertas do exportador pelo debug import")


def expiry_call(session: Session, where: str, token: str) -> Callable[[], httpx.Response]:
    """One call at `where` (EXPIRY_CALLS) with `token`, repeatable."""
    if where == EXPIRY_CALLS[0]:
        session.stack_map.require("wl.exporter.error.key")
        return lambda: session.exporter.pending_purchases(token)
    if where == EXPIRY_CALLS[1]:
        return lambda: security.debug_import_with(session, token)
    raise ValueError(f"chamada desconhecida: {where!r}; use uma destas: {', '.join(EXPIRY_CALLS)}")


def served_while_valid(session: Session, token: str, call: Callable[[], httpx.Response], what: str) -> None:
    """The control: the same call, sent while the token is still valid, is served (200). A WL checks the token
    when the request arrives, so a long call (the debug import) may end after `exp`: what counts is that it
    was sent before."""
    left = peer_tokens.seconds_left(token)
    if left <= 0:
        raise AssertionError(f"{what}: o peer token venceu ({-left:.1f} s) antes de a chamada de controle sair; "
                             "assim o cenário não prova nada (a stack está lenta demais para a validade do token)")
    expect(call(), 200, session, f"{what} com o peer token ainda válido (faltavam {left:.1f} s)")
