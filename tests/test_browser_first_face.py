"""In a real Chromium at phone size: sign in, see the regency, switch to English, sign out."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from titiktemu.models import Role

from .browser import CHROMIUM_ARGS, PHONE, chromium_path, live_server, screenshot
from .conftest import PASSWORD

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def page(app: Flask) -> Iterator[object]:
    executable = chromium_path()
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=PHONE, java_script_enabled=False)
        yield context.new_page()
        context.close()
        browser.close()


def test_sign_in_see_counts_switch_language_sign_out(app: Flask, page, make_person) -> None:
    make_person("koor@example.org", role=Role.COORDINATOR, name="Bu Koordinator")
    with live_server(app) as base:
        page.goto(f"{base}/")
        assert page.url.startswith(f"{base}/login")
        assert page.locator("h1").inner_text() == "Masuk"
        screenshot(page, "login")
        page.fill("input[name=email]", "koor@example.org")
        page.fill("input[name=password]", PASSWORD)
        page.click("form.form button[type=submit]")
        assert page.url == f"{base}/"
        assert page.locator("h1").inner_text() == "Kabupaten Klaten"
        assert "401" in page.locator(".counts").inner_text()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], "the home page scrolls sideways on a phone"
        screenshot(page, "home")
        page.click("button[name=lang][value=en]")
        assert "open needs" in page.locator(".counts").inner_text()
        page.click("text=Sign out")
        assert page.url.startswith(f"{base}/login")
