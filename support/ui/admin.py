"""Page object of the CP Admin UI (contract wl.md §7.2).

Elements are found by ARIA role and accessible name, never by ids, and every route, role, name and text
comes from the stack map (`ui.admin.*` entries: the sandbox's in profiles/embutido.mapa.toml), so the
same object drives the real React UI once its map is filled.
"""
from __future__ import annotations

from urllib.parse import urljoin, urlparse

from ..stackmap import Element, StackMap
from .texts import accent_insensitive_prefix, number, pattern


class AdminUi:
    def __init__(self, page, base_url: str, stack_map: StackMap):
        self.page = page
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.map = stack_map

    # --- elements by the map ------------------------------------------------------------------
    @staticmethod
    def by(container, element: Element, name: str | None = None):
        """The elements of `element`'s role named `name` (default: the element's own name; "" = any)."""
        wanted = element.name if name is None else name
        if not wanted:
            return container.get_by_role(element.role)
        return container.get_by_role(element.role, name=pattern(wanted, exact=True))

    def _admin_el(self, entry: str, container=None, name: str | None = None):
        return self.by(self.page if container is None else container, self.map.element(entry), name)

    # --- session and navigation ----------------------------------------------------------------
    def log_in(self, email: str, password: str) -> None:
        """The login form; fails unless the trades page opens."""
        self.page.goto(self.base_url)
        self._admin_el("ui.admin.login.email").fill(email)
        self._admin_el("ui.admin.login.password").fill(password)
        self._admin_el("ui.admin.login.submit").click()
        self.trades_heading().wait_for()

    def open_signed_in(self) -> bool:
        """Open the trades screen with the session the context already holds: True once its table has
        loaded, False when the app shows the login form instead (no session, or a refused one)."""
        self.page.goto(urljoin(self.base_url, self.map.value("ui.admin.route.trades")))
        login = self._admin_el("ui.admin.login.email")
        table = self._admin_el("ui.admin.trades.table")
        table.or_(login).first.wait_for()
        if login.is_visible():
            return False
        self._settled(table)  # a refused token sends the page to the login form before the table settles
        return not login.is_visible() and self.trades_heading().is_visible()

    def _open(self, route_entry: str, heading_entry: str, query: str = ""):
        self.page.goto(urljoin(self.base_url, self.map.value(route_entry)) + query)
        heading = self._admin_el(heading_entry)
        heading.wait_for()
        return heading

    def trades_heading(self):
        return self._admin_el("ui.admin.heading.trades")

    def open_trades(self, query: str = "") -> None:
        self._open("ui.admin.route.trades", "ui.admin.heading.trades", query)

    def open_pending(self) -> None:
        self._open("ui.admin.route.pending", "ui.admin.heading.pending")

    def open_notifications(self) -> None:
        self._open("ui.admin.route.notifications", "ui.admin.heading.notifications")

    def open_balance(self) -> None:
        self._open("ui.admin.route.balance", "ui.admin.heading.balance")

    def open_relationships(self) -> None:
        self._open("ui.admin.route.relationships", "ui.admin.heading.relationships")

    def open_screen(self, route_entry: str, heading_entry: str) -> None:
        """Open a screen by its map entries (support.vocabulary.TELA_DA_ADMIN)."""
        self._open(route_entry, heading_entry)

    def shows(self, heading_entry: str) -> bool:
        return self._admin_el(heading_entry).is_visible()

    def trades_path(self) -> str:
        """The trades screen's path under the Admin UI (to compare with where a click led)."""
        return self.map.value("ui.admin.route.trades")

    def signed_in_shows(self, email: str, role: str) -> bool:
        """Whether the signed-in banner shows the user as the map's template says."""
        banner = self.map.element("ui.admin.signed_in")
        text = self.page.get_by_role(banner.role).inner_text()
        return self.map.template("ui.admin.signed_in", email=email, role=role) in text

    def reload(self) -> None:
        self.page.reload()

    def path(self) -> str:
        return self.page.evaluate("() => location.pathname + location.search")

    def _settled(self, container) -> None:
        """Wait until `container` no longer shows the map's loading text."""
        loading = accent_insensitive_prefix(self.map.value("ui.admin.loading"))
        container.get_by_text(loading).first.wait_for(state="detached")

    # --- tables ---------------------------------------------------------------------------------
    def _table(self, entry: str):
        table = self._admin_el(entry)
        table.wait_for()
        self._settled(table)
        return table

    def data_rows(self, entry: str) -> int:
        """How many data rows the table `entry` shows: rows with one cell per column header (a header row,
        or an empty-state row spanning the table, is not data)."""
        table = self._table(entry)
        return table.evaluate(
            "t => { const columns = t.querySelectorAll('th[scope=col], [role=columnheader]').length;"
            " return [...t.querySelectorAll('tr')].filter(r => !r.querySelector('th[scope=col], [role=columnheader]')"
            " && r.querySelectorAll('td, [role=cell]').length === columns).length; }")

    @staticmethod
    def row(table, text: str):
        return table.get_by_role("row").filter(has_text=text)

    def cell(self, table, row, column: Element) -> str:
        """The text of `row` under the column header `column`."""
        headers = [h.strip() for h in table.get_by_role(column.role).all_inner_texts()]
        wanted = pattern(column.name, exact=True)
        index = next((i for i, h in enumerate(headers) if wanted.search(h)), None)
        if index is None:
            raise AssertionError(f"a tabela não tem a coluna {column.name!r}: {headers}")
        return row.get_by_role("cell").nth(index).inner_text().strip()

    # --- Negociações and the details modal -----------------------------------------------------
    def trades_table(self):
        return self._table("ui.admin.trades.table")

    def trade_status(self, trade_id: str) -> str | None:
        table = self.trades_table()
        row = self.row(table, trade_id)
        if row.count() == 0:
            return None
        return self.cell(table, row.first, self.map.element("ui.admin.trades.status_column"))

    def refresh_trades(self) -> None:
        self._admin_el("ui.admin.trades.refresh").click()
        self.trades_table()

    def open_trade_details(self, trade_id: str):
        row = self.row(self.trades_table(), trade_id)
        self._admin_el("ui.admin.trades.details", row).click()
        dialog = self._admin_el("ui.admin.details.dialog")
        dialog.wait_for()
        self._settled(dialog)
        return dialog

    def trade_details_shown(self, dialog) -> dict[str, str | None]:
        """What the details modal shows: offer_name, buyer, buyer_phone, seller, seller_phone -> text."""
        entries = {"offer_name": "ui.admin.details.offer", "buyer": "ui.admin.details.buyer",
                   "buyer_phone": "ui.admin.details.buyer_phone", "seller": "ui.admin.details.seller",
                   "seller_phone": "ui.admin.details.seller_phone"}
        return {field: self.described(dialog, self.map.element(entry)) for field, entry in entries.items()}

    @staticmethod
    def described(container, label: Element) -> str | None:
        """The value shown next to `label` (a term of a definition list) inside `container`."""
        term = container.get_by_role(label.role).filter(has_text=pattern(label.name, exact=True))
        if term.count() == 0:
            return None
        return term.first.locator("xpath=following-sibling::*[1]").inner_text().strip()

    # --- Aprovações ----------------------------------------------------------------------------
    def pending_count(self) -> int:
        counter = self.page.get_by_text(self.map.template_pattern("ui.admin.pending.counter"))
        counter.wait_for()
        return int(number(counter.inner_text()))

    def pending_table(self):
        return self._table("ui.admin.pending.table")

    def approve_on_screen(self, trade_id: str) -> None:
        row = self.row(self.pending_table(), trade_id)
        self._admin_el("ui.admin.pending.approve", row).click()
        self._decided(trade_id, self.map.value("ui.admin.pending.approved_word"))

    def reject_on_screen(self, trade_id: str, reason: str) -> None:
        row = self.row(self.pending_table(), trade_id)
        self._admin_el("ui.admin.pending.reject", row).click()
        dialog = self._admin_el("ui.admin.pending.reject_dialog")
        self._admin_el("ui.admin.pending.reject_reason", dialog).fill(reason)
        self._admin_el("ui.admin.pending.reject_confirm", dialog).click()
        self._decided(trade_id, self.map.value("ui.admin.pending.rejected_word"))

    def _decided(self, trade_id: str, word: str) -> None:
        """Wait for the page's answer to a decision: its notice, or an error (raised with its text)."""
        toast = self._admin_el("ui.admin.pending.toast").filter(has_text=trade_id).filter(has_text=pattern(word))
        alert = self._admin_el("ui.admin.pending.error").filter(has_text=trade_id)
        toast.or_(alert).first.wait_for()
        if alert.count():
            raise AssertionError(f"a tela recusou a decisão: {alert.first.inner_text()}")

    # --- Notificações --------------------------------------------------------------------------
    def notifications_list(self):
        listing = self._admin_el("ui.admin.notifications.list")
        listing.wait_for()
        self._settled(listing)
        return listing

    def notification_links(self, title: str | None = None):
        item = self.map.element("ui.admin.notifications.item")
        links = self.notifications_list().get_by_role(item.role)
        mark = self.map.element("ui.admin.notifications.mark_read")
        if mark.name and mark.role == item.role:  # the mark-read control is not a notification
            links = links.filter(has_not_text=pattern(mark.name, exact=True))
        return links.filter(has_text=pattern(title)) if title else links

    def unread_counter(self) -> int:
        counter = self.page.get_by_text(self.map.template_pattern("ui.admin.notifications.unread"))
        counter.wait_for()
        return int(number(counter.inner_text()))

    def refresh_notifications(self) -> None:
        self._admin_el("ui.admin.notifications.refresh").click()
        self.notifications_list()

    def mark_notification_read(self, title: str) -> None:
        """Mark the first (newest) notification titled `title` as read the way the map says the screen does
        it (`ui.admin.notifications.mark_read`: no name = clicking the item itself; a name = that control
        in the item's list entry), and wait for the screen's POST /notifications/{id}/read (contract §9.2)."""
        mark = self.map.element("ui.admin.notifications.mark_read")
        item = self.notification_links(title).first
        target = item if not mark.name else self.by(  # the control in the newest entry with that title
            self.notifications_list().get_by_role("listitem").filter(has_text=pattern(title)).first, mark)

        def is_read_call(response) -> bool:
            path = urlparse(response.url).path
            return response.request.method == "POST" and path.endswith("/read") and "/notifications/" in path

        with self.page.expect_response(is_read_call) as answer:
            target.click()
        if answer.value.status != 200:
            raise AssertionError(f"a tela pediu a leitura e o CP respondeu {answer.value.status}: "
                                 f"{answer.value.text()[:200]}")

    def open_notification(self, title: str) -> None:
        """Click the first (newest) notification titled `title` and wait for the page it opens."""
        before = self.page.url
        self.notification_links(title).first.click()
        self.page.wait_for_url(lambda url: url != before)

    # --- Balança comercial ---------------------------------------------------------------------
    def _choose(self, entry: str, option: str) -> None:
        """Pick `option` in a WL selector: a native <select>, or a custom combobox with a listbox."""
        selector = self._admin_el(entry)
        if self.map.value("ui.admin.balance.select_style") == "nativo":
            selector.select_option(label=option)  # waits for the option (destinations load after the origin)
            return
        selector.click()
        self.page.get_by_role("option", name=pattern(option, exact=True)).click()

    def search_balance(self, origin_name: str, destination_name: str) -> None:
        self._choose("ui.admin.balance.origin", origin_name)
        self._choose("ui.admin.balance.destination", destination_name)
        self._admin_el("ui.admin.balance.search").click()
        label = self.map.value("ui.admin.balance.label.confirmed")
        self.page.get_by_role("term").filter(has_text=pattern(label, exact=True)).wait_for()

    def balance_values(self, fields) -> dict[str, str | None]:
        """What the screen shows for each field (support.ui.balance.LABELS: field -> the map's label)."""
        from .balance import LABELS

        main = self.page.get_by_role("main")
        return {field: self.described(main, Element("term", self.map.value(LABELS[field]))) for field in fields}

    # --- Relacionamentos -----------------------------------------------------------------------
    def relationships_table(self):
        return self._table("ui.admin.relationships.table")

    def edit_relationship(self, origin_name: str, destination_name: str):
        row_text = self.map.template_pattern("ui.admin.relationships.row", anchored=False, origem=origin_name,
                                             destino=destination_name)
        row = self.relationships_table().get_by_role("row").filter(has_text=row_text)
        self._admin_el("ui.admin.relationships.edit", row).click()
        dialog = self._admin_el("ui.admin.relationships.edit_dialog")
        dialog.wait_for()
        return dialog

    def _section(self, dialog, section: str):
        entry = {"Categorias": "ui.admin.relationships.categories", "Entidades": "ui.admin.relationships.entities"}
        return self._admin_el(entry[section], dialog)

    def snapshot_item(self, dialog, section: str, name: str) -> tuple[str, int]:
        """The item named "<name> <count>" (the map's template) in the dialog's section `section`
        ("Categorias", "Entidades"): its visible label and the count at its end."""
        item_el = self.map.element("ui.admin.relationships.item")
        shape = self.map.template_pattern("ui.admin.relationships.item", nome=name)
        item = self._section(dialog, section).get_by_role(item_el.role, name=shape)
        item.wait_for()
        label = item.evaluate("el => (el.labels && el.labels.length ? el.labels[0].innerText"
                              " : el.getAttribute('aria-label') || '')").strip()
        match = shape.search(label)
        if not match:
            raise AssertionError(f"o item {label!r} de {section} não é {self.map.value('ui.admin.relationships.item')!r}")
        return label, int(match.group(1))

    def shown_items(self, dialog, section: str) -> list[str]:
        """The visible labels of the items in the dialog's section (items the search hid are not shown)."""
        item_el = self.map.element("ui.admin.relationships.item")
        return [item.evaluate("el => (el.labels && el.labels.length ? el.labels[0].innerText"
                              " : el.getAttribute('aria-label') || '')").strip()
                for item in self._section(dialog, section).get_by_role(item_el.role).all()]

    def search_categories(self, dialog, term: str) -> None:
        self._admin_el("ui.admin.relationships.category_search", self._section(dialog, "Categorias")).fill(term)
