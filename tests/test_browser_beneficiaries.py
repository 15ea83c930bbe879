"""In a real Chromium at 360 px, without JavaScript: a BSPS facilitator uploads the program's list,
sees a refused file's rows named by ref, then which of the list's rows RTLH's list also holds;
a coordinator sees the households per village, small counts hidden.

Selectors use names, values and classes, not words: the words change with the UI language.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from titiktemu.app import settings_of
from titiktemu.beneficiaries import commands
from titiktemu.extensions import db
from titiktemu.models import BeneficiaryList, Person, Program, Role
from titiktemu.models.programs import FundingSource

from .browser import fits_the_phone, live_server, phone_page, screenshot, sign_in
from .conftest import PASSWORD

pytest.importorskip("playwright.sync_api")

DATA = Path(__file__).parent / "data" / "beneficiaries"
KLATEN = "33.10"
PURPOSE = "Verifikasi calon penerima BSPS agar tidak dobel"


@pytest.fixture
def programs(app: Flask, make_person: Any) -> dict[str, int]:
    """RTLH's 2021 list already uploaded; a BSPS facilitator (TFL) and a coordinator."""
    tfl = make_person("tfl@example.org", name="Pak TFL")
    make_person("koordinator@example.org", name="Bu Koordinator", role=Role.COORDINATOR)
    with app.app_context():
        rtlh, bsps = (
            Program(code=code, name=code, agency="Dinas", funding_source=FundingSource.APBN)
            for code in ("RTLH", "BSPS")
        )
        db.session.add_all([rtlh, bsps])
        db.session.flush()
        person = db.session.get(Person, tfl)
        assert person is not None
        person.programs = [bsps]
        path = DATA / "rtlh-2021.csv"
        report = commands.upload_list(
            db.session(),
            settings_of(app),
            None,
            regency=KLATEN,
            program=rtlh,
            year=2021,
            legal_basis="public_task",
            purpose=PURPOSE,
            file_name=path.name,
            data=path.read_bytes(),
        )
        assert report.ok
        db.session.commit()
        return {"rtlh": rtlh.id, "bsps": bsps.id}


def _upload(page: Any, base: str, file: str, program: int) -> None:
    page.goto(f"{base}/beneficiaries")
    page.set_input_files("input[name=file]", str(DATA / file))
    page.select_option("select[name=program]", str(program))
    page.fill("input[name=year]", "2021")
    page.fill("textarea[name=purpose]", PURPOSE)
    page.click("form[enctype] button[type=submit]")


def test_a_facilitator_uploads_and_sees_own_rows_a_coordinator_sees_counts(
    app: Flask, programs: dict[str, int]
) -> None:
    with live_server(app) as base, phone_page() as page:
        sign_in(page, base, "tfl@example.org", PASSWORD)
        _upload(page, base, "rtlh-2021-refused.csv", programs["bsps"])
        problems = page.locator(".problems li")
        assert problems.count() >= 5
        assert "R-102" in page.content() and "9999992001800002" not in page.content()
        fits_the_phone(page, "a refused beneficiary list")
        screenshot(page, "beneficiaries_refused")
        _upload(page, base, "bsps-2021.csv", programs["bsps"])
        assert page.url.endswith("/beneficiaries")
        with app.app_context():  # the worker's job, run here
            commands.relink_regency(db.session(), KLATEN)
            db.session.commit()
            bsps = db.session.scalars(
                sa.select(BeneficiaryList.id).where(BeneficiaryList.program_id == programs["bsps"])
            ).one()
        fits_the_phone(page, "the beneficiary lists of a facilitator")
        page.click(f"a[href='/beneficiaries/{bsps}']")
        cells = page.locator("table.compact tbody tr td:first-child")
        assert sorted(cells.all_inner_texts()) == ["B01", "B02", "B03", "B05"]
        assert "R-00" not in page.content()
        fits_the_phone(page, "a list's rows also in other programs")
        screenshot(page, "beneficiaries_own_rows")
    with live_server(app) as base, phone_page() as page:
        sign_in(page, base, "koordinator@example.org", PASSWORD)
        page.goto(f"{base}/beneficiaries")
        rows = page.locator("table.compact tbody tr")
        assert rows.count() >= 2
        assert "&lt; 3" in page.content()
        fits_the_phone(page, "the households per village of a coordinator")
        screenshot(page, "beneficiaries_counts")
