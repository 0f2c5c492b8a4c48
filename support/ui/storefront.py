"""Page object of the importer's storefront (contract wl.md §7.1): sign in with account id + token,
open an imported offer, buy it, and read what the page answers (the price-changed dialog and its
reload button, an alert). Elements are found by ARIA role and accessible name only, with the routes,
roles and names of the stack map (`ui.store.*` entries)."""
from __future__ import annotations

import uuid

from ..stackmap import StackMap
from .admin import AdminUi
from .texts import pattern


class Storefront:
    def __init__(self, page, base_url: str, stack_map: StackMap):
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.map = stack_map

    def _store_el(self, entry: str, container=None):
        return AdminUi.by(self.page if container is None else container, self.map.element(entry))

    def url(self, path: str) -> str:
        return self.base_url + path

    # --- session --------------------------------------------------------------------------
    def sign_in(self, account_id: int | str, token: str) -> None:
        """The sign-in form (account, token, submit); fails unless the page then names the account."""
        page = self.page
        page.goto(self.url(self.map.value("ui.store.route.sign_in")))
        self._store_el("ui.store.sign_in.account").fill(str(account_id))
        self._store_el("ui.store.sign_in.token").fill(token)
        self._store_el("ui.store.sign_in.submit").click()
        page.wait_for_load_state()
        self.signed_in_as(account_id).wait_for(state="visible")

    def signed_in_as(self, account_id: int | str):
        shown = self.map.template_pattern("ui.store.signed_in", anchored=False, conta=str(account_id))
        return self.page.get_by_text(shown)

    # --- an offer -------------------------------------------------------------------------
    def open_offer(self, offer_id: int | str) -> None:
        self.page.goto(self.url(self.map.template("ui.store.route.offer", id=str(offer_id))))
        self.buy_button().wait_for(state="visible")

    def buy_button(self):
        return self._store_el("ui.store.offer.buy")

    def buy(self) -> None:
        self.buy_button().click()

    def price_dialog(self):
        return self._store_el("ui.store.offer.price_dialog")

    def alert(self, text: str):
        """A visible alert holding `text` (accent-tolerant)."""
        return self._store_el("ui.store.offer.alert").filter(has_text=pattern(text))

    def mark_document(self) -> str:
        """Leave a mark on the current document (a new document after a reload does not have it)."""
        mark = str(uuid.uuid4())
        self.page.evaluate("mark => { window.__xporyUiMark = mark; }", mark)
        return mark

    def document_mark(self) -> str | None:
        return self.page.evaluate("() => window.__xporyUiMark || null")

    def reload_from_dialog(self) -> dict:
        """Click the dialog's reload button; returns what proves a reload: the main frame's
        navigations seen, the old document's mark (gone after a reload) and the URL before/after."""
        page = self.page
        before = page.url
        mark = self.mark_document()
        navigations: list[str] = []

        def on_navigated(frame) -> None:
            if frame == page.main_frame:
                navigations.append(frame.url)

        page.on("framenavigated", on_navigated)
        try:
            with page.expect_event("load"):
                self._store_el("ui.store.offer.reload", self.price_dialog()).click()
        finally:
            page.remove_listener("framenavigated", on_navigated)
        return {"navigations": navigations, "mark_before": mark, "mark_after": self.document_mark(),
                "url_before": before, "url_after": page.url}
