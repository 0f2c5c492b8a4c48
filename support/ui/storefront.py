"""Page object of the importer's storefront (contract wl.md §7.1): sign in with account id + token,
open an imported offer, buy it, and read what the page answers (the price-changed dialog and its
reload button, an alert, a status). Elements are found by role, label and visible text only."""
from __future__ import annotations

import re
import uuid

from .texts import pattern

RELOAD_BUTTON = re.compile(r"atualizar|recarregar", re.IGNORECASE)  # label [UNDOC]: "Atualizar página" here


class Storefront:
    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url.rstrip("/")

    def url(self, path: str) -> str:
        return self.base_url + path

    # --- session --------------------------------------------------------------------------
    def sign_in(self, account_id: int | str, token: str) -> None:
        """The sign-in form ("Conta", "Token", "Entrar"); fails unless the page then names the account."""
        page = self.page
        page.goto(self.url("/entrar"))
        page.get_by_label(pattern("Conta", exact=True)).fill(str(account_id))
        page.get_by_label(pattern("Token", exact=True)).fill(token)
        page.get_by_role("button", name=pattern("Entrar", exact=True)).click()
        page.wait_for_load_state()
        self.signed_in_as(account_id).wait_for(state="visible")

    def signed_in_as(self, account_id: int | str):
        return self.page.get_by_text(re.compile(rf"\bconta\s+{re.escape(str(account_id))}\b", re.IGNORECASE))

    # --- an offer -------------------------------------------------------------------------
    def open_offer(self, offer_id: int | str) -> None:
        self.page.goto(self.url(f"/oferta/{offer_id}"))
        self.buy_button().wait_for(state="visible")

    def buy_button(self):
        return self.page.get_by_role("button", name=pattern("Comprar", exact=True))

    def buy(self) -> None:
        self.buy_button().click()

    def price_dialog(self):
        return self.page.get_by_role("dialog")

    def alert(self, text: str):
        """A visible `role=alert` holding `text` (accent-tolerant)."""
        return self.page.get_by_role("alert").filter(has_text=pattern(text))

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
                self.price_dialog().get_by_role("button", name=RELOAD_BUTTON).click()
        finally:
            page.remove_listener("framenavigated", on_navigated)
        return {"navigations": navigations, "mark_before": mark, "mark_after": self.document_mark(),
                "url_before": before, "url_after": page.url}
