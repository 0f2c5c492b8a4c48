"""The Admin UI's and the storefront's pages as a read-only probe sees them, in the run's Chromium: each
page's ARIA snapshot (`locator.aria_snapshot()`: the roles and names Playwright finds, which the capture
command records), and for each map entry of the page whether its role and name are there.

Reading only: the Admin UI is entered with the profile's MASTER (a login changes nothing) and each
page's route is opened; the storefront's sign-in page is opened and the QA account signs in (a cookie).
Nothing is clicked that decides, buys or saves.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urljoin

from ..stackmap import StackMap
from ..stackmap.catalogue import FACTS
from ..ui.admin import AdminUi

PAGE_BUDGET_SECONDS = 5.0
ADMIN_PAGES = ("trades", "pending", "notifications", "balance", "relationships")
ADMIN = "ui.admin"


@dataclass
class PageSeen:
    title: str
    url: str = ""
    status: int | None = None  # the page's HTTP status
    snapshot: str = ""
    found: dict[str, bool | None] = field(default_factory=dict)  # entry -> seen / not seen / not checked
    details: dict[str, str] = field(default_factory=dict)

    def detail(self, name: str) -> str:
        return self.details.get(name, "")

    def mark(self, name: str, seen: bool | None, detail: str) -> None:
        self.found[name], self.details[name] = seen, detail


def _entries(m: StackMap, names, surface: str) -> list[str]:
    wanted = set(names)
    return [f.name for f in FACTS if f.surface == surface and f.name in wanted and m.entry(f.name).known]


class Prober:
    def __init__(self, session, page, names):
        self.session, self.page, self.map = session, page, session.stack_map
        self.names = set(names)
        self.deadline = 0.0

    def _remaining_ms(self) -> float:
        return max(0.0, self.deadline - time.monotonic()) * 1000

    def _present(self, locator) -> bool:
        if locator.count():
            return True
        try:
            locator.first.wait_for(state="attached", timeout=max(1.0, self._remaining_ms()))
            return True
        except Exception:
            return False

    def element(self, seen: PageSeen, name: str, container=None) -> None:
        element = self.map.entry(name)
        locator = AdminUi.by(container or self.page, self.map.element(name))
        found = self._present(locator)
        shown = f'{element.role} "{element.value}"' if element.value else element.role
        seen.mark(name, found, f"{'mostra' if found else 'não mostra'} {shown}")

    def template(self, seen: PageSeen, name: str) -> None:
        found = self._present(self.page.get_by_text(self.map.template_pattern(name)))
        seen.mark(name, found, f"{'mostra' if found else 'não mostra'} o texto {self.map.entry(name).value!r}")

    def check(self, seen: PageSeen, names: list[str]) -> None:
        """Look for each known entry of `names` on the page (an unknown one has nothing to look for)."""
        for name in names:
            if not self.map.entry(name).known:
                continue
            kind = self.map.entry(name).fact.kind
            if kind == "element":
                self.element(seen, name)
            elif kind == "template":
                self.template(seen, name)

    def visit(self, title: str, url: str, heading: str | None) -> PageSeen:
        """Open `url` and wait for the page: `heading` (an element the map knows the page shows: its heading,
        its form's first field), else the network to settle (Playwright's networkidle: 0.5 s of quiet)."""
        seen = PageSeen(title, url)
        self.deadline = time.monotonic() + PAGE_BUDGET_SECONDS
        response = self.page.goto(url)
        seen.status = response.status if response is not None else None
        if heading is not None and heading in self.names:
            self.element(seen, heading)
        elif heading is not None:  # not checked in this run, but the page is there once its heading is
            self._present(AdminUi.by(self.page, self.map.element(heading)))
        else:
            try:
                self.page.wait_for_load_state("networkidle", timeout=max(1.0, self._remaining_ms()))
            except Exception:
                pass  # a page that keeps polling: take it as it is
        seen.url = self.page.url  # where the page ended (after redirects)
        return seen

    def snapshot(self, seen: PageSeen) -> None:
        try:
            seen.snapshot = self.page.locator("body").aria_snapshot()
        except Exception as exc:  # a page that does not render: the snapshot says why
            seen.snapshot = f"(sem snapshot: {type(exc).__name__}: {exc})"[:300]


def _first_known(m: StackMap, names: list[str]) -> str | None:
    """The first of `names` (page elements) that the map knows: the page is there once it shows."""
    return next((n for n in names if m.entry(n).known and m.entry(n).fact.kind == "element"), None)


def _admin_login(prober: Prober, observed, names) -> bool:
    m, session = prober.map, prober.session
    login = [f"ui.admin.login.{f}" for f in ("email", "password", "submit")]
    seen = prober.visit("Admin UI: entrada", session.config.admin_ui_url, _first_known(m, login))
    prober.check(seen, [n for n in login if n in names])
    prober.snapshot(seen)
    observed.pages["admin:login"] = seen
    if not all(m.entry(n).known and seen.found.get(n, True) for n in login):
        observed.problems["ui:admin"] = "não entrei na Admin UI: o formulário de login não está no mapa ou na tela"
        return False
    ui = AdminUi(prober.page, session.config.admin_ui_url, m)
    ui.by(prober.page, m.element("ui.admin.login.email")).fill(session.config.admin_email)
    ui.by(prober.page, m.element("ui.admin.login.password")).fill(session.config.admin_password)
    before = prober.page.url
    ui.by(prober.page, m.element("ui.admin.login.submit")).click()
    try:  # the UI keeps the session when the login answer arrives: leave the page only after it moved on
        prober.page.wait_for_url(lambda url: url != before, timeout=PAGE_BUDGET_SECONDS * 1000)
    except Exception:
        observed.problems["ui:admin"] = f"o login na Admin UI não saiu de {before} em {PAGE_BUDGET_SECONDS:g}s"
        return False
    return True


def _admin_page(prober: Prober, observed, page: str, names) -> None:
    m = prober.map
    route, heading = f"ui.admin.route.{page}", f"ui.admin.heading.{page}"
    if not m.entry(route).known:
        return
    url = urljoin(prober.session.config.admin_ui_url, m.entry(route).value)
    seen = prober.visit(f"Admin UI: {m.entry(route).value}", url, heading if m.entry(heading).known else None)
    loaded = seen.status is not None and seen.status < 400
    heading_seen = seen.found.get(heading)
    seen.mark(route, loaded and heading_seen is not False,
              f"{url} respondeu HTTP {seen.status}" + ("" if heading_seen is not False else
                                                        ", sem o título esperado (a rota ou o título diverge)"))
    prober.check(seen, _entries(m, names, f"ui:admin:{page}"))
    if page == "trades" and "ui.admin.signed_in" in names and m.entry("ui.admin.signed_in").known:
        banner = m.element("ui.admin.signed_in")
        text = prober.page.get_by_role(banner.role).first.inner_text() if prober._present(
            prober.page.get_by_role(banner.role)) else ""
        wanted = m.template("ui.admin.signed_in", email=prober.session.config.admin_email, role="MASTER")
        seen.mark("ui.admin.signed_in", wanted in text, f"a faixa {banner.role} mostra {text.strip()[:80]!r}")
    if page == "balance" and "ui.admin.balance.select_style" in names and m.ready("ui.admin.balance.origin"):
        selector = AdminUi.by(prober.page, m.element("ui.admin.balance.origin"))
        if prober._present(selector):
            native = selector.first.evaluate("el => el.tagName") == "SELECT"
            style = m.entry("ui.admin.balance.select_style").value
            seen.mark("ui.admin.balance.select_style", native == (style == "nativo"),
                      f"o seletor é {'um <select> nativo' if native else 'um componente próprio'}")
    prober.snapshot(seen)
    observed.pages[f"admin:{page}"] = seen


def _store(prober: Prober, observed, names) -> None:
    m, c = prober.map, prober.session.config
    route = "ui.store.route.sign_in"
    if not m.entry(route).known:  # where the storefront sends a visitor: its sign-in page, for the capture
        seen = prober.visit("Loja: início", c.storefront_url.rstrip("/") + "/", None)
        prober.snapshot(seen)
        observed.pages["store:root"] = seen
        return
    url = c.storefront_url.rstrip("/") + m.entry(route).value
    form = [f.name for f in FACTS if f.surface == "ui:store:sign_in"]
    seen = prober.visit("Loja: entrada", url, _first_known(m, form))
    seen.mark(route, seen.status is not None and seen.status < 400, f"{url} respondeu HTTP {seen.status}")
    prober.check(seen, _entries(m, names, "ui:store:sign_in"))
    prober.snapshot(seen)
    observed.pages["store:sign_in"] = seen


def admin_pages(names) -> list[str]:
    """The Admin UI pages that show one of `names`: its route, its heading or one of its own entries."""
    wanted = set(names)
    return [page for page in ADMIN_PAGES
            if {f"{ADMIN}.route.{page}", f"{ADMIN}.heading.{page}"} & wanted
            or any(f.surface == f"ui:admin:{page}" and f.name in wanted for f in FACTS)
            or (page == "trades" and f"{ADMIN}.signed_in" in wanted)]


def observe_pages(session, observed, surfaces, wanted=None) -> None:
    """Open the pages whose entries the run needs (`wanted`; None: all of `surfaces`), in a context of the
    run's browser: a page none of whose entries is wanted is not opened."""
    from ..ui.browser import runner_for

    names = [f.name for f in FACTS if f.surface in surfaces and (wanted is None or f.name in wanted)]
    pages = admin_pages(names)
    runner = runner_for(session)
    context = runner.new_probe_context()
    try:
        prober = Prober(session, context.new_page(), names)
        login = any(n.startswith(f"{ADMIN}.login.") for n in names)
        if (pages or login) and _admin_login(prober, observed, names):
            for page in pages:
                _admin_page(prober, observed, page, names)
        if any(s.startswith("ui:store") for s in surfaces):
            _store(prober, observed, names)
    except Exception as exc:  # the probe must never stop the run: what it did not see stays unchecked
        observed.problems["ui"] = f"a sonda das telas parou: {type(exc).__name__}: {str(exc)[:200]}"
    finally:
        context.close()

