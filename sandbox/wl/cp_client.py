"""Calls from a WL node to the Control Plane.

WL -> CP traffic goes to the CP's WL-facing listener (`settings.cp_mtls_url`) over TLS verified with
the sandbox CA and presenting the WL client certificate (`wl-client.crt/.key`). The JWKS is read from
the CP admin listener (`/.well-known/jwks.json`, no client certificate, CA-verified).
"""
from __future__ import annotations

import logging
import ssl
import threading
import time

import httpx

from .config import WLConfig

log = logging.getLogger("xpory.core.controlplane")
GATEWAY_TTL_S = 30.0  # how long a WL's gatewayUrl read from the CP is reused


class CPError(Exception):
    """The CP could not be reached or answered with an error."""

    def __init__(self, message: str, status: int | None = None, body: str | None = None):
        super().__init__(message)
        self.status = status
        self.body = body


def _ssl_context(cfg: WLConfig, client_cert: bool) -> ssl.SSLContext | bool:
    s = cfg.settings
    if not s.ca_cert.is_file():
        return True  # no PKI yet: httpx defaults (calls will fail with a clear TLS error)
    ctx = ssl.create_default_context(cafile=str(s.ca_cert))
    if client_cert and s.client_cert.is_file() and s.client_key.is_file():
        ctx.load_cert_chain(str(s.client_cert), str(s.client_key))
    return ctx


class CPClient:
    def __init__(self, cfg: WLConfig):
        self.cfg = cfg
        self.base = cfg.settings.cp_mtls_url.rstrip("/")
        self._mtls: httpx.Client | None = None
        self._plain: httpx.Client | None = None
        self._lock = threading.Lock()
        self._jwks: dict = {}
        self._jwks_at = 0.0
        self._gateways: dict[str, tuple[float, str | None]] = {}

    # -- clients (built lazily: the PKI may appear after the process starts) -----------------
    def mtls(self) -> httpx.Client:
        with self._lock:
            if self._mtls is None:
                self._mtls = httpx.Client(verify=_ssl_context(self.cfg, True), timeout=httpx.Timeout(10.0, connect=5.0))
            return self._mtls

    def plain(self) -> httpx.Client:
        with self._lock:
            if self._plain is None:
                self._plain = httpx.Client(verify=_ssl_context(self.cfg, False), timeout=httpx.Timeout(10.0, connect=5.0))
            return self._plain

    def close(self) -> None:
        for client in (self._mtls, self._plain):
            if client is not None:
                client.close()

    def _call(self, method: str, path: str, **kwargs) -> httpx.Response:
        url = f"{self.base}{path}"
        try:
            return self.mtls().request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            with self._lock:  # a broken TLS context (e.g. regenerated PKI) is rebuilt next time
                if self._mtls is not None:
                    self._mtls.close()
                self._mtls = None
            raise CPError(f"CP unreachable at {url}: {type(exc).__name__}: {exc}") from None

    # -- governance ------------------------------------------------------------------------
    def relationship(self, src: str, dst: str) -> dict | None:
        r = self._call("GET", f"/relationships/{src}/{dst}", headers={"Accept": "application/json"})
        if r.status_code == 404:
            return None
        if r.status_code != 200:
            raise CPError(f"GET /relationships/{src}/{dst} -> {r.status_code}", r.status_code, r.text[:300])
        return r.json()

    def policies(self, wl_id: str) -> dict | None:
        r = self._call("GET", f"/wls/{wl_id}/policies", headers={"Accept": "application/json"})
        if r.status_code == 404:
            return None
        if r.status_code != 200:
            raise CPError(f"GET /wls/{wl_id}/policies -> {r.status_code}", r.status_code, r.text[:300])
        return r.json()

    def gateway_url(self, wl_id: str) -> str | None:
        """The gatewayUrl the CP holds for a WL (`GET /wls/{id}`, kept for GATEWAY_TTL_S); None when the CP
        knows none."""
        with self._lock:
            cached = self._gateways.get(wl_id)
        if cached is not None and time.monotonic() - cached[0] < GATEWAY_TTL_S:
            return cached[1]
        url = self._fetch_gateway_url(wl_id)
        with self._lock:
            self._gateways[wl_id] = (time.monotonic(), url)
        return url

    def _fetch_gateway_url(self, wl_id: str) -> str | None:
        r = self._call("GET", f"/wls/{wl_id}", headers={"Accept": "application/json"})
        if r.status_code == 404:
            return None
        if r.status_code != 200:
            raise CPError(f"GET /wls/{wl_id} -> {r.status_code}", r.status_code, r.text[:300])
        try:
            url = r.json().get("gatewayUrl")
        except (ValueError, AttributeError):
            raise CPError(f"GET /wls/{wl_id}: not a JSON object", r.status_code, r.text[:300]) from None
        return url.strip() if isinstance(url, str) and url.strip() else None

    def peer_token(self, target_wl_id: str, scopes: list[str]) -> str:
        r = self._call("POST", f"/wls/{self.cfg.wl_id}/peer-token",
                       json={"targetWlId": target_wl_id, "scopes": scopes})
        if r.status_code not in (200, 201):
            try:
                message = r.json().get("error") or r.text
            except ValueError:
                message = r.text
            raise CPError(f"peer token refused by the CP ({r.status_code}): {message[:200]}", r.status_code, r.text[:300])
        token = r.json().get("token")
        if not token:
            raise CPError("peer token answer without token")
        return token

    def telemetry(self, events: list[dict]) -> None:
        r = self._call("POST", "/telemetry/events", json={"events": events})
        if r.status_code >= 300:
            raise CPError(f"POST /telemetry/events -> {r.status_code}: {r.text[:200]}", r.status_code, r.text[:300])

    # -- JWKS -------------------------------------------------------------------------------
    def jwks(self, force: bool = False) -> dict:
        """kid -> JWK, cached for 5 min; refetched at once when forced (a token with an unknown kid),
        since the CP creates a WL's key lazily, right before the first token it signs with it."""
        with self._lock:
            fresh = time.monotonic() - self._jwks_at < (0.0 if force else 300.0)
            if self._jwks and fresh:
                return self._jwks
        try:
            r = self.plain().get(self.cfg.jwks_url, headers={"Accept": "application/json"})
            r.raise_for_status()
            keys = {k["kid"]: k for k in r.json().get("keys", []) if isinstance(k, dict) and k.get("kid")}
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            log.warning("CP-AUTH JWKS fetch from %s failed: %s", self.cfg.jwks_url, exc)
            with self._lock:
                return dict(self._jwks)
        with self._lock:
            self._jwks = keys
            self._jwks_at = time.monotonic()
            return dict(keys)
