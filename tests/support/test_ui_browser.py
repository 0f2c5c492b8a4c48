"""Which Chromium the @ui scenarios run (Playwright's own, XPORY_BROWSER_PATH, the system's, or one
clear error), the NSS trust store that makes it trust the profile's CA, and the launch options.
No browser is started here."""
from __future__ import annotations

import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from support.errors import SuiteSetupError
from support.ui import browser
from support.ui.browser import BrowserRunner, resolve_browser, trust_store

BUNDLED = "/root/.cache/ms-playwright/chromium-1/chrome-linux/chrome"


def existing(*paths: str):
    return lambda path: path in paths


def test_playwright_chromium_wins_when_installed():
    choice = resolve_browser(BUNDLED, "/opt/chromium", exists=existing(BUNDLED, "/opt/chromium", "/usr/bin/chromium"))
    assert (choice.executable, choice.path, choice.source) == (None, BUNDLED, "playwright")
    assert "Playwright" in choice.describe()


def test_configured_path_when_playwright_has_no_browser():
    choice = resolve_browser(BUNDLED, Path("/opt/chromium"), exists=existing("/opt/chromium", "/usr/bin/chromium"))
    assert (choice.executable, choice.source) == ("/opt/chromium", "XPORY_BROWSER_PATH")


def test_configured_path_that_does_not_exist_is_an_error_naming_the_setting():
    with pytest.raises(SuiteSetupError) as error:
        resolve_browser(BUNDLED, "/opt/nope", exists=existing("/usr/bin/chromium"))
    message = str(error.value)
    assert "XPORY_BROWSER_PATH=/opt/nope" in message
    assert "apt-get install chromium" in message and "playwright install chromium" in message


def test_system_chromium_when_nothing_is_configured():
    choice = resolve_browser(BUNDLED, None, exists=existing("/usr/bin/chromium"))
    assert (choice.executable, choice.source) == ("/usr/bin/chromium", "sistema")
    later = resolve_browser(None, None, exists=existing("/usr/bin/chromium-browser"))
    assert later.executable == "/usr/bin/chromium-browser"


def test_a_headless_run_takes_the_headless_shell_first_and_a_headed_run_the_full_browser():
    both = existing("/usr/bin/chromium", "/usr/bin/chromium-headless-shell")
    assert resolve_browser(None, None, exists=both).executable == "/usr/bin/chromium-headless-shell"
    assert resolve_browser(None, None, exists=both, headless=False).executable == "/usr/bin/chromium"
    assert resolve_browser(BUNDLED, None, exists=existing(BUNDLED, "/usr/bin/chromium-headless-shell")).source == \
        "playwright"  # Playwright's own stays the default where it exists
    only_shell = existing("/usr/bin/chromium-headless-shell")
    with pytest.raises(SuiteSetupError):  # a headed run cannot use the shell
        resolve_browser(None, None, exists=only_shell, headless=False)


def test_no_browser_at_all_is_one_clear_error():
    with pytest.raises(SuiteSetupError) as error:
        resolve_browser(BUNDLED, None, exists=existing())
    message = str(error.value)
    assert "apt-get install chromium" in message
    assert "playwright install chromium" in message
    assert "not @ui" in message


def test_launch_options_headless_by_default_with_ci_flags_and_the_trusting_home(tmp_path):
    choice = resolve_browser(None, None, exists=existing("/usr/bin/chromium"))
    options = browser.launch_options(choice, tmp_path, environ={"PATH": "/usr/bin", "HOME": "/root",
                                                                "XPORY_ADMIN_PASSWORD": "s3cret"})
    assert options["headless"] is True
    assert options["executable_path"] == "/usr/bin/chromium"
    assert options["env"] == {"PATH": "/usr/bin", "HOME": str(tmp_path)}
    for flag in ("--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"):
        assert flag in options["args"]
    assert not [a for a in options["args"] if "certificate" in a]
    assert "ignore_https_errors" not in options and "slow_mo" not in options


def test_launch_options_headed_and_slow_motion(tmp_path):
    choice = resolve_browser(BUNDLED, None, exists=existing(BUNDLED))
    options = browser.launch_options(choice, tmp_path, headed=True, slowmo_ms=250, environ={})
    assert options["headless"] is False and options["slow_mo"] == 250
    assert "executable_path" not in options  # Playwright's own


class FakeCertutil:
    def __init__(self, fail_on: str | None = None):
        self.calls: list[list[str]] = []
        self.fail_on = fail_on

    def __call__(self, args, **kwargs):
        self.calls.append(args)
        code = 1 if self.fail_on and self.fail_on in args else 0
        return subprocess.CompletedProcess(args, code, stdout="", stderr="certutil: bad cert" if code else "")


def test_trust_store_builds_a_fresh_nss_database_trusting_the_ca(tmp_path):
    ca = tmp_path / "ca.crt"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    stale = tmp_path / "rt" / "browser-home" / ".pki" / "nssdb" / "cert9.db"
    stale.parent.mkdir(parents=True)
    stale.write_text("old CA")
    run = FakeCertutil()
    home = trust_store(tmp_path / "rt", ca, certutil="/usr/bin/certutil", run=run)
    nssdb = f"sql:{home / '.pki' / 'nssdb'}"
    assert home == tmp_path / "rt" / "browser-home"
    assert not stale.exists()  # rebuilt: the embedded CA may have changed since the last run
    assert run.calls == [
        ["/usr/bin/certutil", "-N", "-d", nssdb, "--empty-password"],
        ["/usr/bin/certutil", "-A", "-d", nssdb, "-t", "C,,", "-n", "xpory-ca", "-i", str(ca)],
    ]


def test_trust_store_without_certutil_says_to_install_libnss3_tools(tmp_path, monkeypatch):
    monkeypatch.setattr(browser.shutil, "which", lambda name: None)
    with pytest.raises(SuiteSetupError, match=r"libnss3-tools"):
        trust_store(tmp_path, tmp_path / "ca.crt")


def test_trust_store_reports_certutil_refusing_the_ca(tmp_path):
    ca = tmp_path / "ca.crt"
    ca.write_text("not a certificate")
    with pytest.raises(SuiteSetupError, match=r"certutil -A falhou.*bad cert"):
        trust_store(tmp_path, ca, certutil="certutil", run=FakeCertutil(fail_on="-A"))


def test_trust_store_needs_the_ca_file(tmp_path):
    with pytest.raises(SuiteSetupError, match="XPORY_CA_FILE"):
        trust_store(tmp_path, tmp_path / "missing.crt", certutil="certutil", run=FakeCertutil())


# --- the run-long runner, with a fake Playwright ----------------------------------------------------
class FakePlaywright:
    def __init__(self, executable_path: str, launch_error: Exception | None = None):
        self.launches: list[dict] = []
        self.stopped = False
        self.chromium = SimpleNamespace(executable_path=executable_path, launch=self._launch)
        self._error = launch_error

    def _launch(self, **options):
        if self._error:
            raise self._error
        self.launches.append(options)
        return SimpleNamespace(close=lambda: None)

    def start(self):
        return self

    def stop(self):
        self.stopped = True


def _config(tmp_path, **values):
    ca = tmp_path / "ca.crt"
    ca.write_text("ca")
    base = {"XPORY_RUNTIME_DIR": tmp_path / "rt", "XPORY_CA_FILE": ca}
    base.update(values)
    return SimpleNamespace(path=lambda name: Path(base[name]), get=lambda name, default=None: base.get(name, default))


def test_runner_starts_lazily_once_with_the_resolved_browser(tmp_path, monkeypatch):
    monkeypatch.setattr(browser, "trust_store", lambda runtime, ca: tmp_path / "home")
    fake = FakePlaywright(str(tmp_path / "no-bundled-chrome"))
    system = tmp_path / "chromium"
    system.write_text("")
    runner = BrowserRunner(_config(tmp_path, XPORY_BROWSER_PATH=system, XPORY_SLOWMO_MS=50),
                           playwright_factory=lambda: fake)
    assert not runner.started
    runner.start()
    runner.start()
    assert runner.started and len(fake.launches) == 1
    assert fake.launches[0]["executable_path"] == str(system)
    assert fake.launches[0]["slow_mo"] == 50 and fake.launches[0]["env"]["HOME"] == str(tmp_path / "home")
    assert runner.choice.source == "XPORY_BROWSER_PATH"
    runner.close()
    assert fake.stopped and not runner.started


def test_runner_turns_a_launch_failure_into_one_setup_error(tmp_path, monkeypatch):
    monkeypatch.setattr(browser, "trust_store", lambda runtime, ca: tmp_path / "home")
    system = tmp_path / "chromium"
    system.write_text("")
    fake = FakePlaywright("/nowhere", launch_error=RuntimeError("Failed to launch: missing libnss3.so"))
    runner = BrowserRunner(_config(tmp_path, XPORY_BROWSER_PATH=system), playwright_factory=lambda: fake)
    with pytest.raises(SuiteSetupError, match=r"não abriu: Failed to launch: missing libnss3\.so"):
        runner.start()
    assert fake.stopped and not runner.started


def test_runner_for_keeps_one_runner_in_the_session_clients():
    session = SimpleNamespace(config=object(), stack_map=object(), extra_clients=["admin-client"])
    first = browser.runner_for(session)
    assert browser.runner_for(session) is first
    assert session.extra_clients == ["admin-client", first]


# --- the kept trace holds no credential ------------------------------------------------------------
def test_mask_trace_masks_every_text_member_and_keeps_images(tmp_path):
    import zipfile

    from support.masking import Masker
    from support.ui.evidence import mask_trace

    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtYXN0ZXIifQ.c2lnbmF0dXJl"
    trace = tmp_path / "trace.zip"
    image = b"\xff\xd8\xff\xe0 qa-preflight-token stays inside a jpeg"
    with zipfile.ZipFile(trace, "w") as z:
        z.writestr("trace.trace", '{"method":"fill","params":{"value":"s3cret-pass"}}\n')
        z.writestr("trace.network", '{"request":{"headers":[{"name":"Authorization","value":"Bearer ' + jwt
                   + '"}],"postData":"accountId=90805&token=qa-preflight-token"}}\n')
        z.writestr("resources/page@1.jpeg", image)
        z.writestr("resources/abc.json", '{"ok": true}')
    changed = mask_trace(trace, Masker(["s3cret-pass", "qa-preflight-token"]))
    assert changed == 2
    with zipfile.ZipFile(trace) as z:
        assert z.namelist() == ["trace.trace", "trace.network", "resources/page@1.jpeg", "resources/abc.json"]
        text = z.read("trace.trace").decode() + z.read("trace.network").decode()
        assert "s3cret-pass" not in text and "qa-preflight-token" not in text and jwt not in text
        assert '"value":"***"' in text and "accountId=90805" in text
        assert z.read("resources/page@1.jpeg") == image
        assert z.read("resources/abc.json") == b'{"ok": true}'
    assert not (tmp_path / "trace.zip.masking").exists()


# --- one form login per run: later scenarios start from the state it left ------------------------
class _FakeContext:
    def __init__(self):
        self.cookies, self.scripts = [], []

    def storage_state(self):
        return {"cookies": [{"name": "c", "value": "1"}],
                "origins": [{"origin": "https://cp.test", "localStorage": [{"name": "l", "value": "2"}]}]}

    def add_cookies(self, cookies):
        self.cookies.extend(cookies)

    def add_init_script(self, script):
        self.scripts.append(script)


class _FakePage:
    url = "https://cp.test/admin/trades"

    def __init__(self):
        self.listeners = []

    def evaluate(self, script):
        return {"xporyAdmin.token": "tok", browser.RESTORED_MARK: "1"}

    def on(self, event, listener):
        self.listeners.append(listener)

    def remove_listener(self, event, listener):
        self.listeners.remove(listener)


class _FakeAdmin:
    def __init__(self, page, opens: bool, refused: bool = False):
        self.page, self.opens, self.refused, self.logins = page, opens, refused, []

    def log_in(self, email, password):
        self.logins.append(email)

    def open_signed_in(self):
        if self.refused:
            for listener in self.page.listeners:
                listener(SimpleNamespace(status=401, url="https://cp.test/admin/api/users/me"))
        return self.opens


def _scenario(kept: dict, opens: bool, refused: bool = False) -> browser.UiScenario:
    ui = browser.UiScenario.__new__(browser.UiScenario)
    ui.context, ui.page = _FakeContext(), _FakePage()
    ui.admin, ui.admin_api = _FakeAdmin(ui.page, opens, refused), "https://cp.test/admin/api"
    ui.signed_in, ui.sign_in_mode, ui.closed = kept, None, False
    return ui


def test_the_first_sign_in_uses_the_form_and_keeps_cookies_local_and_session_storage():
    kept: dict = {}
    ui = _scenario(kept, opens=True)
    assert ui.sign_in_admin("admin@x", "pw") == "formulário" and ui.admin.logins == ["admin@x"]
    state = kept[("admin", "admin@x")]
    assert state.cookies == [{"name": "c", "value": "1"}]
    assert state.storage == {"https://cp.test": {"localStorage": {"l": "2"}, "sessionStorage": {"xporyAdmin.token": "tok"}}}


def test_a_later_scenario_starts_from_the_kept_state_without_the_form():
    kept: dict = {}
    _scenario(kept, opens=True).sign_in_admin("admin@x", "pw")
    ui = _scenario(kept, opens=True)
    assert ui.sign_in_admin("admin@x", "pw") == "estado da sessão reaproveitado" and ui.admin.logins == []
    assert ui.context.cookies == [{"name": "c", "value": "1"}]
    assert '"xporyAdmin.token": "tok"' in ui.context.scripts[0] and browser.RESTORED_MARK in ui.context.scripts[0]
    assert ui.page.listeners == []


@pytest.mark.parametrize("opens, refused", [(False, False), (True, True)])
def test_a_state_the_app_refuses_falls_back_to_the_form_and_is_replaced(opens, refused):
    kept: dict = {}
    _scenario(kept, opens=True).sign_in_admin("admin@x", "pw")
    first = kept[("admin", "admin@x")]
    ui = _scenario(kept, opens=opens, refused=refused)
    assert ui.sign_in_admin("admin@x", "pw") == "formulário" and ui.admin.logins == ["admin@x"]
    assert kept[("admin", "admin@x")] is not first
