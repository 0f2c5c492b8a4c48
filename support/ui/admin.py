"""Page object of the CP Admin UI (contract wl.md §7.2; the sandbox's pages: sandbox/admin_ui/README.md).

Elements are found by role, label and visible text (headings, buttons, table/list names, dt/dd
pairs), never by the sandbox's ids, so the same object can drive the real React UI.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin

from .texts import number, pattern, with_count

LOADING = re.compile(r"^\s*Carregando", re.IGNORECASE)
ROUTES = {
    "Negociações": "trades",
    "Aprovações": "trades/pending",
    "Notificações": "notifications",
    "Balança comercial": "commercial-balance",
    "Relacionamentos": "relationships",
}


class AdminUi:
    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"

    # --- session and navigation ----------------------------------------------------------
    def login(self, email: str, password: str) -> None:
        """The login form ("E-mail", "Senha", "Entrar"); fails unless the trades page opens."""
        page = self.page
        page.goto(self.base_url)
        page.get_by_label(pattern("E-mail", exact=True)).fill(email)
        page.get_by_label(pattern("Senha", exact=True)).fill(password)
        page.get_by_role("button", name=pattern("Entrar", exact=True)).click()
        self.heading("Negociações").wait_for()

    def heading(self, title: str):
        return self.page.get_by_role("heading", level=1, name=pattern(title, exact=True))

    def open(self, title: str, query: str = "") -> None:
        """Go to the page titled `title` (its route under /admin/) and wait for its heading."""
        self.page.goto(urljoin(self.base_url, ROUTES[title]) + query)
        self.heading(title).wait_for()

    def signed_in_user(self) -> str:
        return self.page.get_by_role("banner").inner_text()

    def reload(self) -> None:
        self.page.reload()

    def path(self) -> str:
        return self.page.evaluate("() => location.pathname + location.search")

    def _settled(self, container) -> None:
        """Wait until `container` no longer shows "Carregando…"."""
        container.get_by_text(LOADING).first.wait_for(state="detached")

    def alerts(self) -> list[str]:
        return [t.strip() for t in self.page.get_by_role("alert").all_inner_texts()]

    # --- tables ---------------------------------------------------------------------------
    def table(self, name: str):
        table = self.page.get_by_role("table", name=pattern(name, exact=True))
        table.wait_for()
        self._settled(table)
        return table

    @staticmethod
    def row(table, text: str):
        return table.get_by_role("row").filter(has_text=text)

    @staticmethod
    def cell(table, row, column: str) -> str:
        """The text of `row` under the column header `column`."""
        headers = [h.strip() for h in table.get_by_role("columnheader").all_inner_texts()]
        wanted = pattern(column, exact=True)
        index = next((i for i, h in enumerate(headers) if wanted.search(h)), None)
        if index is None:
            raise AssertionError(f"a tabela não tem a coluna {column!r}: {headers}")
        return row.get_by_role("cell").nth(index).inner_text().strip()

    # --- Negociações and the details modal -----------------------------------------------
    def trades_table(self):
        return self.table("Lista de negociações")

    def trade_status(self, trade_id: str) -> str | None:
        table = self.trades_table()
        row = self.row(table, trade_id)
        if row.count() == 0:
            return None
        return self.cell(table, row.first, "Status")

    def refresh_trades(self) -> None:
        self.page.get_by_role("button", name=pattern("Atualizar", exact=True)).click()
        self.trades_table()

    def open_trade_details(self, trade_id: str):
        row = self.row(self.trades_table(), trade_id)
        row.get_by_role("button", name=pattern("Detalhes", exact=True)).click()
        dialog = self.page.get_by_role("dialog", name=pattern("Detalhes do trade", exact=True))
        dialog.wait_for()
        self._settled(dialog)
        return dialog

    @staticmethod
    def described(container, label: str) -> str | None:
        """The value shown next to `label` in a definition list (dt/dd) inside `container`."""
        term = container.get_by_role("term").filter(has_text=pattern(label, exact=True))
        if term.count() == 0:
            return None
        return term.first.locator("xpath=following-sibling::*[1]").inner_text().strip()

    # --- Aprovações -----------------------------------------------------------------------
    def pending_count(self) -> int:
        counter = self.page.get_by_text(re.compile(r"^\s*Pendentes:\s*\d+\s*$"))
        counter.wait_for()
        return int(number(counter.inner_text()))

    def pending_table(self):
        return self.table("Fila de aprovação")

    def approve(self, trade_id: str) -> None:
        row = self.row(self.pending_table(), trade_id)
        row.get_by_role("button", name=pattern("Aprovar", exact=True)).click()
        self._decided(trade_id, "aprovado")

    def reject(self, trade_id: str, reason: str) -> None:
        row = self.row(self.pending_table(), trade_id)
        row.get_by_role("button", name=pattern("Rejeitar", exact=True)).click()
        dialog = self.page.get_by_role("dialog", name=pattern("Rejeitar trade", exact=True))
        dialog.get_by_label(pattern("Motivo", exact=True)).fill(reason)
        dialog.get_by_role("button", name=pattern("Confirmar rejeição", exact=True)).click()
        self._decided(trade_id, "rejeitado")

    def _decided(self, trade_id: str, verb: str) -> None:
        """Wait for the page's answer to a decision: its toast, or an alert (raised with its text)."""
        toast = self.page.get_by_role("status").filter(has_text=trade_id).filter(has_text=pattern(verb))
        alert = self.page.get_by_role("alert").filter(has_text=trade_id)
        toast.or_(alert).first.wait_for()
        if alert.count():
            raise AssertionError(f"a tela recusou a decisão: {alert.first.inner_text()}")

    # --- Notificações ---------------------------------------------------------------------
    def notifications_list(self):
        listing = self.page.get_by_role("list", name=pattern("Notificações recentes", exact=True))
        listing.wait_for()
        self._settled(listing)
        return listing

    def notification_links(self, title: str | None = None):
        links = self.notifications_list().get_by_role("link")
        return links.filter(has_text=pattern(title)) if title else links

    def unread_count(self) -> int:
        counter = self.page.get_by_text(re.compile(r"^\s*N[aã]o lidas:\s*\d+\s*$", re.IGNORECASE))
        counter.wait_for()
        return int(number(counter.inner_text()))

    def refresh_notifications(self) -> None:
        self.page.get_by_role("button", name=pattern("Atualizar", exact=True)).click()
        self.notifications_list()

    def open_notification(self, title: str) -> None:
        """Click the first (newest) notification titled `title` and wait for the page it opens."""
        before = self.page.url
        self.notification_links(title).first.click()
        self.page.wait_for_url(lambda url: url != before)

    # --- Balança comercial ----------------------------------------------------------------
    def search_balance(self, origin_name: str, destination_name: str) -> None:
        page = self.page
        page.get_by_label(pattern("WL origem", exact=True)).select_option(label=origin_name)
        # select_option waits for the option: the destinations load after the origin is chosen
        page.get_by_label(pattern("WL destino", exact=True)).select_option(label=destination_name)
        page.get_by_role("button", name=pattern("Buscar", exact=True)).click()
        page.get_by_role("term").filter(has_text=pattern("Confirmadas", exact=True)).wait_for()

    def balance_value(self, label: str) -> str | None:
        return self.described(self.page.get_by_role("main"), label)

    # --- Relacionamentos ------------------------------------------------------------------
    def relationships_table(self):
        return self.table("Lista de relacionamentos")

    def edit_relationship(self, origin_name: str, destination_name: str):
        row = self.relationships_table().get_by_role("row").filter(
            has_text=re.compile(rf"{re.escape(origin_name)}\s*→\s*{re.escape(destination_name)}"))
        row.get_by_role("button", name=pattern("Editar", exact=True)).click()
        dialog = self.page.get_by_role("dialog", name=pattern("Editar relacionamento", exact=True))
        dialog.wait_for()
        return dialog

    def snapshot_item(self, dialog, section: str, name: str) -> tuple[str, int]:
        """The checkbox named "<name> <count>" in the dialog's region `section` ("Categorias",
        "Entidades"): its visible label and the count at its end."""
        region = dialog.get_by_role("region", name=pattern(section, exact=True))
        item = region.get_by_role("checkbox", name=with_count(name))
        item.wait_for()
        label = item.evaluate("el => (el.labels && el.labels.length ? el.labels[0].innerText"
                              " : el.getAttribute('aria-label') || '')").strip()
        match = with_count(name).search(label)
        if not match:
            raise AssertionError(f"o item {label!r} de {section} não é '<nome> <contagem>'")
        return label, int(match.group(1))

    def search_snapshot(self, dialog, section: str, term: str) -> None:
        region = dialog.get_by_role("region", name=pattern(section, exact=True))
        region.get_by_role("searchbox").fill(term)
