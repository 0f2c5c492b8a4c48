"""Clients of the two WL nodes: the exporter (wl-01) and the importer (wl-03)."""
from __future__ import annotations

from typing import Any

import httpx

from .http import Api


def _bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


class ExporterApi(Api):
    service = "WL exportador"

    def __init__(self, base_url: str, log, **kw: Any):
        super().__init__(base_url, log, setting="XPORY_EXPORTER_URL", **kw)

    def export_offers(self, importer_id: str | None, **params: Any) -> httpx.Response:
        if importer_id is not None:
            params["importerWlId"] = importer_id
        return self.get("/api/v2/control-plane/export/offers", params=params)

    def offer_categories(self, token: str) -> httpx.Response:
        """The categories the CP syncs (GET /api/v2/control-plane/offer-categories, the CP's own token)."""
        return self.get("/api/v2/control-plane/offer-categories", headers=_bearer(token))

    def pending_purchases(self, peer_token: str) -> httpx.Response:
        return self.get("/api/v2/trader/purchases/pending", headers=_bearer(peer_token))

    def approve(self, trade_id: str, peer_token: str) -> httpx.Response:
        return self.post(f"/api/v2/trader/purchases/{trade_id}/approve", headers=_bearer(peer_token), json={})

    def reject(self, trade_id: str, peer_token: str, reason: str = "MANUAL_REJECT") -> httpx.Response:
        return self.post(f"/api/v2/trader/purchases/{trade_id}/reject", headers=_bearer(peer_token),
                         json={"reason": reason})

    def purchase(self, peer_token: str, body: dict, idempotency_key: str) -> httpx.Response:
        """POST /api/v2/trader/purchase, as an importer would (contracts/wl.md §3.7)."""
        return self.post("/api/v2/trader/purchase", json=body,
                         headers={**_bearer(peer_token), "Idempotency-Key": idempotency_key})

    def preflight(self, peer_token: str, body: dict) -> httpx.Response:
        return self.post("/api/v2/trader/purchase/preflight", headers=_bearer(peer_token), json=body)


class ImporterApi(Api):
    service = "WL importador"

    def __init__(self, base_url: str, log, *, import_timeout: float = 120.0, **kw: Any):
        super().__init__(base_url, log, setting="XPORY_IMPORTER_URL", **kw)
        self.import_timeout = import_timeout

    def debug_import(self, peer_token: str | None) -> httpx.Response:
        return self.post("/api/v2/control-plane/debug/import", headers=_bearer(peer_token),
                         timeout=self.import_timeout)

    def buy_offer(self, account_id: int, token: str, offer_id: int, quantity: int = 1) -> httpx.Response:
        self.log.masker.add(token)
        return self.post("/api/v1/buy-offer", data={
            "accountId": str(account_id), "token": token, "offerId": str(offer_id),
            "quantity": str(quantity), "paymentParams": '{"paymentType":"balanceAccount"}',
        })

    def checkout(self, imported_offer_id: int, idempotency_key: str | None, body: dict) -> httpx.Response:
        """The buyer's token in `body` is a configured secret (XPORY_QA_TOKEN): masked like every other."""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        return self.post(f"/api/v2/checkout/imported-offer/{imported_offer_id}", headers=headers, json=body)
