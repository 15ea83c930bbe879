"""In a real Chromium at phone size, JavaScript off: the coordinator reviews, compares an overlap,
reads the coverage, a village and its graph, and rebuilds the regency; nothing scrolls sideways.

Elements are found by attributes and classes, not by words, so the test holds in either language.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask

from titiktemu.demo.seed import DEMO_COORDINATOR
from titiktemu.extensions import db
from titiktemu.matching.rebuild import rebuild_regency
from titiktemu.places.coverage import kecamatan_of

from .big_regency import add_programs
from .browser import ARTIFACTS, PHONE, fits_the_phone, live_server, phone_page, screenshot, sign_in
from .snapshot import seeded_demo

pytest.importorskip("playwright.sync_api")


def test_coordinator_reviews_compares_and_explores(app: Flask) -> None:
    with app.app_context():
        seeded_demo(db.session(), "33.10")
        rebuild_regency(db.session(), "33.10")
    with live_server(app) as base, phone_page() as page:
        sign_in(page, base, DEMO_COORDINATOR)

        # The review queue: accept the first proposal; it leaves the queue.
        page.goto(f"{base}/review")
        cards = page.locator("article.proposal")
        assert cards.count() > 0
        first = cards.first.get_attribute("id")
        assert first is not None
        assert page.locator(f"#{first} .reasons li").count() > 0
        # Below the cards, the needs nobody can meet yet, each linking to its need.
        gaps = page.locator("#gaps .items li")
        assert gaps.count() > 0
        assert gaps.first.locator("a[href^='/needs/']").count() == 1
        assert gaps.first.locator("small").count() >= 2  # where, and why not yet
        fits_the_phone(page, "the review queue", scroll_boxes=True)
        screenshot(page, "review")
        page.click(f"#{first} button[name=decision][value=accepted]")
        assert re.search(r"/review$", page.url)
        assert page.locator(".flash.info").count() == 1
        assert page.locator(f"#{first}").count() == 0

        # An overlap: its interventions side by side, and what to do.
        page.goto(f"{base}/overlaps")
        page.locator("article.flag a.title").first.click()
        page.wait_for_load_state("load")  # a locator's click returns at commit
        assert re.search(r"/overlaps/\d+$", page.url)
        assert page.locator(".compare .side").count() >= 2
        assert page.locator("button[name=action][value=acknowledge]").count() == 1
        fits_the_phone(page, "an overlap", scroll_boxes=True)
        screenshot(page, "overlap")

        # Coverage: the kecamatan summary, then one kecamatan's villages, opened without JS.
        page.goto(f"{base}/coverage")
        assert page.locator("details.kec").count() == 26
        fits_the_phone(page, "the coverage", scroll_boxes=True)
        flagged = page.locator("table.matrix th.name:has(.mk.flag) a").first
        flagged.click()
        assert "kecamatan=" in page.url
        opened = page.locator("details.kec[open]")
        assert opened.count() == 1
        assert opened.locator("table.villages tbody tr").count() > 0
        fits_the_phone(page, "a kecamatan's villages", scroll_boxes=True)
        screenshot(page, "coverage")
        page.click("nav.tabs a[href*='by=category']")
        assert "by=category" in page.url
        assert page.locator("details.kec[open] table.villages").count() == 1
        fits_the_phone(page, "the activities matrix", scroll_boxes=True)
        page.go_back()

        # A village with an overlap: who does what there.
        opened.locator("th.name:has(.mk.flag) a").first.click()
        assert "/villages/" in page.url
        assert page.locator("ul.items li").count() > 0
        fits_the_phone(page, "a village", scroll_boxes=True)
        screenshot(page, "village")

        # Its graph: an SVG whose nodes are links, drawn by the server.
        page.click("a[href^='/graph/village/']")
        svg = page.locator("figure.graph svg")
        assert svg.count() == 1
        nodes = svg.locator("a")
        assert nodes.count() >= 2
        box = svg.bounding_box()
        assert box is not None and box["width"] <= PHONE["width"]
        fits_the_phone(page, "the graph", scroll_boxes=True)
        screenshot(page, "graph")
        svg.locator("a[href^='/interventions/'], a[href^='/people/']").first.click()
        page.wait_for_load_state("load")  # a locator's click returns at commit
        assert re.search(r"/(interventions|people)/\d+$", page.url)

        # Admin: rebuild now, watch it finish (in process on the embedded default).
        page.goto(f"{base}/admin")
        page.click("form[action$='/admin/rebuild'] button")
        assert re.search(r"/admin/jobs/\d+$", page.url)
        assert page.locator(".badge.job-done").count() == 1
        page.goto(f"{base}/admin")
        assert page.locator("ul.jobs li").count() >= 1
        fits_the_phone(page, "the admin page", scroll_boxes=True)
        screenshot(page, "admin")


#: Measured on each kecamatan's page: its width, the tables that scroll sideways, the matrix
#: cells cut off at the phone's edge, and whether one kecamatan's villages are open.
MEASURE = """width => ({
  width: document.documentElement.scrollWidth,
  scrolls: [...document.querySelectorAll('.scroll')]
    .filter(e => e.scrollWidth > e.clientWidth + 1).length,
  cut: [...document.querySelectorAll('table.matrix th, table.matrix td')]
    .filter(e => e.getBoundingClientRect().right > width).length,
  open: document.querySelectorAll('details.kec[open] table.villages').length,
})"""


def test_every_kecamatans_matrices_fit_the_phone(app: Flask) -> None:
    """Each kecamatan's programs and activities, opened one by one in one browser: whatever the
    data picks, no matrix scrolls sideways and nothing in it is cut off at 360 px."""
    with app.app_context():
        seeded_demo(db.session(), "33.10")
        add_programs(db.session(), "33.10")
        kecamatan = [k.code for k in kecamatan_of(db.session(), "33.10")]
    assert len(kecamatan) == 26
    with live_server(app) as base, phone_page() as page:
        sign_in(page, base, DEMO_COORDINATOR)
        for by in ("program", "category"):
            for code in kecamatan:
                page.goto(f"{base}/coverage?by={by}&kecamatan={code}")
                seen = page.evaluate(MEASURE, PHONE["width"])
                assert seen == {"width": PHONE["width"], "scrolls": 0, "cut": 0, "open": 1}, (
                    f"the {by} matrix of {code} on a phone: {seen}"
                )
            # What works where reads as words on a phone, not as columns of dots.
            chip = page.locator("details.kec[open] table.villages td[data-label]").first
            assert chip.evaluate("e => getComputedStyle(e, '::before').content").strip('"')
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(  # the first screens: the whole list is long
            path=str(ARTIFACTS / "coverage-activities.png"),
            clip={"x": 0, "y": 0, "width": PHONE["width"], "height": 3 * PHONE["height"]},
            full_page=True,
        )
