"""Client of the CP admin API (`/admin/api`): logs in with a bootstrap user, keeps the token, and
logs in again once when a call answers 401."""
from __future__ import annotations

from typing import Any

import httpx

from .errors import StackError
from .http import Api, HttpLog, describe


class CpAdminApi(Api):
    service = "API admin do CP"

    def __init__(self, base_url: str, log: HttpLog, *, email: str, password: str, **kw: Any):
        super().__init__(base_url, log, setting="XPORY_CP_ADMIN_API", **kw)
        self.email = email
        self._password = password
        self._token: str | None = None
        log.masker.add(password)

    # --- authentication ---------------------------------------------------------------------
    def login(self, email: str | None = None, password: str | None = None) -> httpx.Response:
        """POST /auth/login; with no arguments, logs in as the configured user and keeps the token."""
        response = self.post("/auth/login", json={"email": email or self.email,
                                                  "password": password if password is not None else self._password})
        if email is None and password is None:
            if response.status_code != 200:
                raise StackError(
                    f"Login no CP falhou para {self.email}: {describe(response, self.log.masker)}. "
                    "Confira XPORY_ADMIN_EMAIL / XPORY_ADMIN_PASSWORD (os usuários de bootstrap voltam a cada restart do CP)."
                )
            self._token = response.json()["token"]
            self.log.masker.add(self._token)
        else:
            token = response.json().get("token") if response.status_code == 200 else None
            self.log.masker.add(token)
        return response

    def forget_token(self) -> None:
        self._token = None

    def call(self, method: str, path: str, *, auth: bool = True, token: str | None = None,
             **kwargs: Any) -> httpx.Response:
        """An admin call with the kept token (re-login once on 401); `token=` sends another one."""
        if not auth:
            return self.request(method, path, **kwargs)
        if token is not None:
            return self.request(method, path, headers={"Authorization": f"Bearer {token}"}, **kwargs)
        if self._token is None:
            self.login()
        response = self.request(method, path, headers={"Authorization": f"Bearer {self._token}"}, **kwargs)
        if response.status_code == 401:
            self.login()
            response = self.request(method, path, headers={"Authorization": f"Bearer {self._token}"}, **kwargs)
        return response

    # --- white labels, policies, relationships, trader accounts -----------------------------
    def list_wls(self, **params: Any) -> httpx.Response:
        return self.call("GET", "/wls", params=params)

    def create_wl(self, body: dict) -> httpx.Response:
        return self.call("POST", "/wls", json=body)

    def get_wl(self, wl_id: str) -> httpx.Response:
        return self.call("GET", f"/wls/{wl_id}")

    def update_wl(self, wl_id: str, body: dict) -> httpx.Response:
        return self.call("PUT", f"/wls/{wl_id}", json=body)

    def put_policies(self, wl_id: str, body: dict) -> httpx.Response:
        return self.call("PUT", f"/wls/{wl_id}/policies", json=body)

    def get_policies(self, wl_id: str) -> httpx.Response:
        return self.call("GET", f"/wls/{wl_id}/policies")

    def put_relationship(self, src: str, dst: str, body: dict) -> httpx.Response:
        return self.call("PUT", f"/relationships/{src}/{dst}", json=body)

    def get_relationship(self, src: str, dst: str) -> httpx.Response:
        return self.call("GET", f"/relationships/{src}/{dst}")

    def list_relationships(self, **params: Any) -> httpx.Response:
        return self.call("GET", "/relationships", params=params)

    def upsert_trader(self, wl_id: str, body: dict) -> httpx.Response:
        return self.call("POST", f"/wls/{wl_id}/trader", json=body)

    def get_trader(self, wl_id: str) -> httpx.Response:
        return self.call("GET", f"/wls/{wl_id}/trader")

    # --- snapshots --------------------------------------------------------------------------
    def sync_categories(self, wl_id: str) -> httpx.Response:
        return self.call("POST", f"/wls/{wl_id}/offer-categories/sync")

    def sync_entities(self, wl_id: str) -> httpx.Response:
        return self.call("POST", f"/wls/{wl_id}/entities/sync")

    def categories(self, wl_id: str, **params: Any) -> httpx.Response:
        return self.call("GET", f"/wls/{wl_id}/offer-categories", params=params)

    def entities(self, wl_id: str, **params: Any) -> httpx.Response:
        return self.call("GET", f"/wls/{wl_id}/entities", params=params)

    # --- trades, approvals, notifications, reports ------------------------------------------
    def trades(self, **params: Any) -> httpx.Response:
        return self.call("GET", "/trades", params=params)

    def pending_trades(self, **params: Any) -> httpx.Response:
        return self.call("GET", "/trades/pending", params=params)

    def trade_details(self, trade_id: str) -> httpx.Response:
        return self.call("GET", f"/trades/{trade_id}/details")

    def approve_trade(self, trade_id: str, reason: str | None = None) -> httpx.Response:
        return self.call("POST", f"/trades/{trade_id}/approve", json={"reason": reason} if reason else {})

    def reject_trade(self, trade_id: str, reason: str | None = None) -> httpx.Response:
        return self.call("POST", f"/trades/{trade_id}/reject", json={"reason": reason} if reason else {})

    def notifications(self, **params: Any) -> httpx.Response:
        return self.call("GET", "/notifications", params=params)

    def unread_count(self) -> httpx.Response:
        return self.call("GET", "/notifications/unread-count")

    def trade_balance(self, **params: Any) -> httpx.Response:
        return self.call("GET", "/reports/trade-balance", params=params)

    def telemetry(self, **params: Any) -> httpx.Response:
        return self.call("GET", "/telemetry/events", params=params)
