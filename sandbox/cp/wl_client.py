"""Outbound CP → WL calls (contract §11): `normalize(gatewayUrl) + path` over plain httpx.

Each call to a WL's `/api/v2/control-plane/*` carries a CP-issued RS256 JWT for that WL
(sub = aud = wlId = the WL, scopes ["policies:read"], signed with the WL's own key).
"""
from __future__ import annotations

import json
import logging
import ssl
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from . import db, tokens

log = logging.getLogger("sandbox.cp.wl_client")
_client = None
_lock = threading.Lock()

DEFAULT_TIMEOUT = (5.0, 15.0)  # connect, read (the real CP's values)


class WlUnreachable(Exception):
    """Connection or read failure talking to a WL."""


@dataclass
class WlResponse:
    status: int
    text: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        try:
            return json.loads(self.text) if self.text.strip() else None
        except ValueError:
            return None


def normalize(url: str) -> str:
    return url.strip().rstrip("/")


def url(gateway_url: str, path: str) -> str:
    return normalize(gateway_url) + "/" + path.lstrip("/")


def _http():
    global _client
    with _lock:
        if _client is None:
            import httpx  # third-party, imported on first use: keeps the CP's start fast

            ca = db.settings().ca_cert
            verify = ssl.create_default_context(cafile=str(ca)) if ca.is_file() else True
            _client = httpx.Client(verify=verify, follow_redirects=False,
                                   limits=httpx.Limits(max_connections=64, max_keepalive_connections=16))
        return _client


def call(method: str, gateway_url: str, path: str, *, token: str | None = None, body: Any = None,
         send_json_header: bool = False, correlation_id: str | None = None,
         timeout: tuple[float, float] = DEFAULT_TIMEOUT) -> WlResponse:
    import httpx  # third-party, imported on first use (see _http)

    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if correlation_id is not None:
        headers["X-Correlation-Id"] = correlation_id or str(uuid.uuid4())
    content = None
    if body is not None:
        content = json.dumps(body).encode()
        send_json_header = True
    if send_json_header:
        headers["Content-Type"] = "application/json"
    target = url(gateway_url, path)
    try:
        response = _http().request(method, target, headers=headers, content=content,
                                   timeout=httpx.Timeout(timeout[1], connect=timeout[0]))
    except httpx.HTTPError as exc:
        log.warning("CP->WL %s %s failed: %s", method, target, exc)
        raise WlUnreachable(f"{type(exc).__name__}: {exc}") from None
    return WlResponse(response.status_code, response.text)


def call_as_wl(method: str, wl: dict, path: str, **kwargs) -> WlResponse:
    """A call authenticated with the CP's JWT for that WL (scopes ["policies:read"])."""
    token = tokens.wl_token(wl["id"], ["policies:read"])
    return call(method, wl["gateway_url"], path, token=token, **kwargs)
