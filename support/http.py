"""HTTP for the suite: httpx clients whose every call is recorded (method, URL, status, duration,
masked and truncated bodies), so a failing scenario can attach its HTTP log."""
from __future__ import annotations

import ssl
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from .errors import StackError
from .masking import Masker


@dataclass
class Call:
    method: str
    url: str
    status: int | None
    millis: float
    request_body: str
    response_body: str
    error: str = ""

    def line(self) -> str:
        status = self.status if self.status is not None else "ERRO"
        return f"{self.method} {self.url} -> {status} ({self.millis:.0f} ms)"


@dataclass
class HttpLog:
    """Calls of the current scenario (cleared by the hooks between scenarios)."""

    masker: Masker
    calls: list[Call] = field(default_factory=list)

    def clear(self) -> None:
        self.calls.clear()

    def render(self) -> str:
        parts = []
        for call in self.calls:
            parts.append(call.line())
            if call.request_body:
                parts.append("  >> " + call.request_body)
            if call.response_body:
                parts.append("  << " + call.response_body)
            if call.error:
                parts.append("  !! " + call.error)
        return "\n".join(parts) or "(nenhuma chamada HTTP)"


class Api:
    """A base HTTP client bound to one base URL, recording each call in an HttpLog."""

    service = "serviço"

    def __init__(self, base_url: str, log: HttpLog, *, verify: ssl.SSLContext | bool = True,
                 timeout: float = 30.0, setting: str = ""):
        self.base_url = base_url.rstrip("/")
        self.log = log
        self.setting = setting
        self._client = httpx.Client(base_url=self.base_url, verify=verify, timeout=timeout)

    def close(self) -> None:
        self._client.close()

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        started = time.perf_counter()
        masker = self.log.masker
        request_body = ""
        if "json" in kwargs:
            import json as _json

            request_body = masker.body(_json.dumps(kwargs["json"], ensure_ascii=False))
        elif "data" in kwargs:
            request_body = masker.body("&".join(f"{k}={v}" for k, v in kwargs["data"].items()))
        url = self.base_url + path
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            millis = (time.perf_counter() - started) * 1000
            self.log.calls.append(Call(method, masker.text(url), None, millis, request_body, "",
                                       masker.text(f"{type(exc).__name__}: {exc}")))
            raise StackError(self._unreachable(exc)) from None
        millis = (time.perf_counter() - started) * 1000
        self.log.calls.append(Call(method, masker.text(str(response.request.url)), response.status_code,
                                   millis, request_body, masker.body(response.content)))
        return response

    def _unreachable(self, exc: httpx.HTTPError) -> str:
        where = f" ({self.setting})" if self.setting else ""
        text = str(exc)
        if "CERTIFICATE_VERIFY_FAILED" in text:
            hint = "o certificado do servidor não é assinado pela CA do perfil (XPORY_CA_FILE)"
        elif "certificate required" in text.lower() or "TLSV13_ALERT_CERTIFICATE_REQUIRED" in text:
            hint = "o servidor exige certificado cliente (XPORY_CLIENT_P12)"
        elif "unknown ca" in text.lower() or "bad certificate" in text.lower():
            hint = "o servidor recusou o certificado cliente (XPORY_CLIENT_P12 de outra CA?)"
        elif isinstance(exc, httpx.ConnectError):
            hint = "nada responde nesse endereço: a stack está no ar? a URL está certa?"
        elif isinstance(exc, httpx.TimeoutException):
            hint = "tempo esgotado (XPORY_HTTP_TIMEOUT_SECONDS)"
        else:
            hint = type(exc).__name__
        return f"{self.service} inacessível em {self.base_url}{where}: {hint}. Detalhe: {self.log.masker.text(text)[:300]}"

    # shorthand
    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("PUT", path, **kw)


def describe(response: httpx.Response, masker: Masker) -> str:
    """One line with the data a failed assertion needs: method, URL, status, masked body."""
    return (f"{response.request.method} {masker.text(str(response.request.url))} -> {response.status_code}: "
            f"{masker.body(response.content, 800)}")
