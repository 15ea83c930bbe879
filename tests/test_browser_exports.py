"""In a real Chromium at phone size, JavaScript off: the coordinator opens the sync report from the
home page; it reads as cards without sideways scrolling, logs no console errors, and its print
version hides the navigation.
"""

from __future__ import annotations

import pytest
from flask import Flask

from titiktemu.extensions import db
from titiktemu.services.demo import DEMO_COORDINATOR, seed_demo
from titiktemu.services.matching import rebuild_regency

from .browser import ARTIFACTS, PHONE, fits_the_phone, live_server, phone_page, sign_in

pytest.importorskip("playwright.sync_api")


def test_the_sync_report_reads_on_a_phone_and_prints_clean(app: Flask) -> None:
    with app.app_context():
        seed_demo(db.session(), "33.10")
        rebuild_regency(db.session(), "33.10")
    with live_server(app) as base, phone_page() as page:
        sign_in(page, base, DEMO_COORDINATOR)

        page.click("a[href^='/reports/sync']:not([href*='.xlsx'])")
        assert page.url.endswith("/reports/sync")
        assert page.locator("table.report").count() >= 4
        assert page.locator("#t-summary_kecamatan tbody tr").count() == 26
        assert page.locator("#t-3w tbody tr").count() > 0
        assert page.locator("a[href$='/reports/sync.xlsx']").count() == 1
        fits_the_phone(page, "the sync report")
        # On a phone each row is a card: cells stack, labelled by their column.
        cell = page.locator("#t-3w tbody tr").first.locator("td").first
        assert cell.evaluate("e => getComputedStyle(e).display") == "flex"
        assert cell.evaluate("e => getComputedStyle(e, '::before').content") != "none"
        # The first screens only: the whole report is many metres of cards.
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(
            path=str(ARTIFACTS / "sync-report.png"),
            clip={"x": 0, "y": 0, "width": PHONE["width"], "height": 3 * PHONE["height"]},
            full_page=True,
        )

        page.emulate_media(media="print")
        assert page.locator("nav.main").is_hidden()
        assert page.locator(".downloads").is_hidden()
        assert cell.evaluate("e => getComputedStyle(e).display") == "table-cell"  # a table on paper
