"""In a real Chromium at 360 px: a facilitator of the demo posts a need, with and without JavaScript.

Selectors use names, values and links, not words: the words change when the UI is translated.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from titiktemu.demo.seed import DEMO_FACILITATOR
from titiktemu.exchange.commands import set_status
from titiktemu.extensions import db
from titiktemu.matching.rebuild import rebuild_regency
from titiktemu.models import ExchangeStatus, Need, Person, Proposal, ProposalStatus

from .browser import fits_the_phone, live_server, phone_page, screenshot, sign_in
from .snapshot import seeded_demo

pytest.importorskip("playwright.sync_api")

TITLE = "Pelatihan pembukuan untuk kelompok wanita tani"


@pytest.fixture
def demo(app: Flask) -> dict[str, Any]:
    """The demo regency, matched; what the tests need to know about its facilitator."""
    with app.app_context():
        seeded_demo(db.session(), "33.10")
        rebuild_regency(db.session(), "33.10")
        db.session.commit()
        me = db.session.scalars(sa.select(Person).where(Person.email == DEMO_FACILITATOR)).one()
        assert me.home_village is not None
        kecamatan = me.home_village.kecamatan_code
        nearby = db.session.scalars(
            sa.select(Need)
            .where(
                Need.kecamatan_code == kecamatan,
                Need.person_id != me.id,
                Need.status == ExchangeStatus.OPEN,
            )
            .order_by(Need.id)
        ).first()
        assert nearby is not None, "the demo has an open need near the facilitator"
        return {"home": me.home_village_code, "nearby": nearby.title, "needs": _needs(me.id)}


def _needs(person_id: int) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Need).where(Need.person_id == person_id)
        )
        or 0
    )


def test_post_a_need_without_javascript(app: Flask, demo: dict[str, Any]) -> None:
    with live_server(app) as base, phone_page() as page:
        sign_in(page, base, DEMO_FACILITATOR)
        page.click("nav.main a[href='/needs']")
        page.click("a[href='/needs/new']")
        assert page.url == f"{base}/needs/new"
        page.fill("input[name=title]", TITLE)
        assert page.input_value("select[name=area]") == demo["home"]  # my home village
        page.click("details:has(input[value=bookkeeping]) > summary")  # open the Finance group
        page.check("input[name=skills][value=bookkeeping]")
        page.fill("input[name=needed_from]", "2027-02-01")
        page.fill("input[name=needed_until]", "2027-06-30")
        page.fill("textarea[name=description]", "Dua puluh anggota KWT, sore hari.")
        page.click("button[name=action][value=check]")  # no JS: the server lists look-alikes
        assert page.locator("#similar .similar").count() == 1
        assert page.input_value("input[name=title]") == TITLE  # nothing typed was lost
        fits_the_phone(page, "the need form")
        screenshot(page, "need_form")
        page.click("button[name=action][value=save]:visible")
        assert page.url.startswith(f"{base}/needs/")
        assert page.locator("h1").inner_text() == TITLE
        page.click("nav.main a[href='/needs']")
        assert page.locator("#needs .items li").first.locator("a.title").inner_text() == TITLE
        fits_the_phone(page, "the needs list")
        screenshot(page, "needs")
        for path, name in (
            ("/profile", "profile"),
            ("/interventions", "interventions"),
            ("/matches", "matches"),
        ):
            page.goto(f"{base}{path}")
            assert page.locator("h1").count() == 1
            fits_the_phone(page, name)
            screenshot(page, name)
        page.goto(f"{base}/offers/new")
        fits_the_phone(page, "the offer form")
        page.goto(f"{base}/interventions/new")
        fits_the_phone(page, "the intervention form")
    with app.app_context():
        me = db.session.scalars(sa.select(Person).where(Person.email == DEMO_FACILITATOR)).one()
        assert _needs(me.id) == demo["needs"] + 1


def test_similar_needs_show_while_typing(app: Flask, demo: dict[str, Any]) -> None:
    with live_server(app) as base, phone_page(javascript=True) as page:
        sign_in(page, base, DEMO_FACILITATOR)
        page.goto(f"{base}/needs/new")
        page.type("input[name=title]", demo["nearby"], delay=5)
        hit = page.locator("#similar .similar li b", has_text=demo["nearby"])
        hit.first.wait_for(timeout=5000)  # similar.js fetched the fragment, no button pressed
        assert page.url == f"{base}/needs/new"
        fits_the_phone(page, "the need form with look-alikes")
        screenshot(page, "need_form_similar")
    with app.app_context():
        me = db.session.scalars(sa.select(Person).where(Person.email == DEMO_FACILITATOR)).one()
        assert _needs(me.id) == demo["needs"]  # looking saves nothing


def test_a_match_that_went_and_the_rule_in_words_fit_the_phone(
    app: Flask, demo: dict[str, Any]
) -> None:
    with app.app_context():
        me = db.session.scalars(sa.select(Person).where(Person.email == DEMO_FACILITATOR)).one()
        mine = db.session.scalars(
            sa.select(Proposal)
            .join(Need, Need.id == Proposal.need_id)
            .where(Need.person_id == me.id, Proposal.status == ProposalStatus.PROPOSED)
            .order_by(Proposal.id)
        ).first()
        assert mine is not None, "the demo facilitator has a need with a proposal"
        proposal_id = mine.id
        assert mine.need is not None
        set_status(db.session(), me, mine.need, ExchangeStatus.WITHDRAWN)
        db.session.commit()  # matching retires its proposals, in process
    with live_server(app) as base, phone_page() as page:
        sign_in(page, base, DEMO_FACILITATOR)
        page.goto(f"{base}/matches")
        help_box = page.locator("details.help")
        assert help_box.count() == 1 and help_box.get_attribute("open") is None
        help_box.locator("summary").click()  # opens without JavaScript
        assert help_box.get_attribute("open") is not None
        assert help_box.locator("li").count() >= 5
        fits_the_phone(page, "the matches page with its help open")
        screenshot(page, "matches_help")
        page.goto(f"{base}/matches/{proposal_id}")
        notice = page.locator("p.notice.retired")
        assert notice.count() == 1 and notice.inner_text().strip()
        fits_the_phone(page, "a match that went")
        screenshot(page, "match_retired")
