"""The waits of the steps come from the profile: XPORY_TELEMETRY_TIMEOUT_SECONDS (what a WL does reaching
the CP and the other WL) and XPORY_UI_TIMEOUT_SECONDS (every browser action and page wait). A real
Chromium shows the UI deadline is the profile's; a scan shows no step waits on a number of its own."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from support import config

ROOT = Path(__file__).resolve().parents[2]


def test_every_profile_sets_both_waits_and_staging_waits_longer(profiles_dir, full_environ):
    embutido = config.load(environ={}, profiles_dir=profiles_dir)
    for profile in ("staging-local", "externo"):
        staging = config.load(environ=full_environ(XPORY_PERFIL=profile), profiles_dir=profiles_dir)
        assert staging.telemetry_timeout_seconds > embutido.telemetry_timeout_seconds
        assert staging.ui_timeout_seconds > embutido.ui_timeout_seconds


def test_no_step_waits_on_a_number_of_its_own():
    literal = re.compile(r"\btimeout\s*=\s*\d")
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for path in [*sorted((ROOT / "steps").glob("*.py")), ROOT / "support" / "trading.py"]
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if literal.search(line)]
    assert found == []


@pytest.mark.parametrize("seconds", ["0.3", "1"])
def test_the_browser_waits_as_long_as_the_profile_says(tmp_path, embedded_pki, http_server, seconds):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    from support.ui.browser import BrowserRunner

    cfg = config.load(environ={"XPORY_RUNTIME_DIR": str(tmp_path / "rt"), "XPORY_UI_TIMEOUT_SECONDS": seconds})
    cfg = cfg.with_values(XPORY_CA_FILE=embedded_pki.ca_cert, XPORY_STOREFRONT_URL=http_server.url,
                          XPORY_ADMIN_UI_URL=http_server.url + "/admin/")
    runner = BrowserRunner(cfg)
    try:
        ui = runner.new_scenario()
        ui.page.goto(http_server.url + "/slow", timeout=60_000)  # only the waits below are under test
        started = time.monotonic()
        with pytest.raises(PlaywrightTimeout, match=f"Timeout {int(float(seconds) * 1000)}ms exceeded"):
            ui.page.get_by_role("button", name="Não existe").click()
        assert time.monotonic() - started >= float(seconds)
        with pytest.raises(AssertionError, match=f"with timeout {int(float(seconds) * 1000)}ms"):
            expect(ui.page.get_by_text("nada disso")).to_be_visible()
        ui.finish(False, None)
    finally:
        runner.close()
