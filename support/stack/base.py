"""The interface every stack controller offers, and the shared health check."""
from __future__ import annotations

import ssl
from typing import Any

import httpx

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
            "Reinicie o serviço controlplane à mão e rode de novo, ou use XPORY_STACK=compose/embedded."
        )

    def stop(self) -> None:
        """Stop what start() started (nothing for an external stack)."""

    def describe(self) -> str:
        return self.name


def answers_http(url: str, *, verify: ssl.SSLContext | bool, timeout: float) -> int:
    """The HTTP status the URL answers with (any status means the service is up)."""
    with httpx.Client(verify=verify, timeout=min(timeout, 5.0)) as client:
        return client.get(url).status_code


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
    """Poll until `url` answers HTTP; fail with one message naming the service and the setting.

    A server certificate the profile's CA does not sign ends the wait at once (waiting will not fix
    it). With `wait_for_start=False` (a stack that should already be up), so do a refused connection
    (nothing listens there, and nothing the suite does will start it) and, when `client_certificate`
    (the call presents XPORY_CLIENT_P12), a server that aborts the TLS connection.
    """

    def fail(detail: str, waited: str) -> StackError:
        return StackError(f"{label} {waited} em {url} ({setting}): {_hint(detail, client_certificate)}. "
                          f"Última tentativa: {detail[:300]}")

    def probe() -> int:
        if alive is not None:
            alive()
        try:
            return answers_http(url, verify=verify, timeout=timeout)
        except httpx.TransportError as exc:
            detail = f"{type(exc).__name__}: {exc}"
            lowered = detail.lower()
            settled = "certificate_verify_failed" in lowered or (not wait_for_start and (
                "refused" in lowered or (client_certificate and any(m in lowered for m in _CLIENT_CERT_REFUSED))))
            if settled:
                raise fail(detail, "não respondeu") from None
            raise

    try:
        until(probe, lambda status: status not in (502, 503, 504), timeout=timeout, describe=f"{label} em {url}",
              fatal=(StackError,), max_interval=0.1)
    except WaitTimeout as exc:
        detail = str(exc).split("última observação: ", 1)[-1]
        raise fail(detail, f"não respondeu em {timeout:g}s") from None
