"""Client of the CP's WL-facing endpoints, reached over mTLS with the WL client certificate:
peer tokens (`POST /wls/{importerId}/peer-token`), WL tokens and the JWKS."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpx

from .http import Api, HttpLog


class CpPeerApi(Api):
    service = "CP (mTLS, voltado aos WLs)"

    def __init__(self, base_url: str, log: HttpLog, **kw: Any):
        super().__init__(base_url, log, setting="XPORY_CP_URL", **kw)

    def peer_token(self, importer_id: str, exporter_id: str | None,
                   scopes: Iterable[str] | None = ("offers:sync", "trader:purchase"),
                   **extra: Any) -> httpx.Response:
        body: dict[str, Any] = dict(extra)
        if exporter_id is not None:
            body["targetWlId"] = exporter_id
        if scopes is not None:
            body["scopes"] = list(scopes)
        response = self.post(f"/wls/{importer_id}/peer-token", json=body)
        if response.status_code == 201:
            self.log.masker.add(response.json().get("token"))
        return response

    def wl_token(self, wl_id: str, scopes: Iterable[str] = ("policies:read",)) -> httpx.Response:
        """POST /wls/{id}/token: a WL token (unguarded in the real CP, cp.md §3.9)."""
        response = self.post(f"/wls/{wl_id}/token", json={"scopes": list(scopes)})
        if response.status_code == 201:
            self.log.masker.add(response.json().get("token"))
        return response

    def send_telemetry(self, events: list[dict]) -> httpx.Response:
        """POST /telemetry/events, as a WL node does."""
        return self.post("/telemetry/events", json=events)

    def jwks(self) -> httpx.Response:
        return self.get("/.well-known/jwks.json")

