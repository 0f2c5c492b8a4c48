"""The browser of the `@ui` scenarios: one Chromium per run, started lazily by the first `@ui`
scenario, and one fresh context + page per scenario, traced (DOM snapshots of every action; the
screencast too with `XPORY_UI_TRACE_SCREENSHOTS=true`) so a failing scenario leaves a screenshot and a
Playwright trace. The trace is recorded in every `@ui` scenario (a failure cannot be foreseen) and
written only when the scenario failed.

Signing in once per run: the first scenario that signs in to the Admin UI as a user does it through the
login form; the browser state that form left (cookies, localStorage and sessionStorage of the Admin UI's
origin, captured right after the login) is kept by the runner, and a later scenario signing in as the
same user starts from that state in its own fresh context, instead of filling the form again. When the
state no longer opens the trades screen (the app sends it back to the login form, or an admin API call
answers 401: a reset or restart of the CP may invalidate tokens), that scenario logs in through the form
and the kept state is replaced.

Which Chromium: Playwright's own when it is installed (`playwright install chromium`), else a system
Chromium (`XPORY_BROWSER_PATH`, or /usr/bin/chromium), else one SuiteSetupError saying how to install
one. Headless unless `XPORY_HEADED=true`; `XPORY_SLOWMO_MS` slows every action down.

Certificates stay verified: the browser runs with HOME set to `<XPORY_RUNTIME_DIR>/navegadores/<pid>/browser-home`,
whose NSS database (`.pki/nssdb`, where Chromium on Linux looks) trusts the profile's CA
(`XPORY_CA_FILE`), as a user would import it. Nothing here ignores HTTPS errors.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import SuiteSetupError

# root/CI friendly; without the background-networking flags Chromium reaches for the network at start
LAUNCH_ARGS = (
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
)
SYSTEM_BROWSERS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
# Debian's chromium-headless-shell: the old headless mode, which Playwright itself uses for headless runs
# (its chromium-headless-shell build). Headless runs take it first when it is there: the full browser in
# its new headless mode drew every frame and took about three times the CPU (@ui on this 2-core machine:
# 17.6 s of Chromium CPU and 17.5 s of scenarios, against 6.3 s and 11.9 s with the shell).
HEADLESS_SHELLS = ("/usr/bin/chromium-headless-shell",)
CA_NICKNAME = "xpory-ca"
INSTALL_HINT = ("instale um Chromium: `apt-get install chromium` (e aponte XPORY_BROWSER_PATH se ele não "
                "ficar em /usr/bin/chromium) ou `playwright install chromium`")


@dataclass(frozen=True)
class BrowserChoice:
    """The Chromium to launch: `executable` None = Playwright's own (found at `path`)."""

    executable: str | None
    path: str
    source: str  # "playwright" | "XPORY_BROWSER_PATH" | "sistema"

    def describe(self) -> str:
        return {"playwright": "Chromium do Playwright", "XPORY_BROWSER_PATH": "Chromium de XPORY_BROWSER_PATH",
                "sistema": "Chromium do sistema"}[self.source] + f" ({self.path})"


def resolve_browser(playwright_path: str | None, configured: str | os.PathLike | None, *,
                    exists: Callable[[str], bool] = os.path.exists,
                    system_paths: tuple[str, ...] | None = None, headless: bool = True) -> BrowserChoice:
    """Playwright's Chromium when its executable exists; else XPORY_BROWSER_PATH (which must exist
    when set); else the first system Chromium found (a headless run: the headless shell first); else one
    SuiteSetupError with the fix."""
    if system_paths is None:
        system_paths = (HEADLESS_SHELLS if headless else ()) + SYSTEM_BROWSERS
    if playwright_path and exists(str(playwright_path)):
        return BrowserChoice(None, str(playwright_path), "playwright")
    if configured:
        path = str(configured)
        if exists(path):
            return BrowserChoice(path, path, "XPORY_BROWSER_PATH")
        raise SuiteSetupError(
            f"XPORY_BROWSER_PATH={path} não existe, e o Chromium do Playwright não está instalado "
            f"({playwright_path or 'caminho desconhecido'}); corrija o caminho ou {INSTALL_HINT}.")
    for path in system_paths:
        if exists(path):
            return BrowserChoice(path, path, "sistema")
    raise SuiteSetupError(
        "Os cenários @ui precisam de um Chromium e nenhum foi encontrado (nem o do Playwright em "
        f"{playwright_path or '?'}, nem {', '.join(system_paths)}): {INSTALL_HINT}. "
        "Para rodar sem eles: behave --tags='not @ui'.")


def trust_store(runtime_dir: Path, ca_file: Path, *, certutil: str | None = None,
                run: Callable[..., subprocess.CompletedProcess] = subprocess.run) -> Path:
    """A browser home whose NSS database trusts `ca_file` (rebuilt on every run: the CA may change).

    Returns the folder to use as the browser's HOME. Raises SuiteSetupError when certutil is missing
    or refuses the CA.
    """
    certutil = certutil or shutil.which("certutil")
    if not certutil:
        raise SuiteSetupError(
            "Os cenários @ui precisam do certutil para o Chromium confiar na CA do perfil "
            f"({ca_file}) sem desligar a verificação de certificados: instale `libnss3-tools` "
            "(apt-get install libnss3-tools).")
    if not Path(ca_file).is_file():
        raise SuiteSetupError(f"A CA do perfil não existe: XPORY_CA_FILE={ca_file}")
    home = Path(runtime_dir) / "browser-home"
    nssdb = home / ".pki" / "nssdb"
    shutil.rmtree(nssdb, ignore_errors=True)
    nssdb.mkdir(parents=True)
    database = f"sql:{nssdb}"
    for args in (["-N", "-d", database, "--empty-password"],
                 ["-A", "-d", database, "-t", "C,,", "-n", CA_NICKNAME, "-i", str(ca_file)]):
        done = run([certutil, *args], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SuiteSetupError(
                f"certutil {args[0]} falhou ({done.returncode}) ao preparar a confiança do navegador em "
                f"{nssdb}: {(done.stderr or done.stdout or '').strip()[:300]}")
    return home


def process_runtime(runtime_dir: Path) -> Path:
    """This process's folder for the browser's home, `<runtime>/navegadores/<pid>`: runs of the suite in
    parallel (tools/paralelo.py) each rebuild their NSS database without touching another's. Folders of
    processes that are gone are removed."""
    root = Path(runtime_dir) / "navegadores"
    for old in root.glob("*"):
        if old.name.isdigit() and int(old.name) != os.getpid() and not Path(f"/proc/{old.name}").exists():
            shutil.rmtree(old, ignore_errors=True)
    return root / str(os.getpid())


def launch_options(choice: BrowserChoice, home: Path, *, headed: bool = False, slowmo_ms: int = 0,
                   environ: dict | None = None) -> dict:
    """Keyword arguments of `playwright.chromium.launch` (no option that skips certificate checks).
    The browser gets the suite's environment without its XPORY_* settings (secrets among them), and
    HOME = the folder whose NSS database trusts the profile's CA."""
    env = {k: v for k, v in (os.environ if environ is None else environ).items() if not k.startswith("XPORY_")}
    env["HOME"] = str(home)
    options = {"headless": not headed, "args": list(LAUNCH_ARGS), "env": env}
    if slowmo_ms:
        options["slow_mo"] = slowmo_ms
    if choice.executable:
        options["executable_path"] = choice.executable
    return options


RESTORED_MARK = "xpory.suite.restored"
# Runs before any script of every document of the context: puts the kept storage of the page's origin
# back once per tab (the mark stays in sessionStorage), so a later logout inside the scenario sticks.
RESTORE_SCRIPT = """(saved => {
  const kept = saved[location.origin];
  if (!kept) return;
  try {
    if (window.sessionStorage.getItem(%(mark)s)) return;
    for (const [k, v] of Object.entries(kept.localStorage || {})) window.localStorage.setItem(k, v);
    for (const [k, v] of Object.entries(kept.sessionStorage || {})) window.sessionStorage.setItem(k, v);
    window.sessionStorage.setItem(%(mark)s, "1");
  } catch (e) { /* storage not available on this document */ }
})(%(saved)s);"""
CAPTURE_SCRIPT = "() => Object.fromEntries(Object.entries(window.sessionStorage))"


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass(frozen=True)
class SignedIn:
    """A browser state captured right after a login through the form: cookies, and per origin the
    localStorage and sessionStorage items."""

    cookies: list
    storage: dict  # origin -> {"localStorage": {...}, "sessionStorage": {...}}

    def restore_script(self) -> str:
        return RESTORE_SCRIPT % {"mark": json.dumps(RESTORED_MARK), "saved": json.dumps(self.storage)}


def capture_signed_in(context, page) -> SignedIn:
    """The context's state now (Playwright's storage_state: cookies + localStorage) plus the page's
    sessionStorage (which storage_state leaves out)."""
    state = context.storage_state()
    storage: dict[str, dict] = {o["origin"]: {"localStorage": {i["name"]: i["value"] for i in o.get("localStorage", [])}}
                                for o in state.get("origins", [])}
    here = origin_of(page.url)
    items = {k: v for k, v in page.evaluate(CAPTURE_SCRIPT).items() if k != RESTORED_MARK}
    storage.setdefault(here, {})["sessionStorage"] = items
    return SignedIn(list(state.get("cookies", [])), storage)


class UiScenario:
    """One scenario's browser context and page (tracing on), and its page objects."""

    def __init__(self, context, page, config, stack_map, signed_in: dict | None = None):
        from .admin import AdminUi
        from .storefront import Storefront

        self.context = context
        self.page = page
        self.storefront = Storefront(page, config.storefront_url, stack_map)
        self.admin = AdminUi(page, config.admin_ui_url, stack_map)
        self.admin_api = config.get("XPORY_CP_ADMIN_API") or ""  # its 401s mean the kept state was refused
        self.signed_in = {} if signed_in is None else signed_in  # the runner's: kept across scenarios
        self.sign_in_mode: str | None = None  # "formulário" | "estado da sessão reaproveitado"
        self.closed = False

    def sign_in_admin(self, email: str, password: str) -> str:
        """Signed in to the Admin UI as `email`, on the trades screen: from the state a previous
        scenario's form login left, when it still opens the trades screen; else through the login
        form (and that state is kept for the next scenarios). Returns how."""
        key = ("admin", email)
        kept = self.signed_in.get(key)
        if kept is not None and self._resume(kept):
            self.sign_in_mode = "estado da sessão reaproveitado"
            return self.sign_in_mode
        self.signed_in.pop(key, None)
        self.admin.log_in(email, password)
        self.signed_in[key] = capture_signed_in(self.context, self.page)
        self.sign_in_mode = "formulário"
        return self.sign_in_mode

    def _resume(self, kept: SignedIn) -> bool:
        """Put `kept` into this context and open the trades screen; True when its table loaded with no
        admin API call answering 401 and the app did not send the page to the login form."""
        refused: list[int] = []

        def on_response(response) -> None:
            if response.status == 401 and response.url.startswith(self.admin_api):
                refused.append(response.status)

        if kept.cookies:
            self.context.add_cookies(kept.cookies)
        self.context.add_init_script(script=kept.restore_script())
        self.page.on("response", on_response)
        try:
            opened = self.admin.open_signed_in()
        finally:
            self.page.remove_listener("response", on_response)
        return opened and not refused

    def __repr__(self) -> str:  # shown by World.dump(); the masker still runs over it
        try:
            url = self.page.url
        except Exception:
            url = "?"
        return f"<navegador: página {url}>"

    def finish(self, failed: bool, folder: Path | None) -> list[Path]:
        """Stop tracing (saving trace.zip, with a screenshot, into `folder` when the scenario failed)
        and close the context. Returns the files written."""
        if self.closed:
            return []
        written: list[Path] = []
        try:
            if failed and folder is not None:
                shot = folder / "screenshot.png"
                try:
                    self.page.screenshot(path=str(shot), full_page=True, timeout=5_000)
                    written.append(shot)
                except Exception:
                    pass
                trace = folder / "trace.zip"
                self.context.tracing.stop(path=str(trace))
                written.append(trace)
            else:
                self.context.tracing.stop()
        finally:
            self.closed = True
            self.context.close()
        return written


class BrowserRunner:
    """The run-long Chromium (started at the first `new_scenario`, closed with the session)."""

    def __init__(self, config, *, playwright_factory=None, stack_map=None):
        self.config = config
        self.stack_map = stack_map
        self._factory = playwright_factory
        self._playwright = None
        self._browser = None
        self.choice: BrowserChoice | None = None
        self.signed_in: dict = {}  # (kind, user) -> SignedIn, from the run's form logins

    @property
    def started(self) -> bool:
        return self._browser is not None

    def start(self) -> None:
        if self._browser is not None:
            return
        factory = self._factory
        if factory is None:
            from playwright.sync_api import sync_playwright as factory
        c = self.config
        home = trust_store(process_runtime(c.path("XPORY_RUNTIME_DIR")), c.path("XPORY_CA_FILE"))
        playwright = factory().start()
        try:
            self.choice = resolve_browser(playwright.chromium.executable_path, c.get("XPORY_BROWSER_PATH"),
                                          headless=not bool(c.get("XPORY_HEADED", False)))
            options = launch_options(self.choice, home, headed=bool(c.get("XPORY_HEADED", False)),
                                     slowmo_ms=int(c.get("XPORY_SLOWMO_MS", 0) or 0))
            try:
                self._browser = playwright.chromium.launch(**options)
            except Exception as exc:
                raise SuiteSetupError(f"O {self.choice.describe()} não abriu: {str(exc).strip()[:500]}. "
                                      f"Confira a instalação ou {INSTALL_HINT}.") from None
        except BaseException:
            playwright.stop()
            raise
        self._playwright = playwright

    def new_scenario(self) -> UiScenario:
        self.start()
        context = self._browser.new_context(locale="pt-BR", viewport={"width": 1280, "height": 900})
        # every browser action and every page wait (Playwright's and the page objects'), and the steps'
        # expect(): the profile's XPORY_UI_TIMEOUT_SECONDS
        timeout_ms = self.config.ui_timeout_seconds * 1000
        context.set_default_timeout(timeout_ms)
        from playwright.sync_api import expect

        expect.set_options(timeout=timeout_ms)
        # DOM snapshots of every action; the screencast (a JPEG per frame, costly on a small machine) only
        # on request: the failing scenario's own screenshot is taken at the failure anyway
        context.tracing.start(screenshots=bool(self.config.get("XPORY_UI_TRACE_SCREENSHOTS", False)),
                              snapshots=True, sources=False)
        return UiScenario(context, context.new_page(), self.config, self.stack_map, self.signed_in)

    def new_probe_context(self):
        """A plain context (no trace) for the readiness probes, with the profile's UI timeout."""
        self.start()
        context = self._browser.new_context(locale="pt-BR", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(self.config.ui_timeout_seconds * 1000)
        return context

    def close(self) -> None:
        browser, playwright = self._browser, self._playwright
        self._browser = self._playwright = None
        try:
            if browser is not None:
                browser.close()
        finally:
            if playwright is not None:
                playwright.stop()


def runner_for(session) -> BrowserRunner:
    """The session's browser runner, created on first use and kept in `session.extra_clients` so
    `Session.close()` closes it with the other clients (before the stack stops)."""
    for client in session.extra_clients:
        if isinstance(client, BrowserRunner):
            return client
    runner = BrowserRunner(session.config, stack_map=session.stack_map)
    session.extra_clients.append(runner)
    return runner

