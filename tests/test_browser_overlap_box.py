"""In a real Chromium at 360 px: the intervention form foresees the overlap flag its save raises,
with a finished intervention of another program, with JavaScript (while typing) and without.

Selectors use names, values and classes, not words: the words change with the UI language.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from titiktemu.exchange.commands import InterventionInput, save_intervention
from titiktemu.extensions import db
from titiktemu.models import Intervention, OverlapFlag, Person, Program
from titiktemu.models.programs import FundingSource

from .browser import fits_the_phone, live_server, phone_page, screenshot, sign_in
from .conftest import PASSWORD

pytest.importorskip("playwright.sync_api")

SENGON = "33.10.01.2001"
LAST_YEAR = dt.date.today().year - 1
PAST_TITLE = "Bedah rumah BSPS Sengon"


@pytest.fixture
def past(app: Flask, make_person: Any) -> dict[str, int]:
    """A BSPS renovation in Sengon that ended last year, and an RTLH facilitator living there."""
    budi = make_person("budi@example.org", name="Budi Santoso")
    sri = make_person("sri@example.org")
    with app.app_context():
        rtlh, bsps = (
            Program(code=code, name=code, agency="Dinas", funding_source=FundingSource.APBD)
            for code in ("RTLH", "BSPS")
        )
        db.session.add_all([rtlh, bsps])
        db.session.flush()
        me = db.session.get(Person, sri)
        assert me is not None
        me.programs, me.home_village_code = [rtlh], SENGON
        owner = db.session.get(Person, budi)
        assert owner is not None
        item = save_intervention(
            db.session(),
            owner,
            InterventionInput(
                program_id=bsps.id,
                village_code=SENGON,
                category_code="house_renovation",
                title=PAST_TITLE,
                start_date=dt.date(LAST_YEAR, 3, 1),
                end_date=dt.date(LAST_YEAR, 8, 31),
                households=15,
                budget_idr=225_000_000,
            ),
        )
        db.session.commit()
        return {"rtlh": rtlh.id, "past": item.id}


def _fill(page: Any) -> None:
    page.select_option("select[name=category]", "house_renovation")
    page.fill("input[name=start_date]", f"{LAST_YEAR}-06-01")
    page.fill("input[name=end_date]", f"{LAST_YEAR}-11-30")
    page.fill("input[name=title]", "Rehab rumah tidak layak huni")


def test_the_box_foresees_the_flag_with_javascript(app: Flask, past: dict[str, int]) -> None:
    with live_server(app) as base, phone_page(javascript=True) as page:
        sign_in(page, base, "sri@example.org", PASSWORD)
        page.goto(f"{base}/interventions/new")
        _fill(page)
        hit = page.locator("#similar .would-flag li b", has_text=PAST_TITLE)
        hit.first.wait_for(timeout=5000)  # similar.js fetched it; nothing was pressed
        assert page.locator("#similar .badge").count() == 1
        fits_the_phone(page, "the intervention form foreseeing an overlap")
        screenshot(page, "intervention_form_overlap")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Intervention)) == 1


def test_the_box_foresees_the_flag_without_javascript(app: Flask, past: dict[str, int]) -> None:
    with live_server(app) as base, phone_page() as page:
        sign_in(page, base, "sri@example.org", PASSWORD)
        page.goto(f"{base}/interventions/new")
        _fill(page)
        page.click("button[name=action][value=check]")
        assert page.locator("#similar .would-flag li b", has_text=PAST_TITLE).count() == 1
        fits_the_phone(page, "the intervention form after checking")
        page.click(".row-actions button[name=action][value=save]")
        assert "/interventions/" in page.url and not page.url.endswith("/new")
    with app.app_context():
        flag = db.session.scalars(sa.select(OverlapFlag)).one()  # what the box foresaw
        assert past["past"] in {i.id for i in flag.interventions}
