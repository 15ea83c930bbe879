"""In a real Chromium at phone size, JavaScript off: a coordinator checks a recap whose activity is
written the clerk's way, keeps the reading as the regency's synonym with one tap, and sees it on
the synonyms page. Elements are found by attributes, not words, so either language holds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from titiktemu.demo.seed import DEMO_COORDINATOR
from titiktemu.extensions import db

from .browser import fits_the_phone, live_server, phone_page, screenshot, sign_in
from .snapshot import seeded_demo

pytest.importorskip("playwright.sync_api")

INTERVENTIONS = (
    "program_code,village,activity,start_date,end_date,households,budget_idr,facilitator_email,title\n"
    "PKH,33.10.24.2003,jambanisasi,2027-01-04,2027-06-30,30,45000000,,Jamban keluarga\n"
)


def test_coordinator_keeps_a_reading_as_a_synonym(app: Flask, tmp_path: Path) -> None:
    with app.app_context():
        seeded_demo(db.session(), "33.10")
    recap = tmp_path / "interventions.csv"
    recap.write_text(INTERVENTIONS, encoding="utf-8")
    with live_server(app) as base, phone_page() as page:
        sign_in(page, base, DEMO_COORDINATOR)
        page.goto(f"{base}/imports")
        page.set_input_files("input[type=file]", str(recap))
        page.click("button[name=action][value=check]")
        assert re.search(r"/imports/\d+$", page.url)
        keep = page.locator("form.keep-synonym")
        assert keep.count() == 1
        fits_the_phone(page, "an import's readings")
        screenshot(page, "import-readings")

        keep.locator("button").click()
        page.wait_for_load_state("load")  # a locator's click returns at commit
        assert re.search(r"/imports/\d+$", page.url)
        assert page.locator("p.flash").count() == 1

        page.goto(f"{base}/synonyms")
        assert page.locator("ul.synonyms li").count() == 1
        assert "jambanisasi" in page.locator("ul.synonyms li").inner_text()
        fits_the_phone(page, "the synonyms page")
        screenshot(page, "synonyms")

        page.locator("ul.synonyms form button").click()
        page.wait_for_load_state("load")  # a locator's click returns at commit
        assert page.url == f"{base}/synonyms"
        assert page.locator("ul.synonyms li").count() == 0
