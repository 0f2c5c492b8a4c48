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


def wait_until_answers(label: str, setting: str, url: str, *, verify: Any, timeout: float,
                       alive: Any = None) -> None:
    """Poll until `url` answers HTTP; fail with one message naming the service and the setting."""

    def probe() -> int:
        if alive is not None:
            alive()
        return answers_http(url, verify=verify, timeout=timeout)

    try:
        until(probe, lambda status: status not in (502, 503, 504), timeout=timeout, describe=f"{label} em {url}",
              fatal=(StackError,))
    except WaitTimeout as exc:
        detail = str(exc).split("última observação: ", 1)[-1]
        hint = "a stack está no ar?"
        if "CERTIFICATE_VERIFY_FAILED" in detail:
            hint = "o certificado do servidor não é da CA configurada (XPORY_CA_FILE)"
        elif "certificate" in detail.lower() or "alert" in detail.lower():
            hint = "o servidor recusou o certificado cliente (XPORY_CLIENT_P12)"
        raise StackError(
            f"{label} não respondeu em {timeout:g}s em {url} ({setting}): {hint}. Última tentativa: {detail[:300]}"
        ) from None
