"""In a real Chromium at phone size: sign in, see the regency, switch to English, sign out."""

from __future__ import annotations

import pytest
from flask import Flask

from titiktemu.models import Role

from .browser import fits_the_phone, live_server, phone_page, screenshot
from .conftest import PASSWORD

pytest.importorskip("playwright.sync_api")


def test_sign_in_see_counts_switch_language_sign_out(app: Flask, make_person) -> None:
    make_person("koor@example.org", role=Role.COORDINATOR, name="Bu Koordinator")
    with live_server(app) as base, phone_page() as page:
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
        fits_the_phone(page, "the home page")
        screenshot(page, "home")
        page.click("button[name=lang][value=en]")
        assert "open needs" in page.locator(".counts").inner_text()
        page.click("text=Sign out")
        assert page.url.startswith(f"{base}/login")
