"""The interface every stack controller offers, and the shared health check."""
from __future__ import annotations

import ssl
from typing import Any
from urllib.parse import urlparse

import httpx
import jwt

from ..config import Config
from ..errors import StackError
from ..wait import WaitTimeout, until


class CannotInThisProfile(StackError):
    """The operation does not exist for this stack (e.g. restarting the CP of an external stack)."""


class StackController:
    name = "stack"

    def __init__(self, config: Config):
        self.config = config

    def start(self) -> Config:
        """Bring the stack up (or check it); return the config with every endpoint filled."""
        raise NotImplementedError

    def restart_cp(self) -> None:
        raise CannotInThisProfile(
            f"O perfil {self.config.perfil} (XPORY_STACK={self.config.stack}) não sabe reiniciar o CP. "
            "Defina XPORY_CP_RESTART_COMMAND com o comando que reinicia o CP dessa stack (exemplo: "
            "XPORY_CP_RESTART_COMMAND=docker compose -f /srv/xpory-trader/docker-compose.yml restart controlplane), "
            "ou use XPORY_STACK=compose/embedded."
        )

    def stop(self) -> None:
        """Stop what start() started (nothing for an external stack)."""

    def died(self) -> str | None:
        """A message naming the stack process that is no longer running, or None (all up, or unknown)."""
        return None

    def describe(self) -> str:
        return self.name


JWKS_PATH = "/.well-known/jwks.json"


def answers_http(url: str, *, verify: ssl.SSLContext | bool, timeout: float) -> int:
    """The HTTP status the URL answers with (any status means the service is up)."""
    with httpx.Client(verify=verify, timeout=min(timeout, 5.0)) as client:
        return client.get(url).status_code


def jwks_problem(response: httpx.Response) -> str | None:
    """Why `response` is not the CP's JWKS (None when it is): HTTP 200 with a JSON `keys` array whose
    entries are all usable public keys (PyJWT reads them). The array may be empty: the CP's JWKS is
    empty right after a reset, until the first token is issued (contract cp.md §3.9). Any other answer
    (a proxy's 404 while the CP container restarts, a login page, a 401) is not a healthy CP."""
    if response.status_code != 200:
        return f"HTTP {response.status_code} em vez do JWKS"
    try:
        body = response.json()
    except ValueError:
        return f"HTTP 200 sem JSON ({response.headers.get('content-type', 'sem content-type')})"
    keys = body.get("keys") if isinstance(body, dict) else None
    if not isinstance(keys, list):
        return "HTTP 200 com JSON sem o array 'keys' de um JWKS"
    for key in keys:
        try:
            jwt.PyJWK(key)
        except (jwt.exceptions.PyJWTError, KeyError, TypeError, ValueError) as exc:
            kid = key.get("kid") if isinstance(key, dict) else None
            return f"JWKS com chave inválida (kid {kid!r}): {type(exc).__name__}: {exc}"[:300]
    return None


def answers_jwks(url: str, *, verify: ssl.SSLContext | bool, timeout: float) -> tuple[int, str | None]:
    """The status `url` answers with, and None when the answer is a JWKS (else what it is instead)."""
    with httpx.Client(verify=verify, timeout=min(timeout, 5.0)) as client:
        response = client.get(url)
    return response.status_code, jwks_problem(response)


_CLIENT_CERT_REFUSED = ("alert", "certificate", "disconnected", "eof", "reset")


def _hint(detail: str, client_certificate: bool) -> str:
    lowered = detail.lower()
    if "certificate_verify_failed" in lowered:
        return "o certificado do servidor não é da CA configurada (XPORY_CA_FILE)"
    if "refused" in lowered:
        return "nada escuta nesse endereço: a stack está no ar? a URL está certa?"
    if client_certificate and any(m in lowered for m in _CLIENT_CERT_REFUSED):
        return "o servidor recusou o certificado cliente (XPORY_CLIENT_P12 de outra CA?)"
    if "certificate" in lowered or "alert" in lowered:
        return "o servidor recusou o certificado cliente (XPORY_CLIENT_P12)"
    return "a stack está no ar?"


def wait_until_answers(label: str, setting: str, url: str, *, verify: Any, timeout: float,
                       alive: Any = None, wait_for_start: bool = True, client_certificate: bool = False) -> None:
    """Poll until `url` answers HTTP (a JWKS URL: with a JWKS); fail with one message naming the service and the setting.

    A server certificate the profile's CA does not sign ends the wait at once (waiting will not fix
    it). With `wait_for_start=False` (a stack that should already be up), so do a refused connection
    (nothing listens there, and nothing the suite does will start it) and, when `client_certificate`
    (the call presents XPORY_CLIENT_P12), a server that aborts the TLS connection.

    A JWKS URL (path ending in /.well-known/jwks.json) must answer with a JWKS (`jwks_problem`), not
    merely with some status; anything else is "not yet" while the stack starts, and a failure at once
    when it should already be up.
    """
    expects_jwks = urlparse(url).path.endswith(JWKS_PATH)

    def fail(detail: str, waited: str) -> StackError:
        return StackError(f"{label} {waited} em {url} ({setting}): {_hint(detail, client_certificate)}. "
                          f"Última tentativa: {detail[:300]}")

    def probe() -> int | str | None:
        if alive is not None:
            alive()
        try:
            if not expects_jwks:
                return answers_http(url, verify=verify, timeout=timeout)
            status, problem = answers_jwks(url, verify=verify, timeout=timeout)
        except httpx.TransportError as exc:
            detail = f"{type(exc).__name__}: {exc}"
            lowered = detail.lower()
            settled = "certificate_verify_failed" in lowered or (not wait_for_start and (
                "refused" in lowered or (client_certificate and any(m in lowered for m in _CLIENT_CERT_REFUSED))))
            if settled:
                raise fail(detail, "não respondeu") from None
            raise
        if problem is not None and not wait_for_start and status not in (502, 503, 504):
            raise StackError(f"{label} em {url} ({setting}) não serve o JWKS do CP: {problem}. "
                             "A URL aponta para o CP? (o proxy encaminha essa rota?)")
        return problem

    def healthy(answer: int | str | None) -> bool:
        return answer is None if expects_jwks else answer not in (502, 503, 504)

    try:
        until(probe, healthy, timeout=timeout, describe=f"{label} em {url}",
              fatal=(StackError,), max_interval=0.1)
    except WaitTimeout as exc:
        detail = str(exc).split("última observação: ", 1)[-1]
        raise fail(detail, f"não serviu o JWKS em {timeout:g}s" if expects_jwks
                   else f"não respondeu em {timeout:g}s") from None
