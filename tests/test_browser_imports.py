"""In a real Chromium at phone size, JavaScript off: a coordinator uploads a spreadsheet, reads
the check, imports it with one tap and sees the regency re-matched; then makes an API token.

Elements are found by attributes and classes, not by words, so the test holds in either language.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from titiktemu.demo.seed import DEMO_COORDINATOR, seed_demo
from titiktemu.extensions import db
from titiktemu.models import Program

from .browser import fits_the_phone, live_server, phone_page, screenshot, sign_in

pytest.importorskip("playwright.sync_api")

PROGRAMS = (
    "code,name,agency,funding_source,categories\n"
    "SANITASI,Sanitasi Total Berbasis Masyarakat,Dinas Kesehatan,apbd,sanitation\n"
    "BANKSAMPAH,Bank Sampah Desa,CSR Pabrik Gula,csr,Pengelolaan sampah\n"
)
INTERVENTIONS = (
    "program_code,village,activity,start_date,end_date,households,budget_idr,facilitator_email,title\n"
    "SANITASI,33.10.24.2003,sanitation,2027-01-04,2027-06-30,30,45000000,,Jamban sehat\n"
)
BROKEN = "code,name,agency,funding_source,categories\nX,Satu,Dinas,entah,sanitation\n"


def test_coordinator_checks_imports_and_makes_a_token(app: Flask, tmp_path: Path) -> None:
    with app.app_context():
        seed_demo(db.session(), "33.10")
        before = set(db.session.scalars(sa.select(Program.code)))
    good = tmp_path / "programs.csv"
    good.write_text(PROGRAMS, encoding="utf-8")
    works = tmp_path / "interventions.csv"
    works.write_text(INTERVENTIONS, encoding="utf-8")
    bad = tmp_path / "programs-broken.csv"
    bad.write_text(BROKEN, encoding="utf-8")
    with live_server(app) as base, phone_page() as page:
        sign_in(page, base, DEMO_COORDINATOR)

        # A broken file: its problem by row and column, nothing saved, no import button.
        page.goto(f"{base}/imports")
        fits_the_phone(page, "the import page")
        screenshot(page, "imports")
        page.set_input_files("input[type=file]", str(bad))
        page.select_option("select[name=kind]", "programs")
        page.click("button[name=action][value=check]")
        assert re.search(r"/imports/\d+$", page.url)
        assert page.locator("ul.problems li").count() == 1
        assert "entah" in page.locator("ul.problems code").first.inner_text()
        assert page.locator("form[action$='/apply']").count() == 0
        fits_the_phone(page, "an import's problems")
        screenshot(page, "import-problems")

        # Good files: checked, then imported with one tap; the re-matching is shown done.
        page.goto(f"{base}/imports")
        page.set_input_files("input[type=file]", [str(good), str(works)])
        page.click("button[name=action][value=check]")
        assert page.locator("ul.counts li").count() == 2
        page.click("form[action$='/apply'] button")
        assert re.search(r"/imports/\d+$", page.url)
        assert page.locator(".badge.job-done").count() == 1
        fits_the_phone(page, "an applied import")
        screenshot(page, "import-applied")

        # An API token for a script: shown once on the page that made it.
        page.goto(f"{base}/profile/tokens")
        page.fill("input[name=name]", "dasbor donor")
        page.click("form.form button[type=submit]")
        token = page.locator("#token-value").input_value()
        assert token.startswith("tt_")
        fits_the_phone(page, "the token page")
        screenshot(page, "tokens")
        page.goto(f"{base}/profile/tokens")
        assert page.locator("#token-value").count() == 0
        assert page.locator("ul.tokens li").count() == 1
    with app.app_context():
        after = set(db.session.scalars(sa.select(Program.code)))
    assert after - before == {"SANITASI", "BANKSAMPAH"}
