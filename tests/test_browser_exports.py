"""In a real Chromium at phone size, JavaScript off: the coordinator opens the sync report from the
home page; its summary and each section's pages read as cards without sideways scrolling and at a
sane height, log no console errors, and the print version hides the navigation.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from titiktemu.demo.seed import DEMO_COORDINATOR
from titiktemu.extensions import db
from titiktemu.matching.rebuild import rebuild_regency

from .browser import ARTIFACTS, PHONE, fits_the_phone, live_server, phone_page, sign_in
from .snapshot import seeded_demo

pytest.importorskip("playwright.sync_api")

#: A page a person scrolls through on a phone: at most twenty screens (the report was 300).
SANE_HEIGHT = 20 * PHONE["height"]


def readable(page: Any, what: str) -> None:
    """``what`` fits the phone's width and is no taller than ``SANE_HEIGHT``."""
    fits_the_phone(page, what)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= SANE_HEIGHT, f"{what} is {height}px tall on a phone"


def test_the_sync_report_reads_on_a_phone_and_prints_clean(app: Flask) -> None:
    with app.app_context():
        seeded_demo(db.session(), "33.10")
        rebuild_regency(db.session(), "33.10")
    with live_server(app) as base, phone_page() as page:
        sign_in(page, base, DEMO_COORDINATOR)

        page.click("a[href^='/reports/sync']:not([href*='.xlsx'])")
        assert page.url.endswith("/reports/sync")
        # The first page is the summary per kecamatan; each other table is a tap away.
        assert page.locator("table.report").count() == 1
        assert page.locator("#t-summary_kecamatan tbody tr").count() == 26
        assert page.locator("a[href$='/reports/sync.xlsx']").count() == 1
        assert page.locator("nav.sections a").count() == 6
        readable(page, "the sync report")
        # Each section's first page reads on a phone too: no sideways scroll, a sane height.
        for link in page.locator("nav.sections a").evaluate_all("a => a.map(e => e.href)")[1:]:
            page.goto(link)
            assert page.locator("article.sync-report section h2").count() == 1
            readable(page, link)
        # The 3W is paged: "next" leads on, the pager says where one is.
        page.click("nav.sections a[href*='section=3w']")
        assert page.locator("#t-3w tbody tr").count() > 0
        page.locator("nav.pager a[rel=next]").first.click()
        page.wait_for_load_state("load")  # a locator's click returns at commit
        assert "page=2" in page.url
        assert page.locator("#t-3w tbody tr").count() > 0
        assert page.locator("nav.pager a[rel=prev]").count() == 2
        readable(page, "the 3W's second page")
        # On a phone each row is a card: cells stack, labelled by their column.
        cell = page.locator("#t-3w tbody tr").first.locator("td").first
        assert cell.evaluate("e => getComputedStyle(e).display") == "flex"
        assert cell.evaluate("e => getComputedStyle(e, '::before').content") != "none"
        # The first screens only.
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(
            path=str(ARTIFACTS / "sync-report.png"),
            clip={"x": 0, "y": 0, "width": PHONE["width"], "height": 3 * PHONE["height"]},
            full_page=True,
        )

        page.emulate_media(media="print")
        assert page.locator("nav.main").is_hidden()
        assert page.locator(".downloads").is_hidden()
        assert page.locator("nav.pager").first.is_hidden()
        assert cell.evaluate("e => getComputedStyle(e).display") == "table-cell"  # a table on paper
