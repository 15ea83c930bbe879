"""The main journey, in a real Chromium at phone size, with a real SMTP server on loopback:
a facilitator posts a need; the coordinator sees it proposed and accepts; both introductions
reach the SMTP server; switching to English changes the page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from harness.services import smtp_server
from titiktemu.app import settings_of
from titiktemu.demo.seed import DEMO_COORDINATOR, DEMO_FACILITATOR
from titiktemu.extensions import db
from titiktemu.matching.rebuild import rebuild_regency
from titiktemu.models import Need, Person, Proposal
from titiktemu.settings import Settings
from web.app import create_app

from .browser import PHONE, chromium, live_server, screenshot, sign_in
from .snapshot import seeded_demo

pytest.importorskip("playwright.sync_api")

TITLE = "Butuh data keluarga miskin untuk seleksi penerima bedah rumah"


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


def _sign_in(browser: Any, base: str, email: str) -> Any:
    page = browser.new_context(viewport=PHONE, java_script_enabled=False).new_page()
    sign_in(page, base, email)
    return page


def test_need_to_introductions(app: Flask, browser: Any) -> None:
    with app.app_context():
        seeded_demo(db.session(), "33.10")
        rebuild_regency(db.session(), "33.10")
    with smtp_server() as smtp:
        # The same database, sending email over SMTP; tasks run in process (embedded default).
        web = create_app(Settings(**{**settings_of(app).__dict__, "smtp_url": smtp.url}))
        web.config.update(TESTING=True)
        try:
            with live_server(web) as base:
                facilitator = _sign_in(browser, base, DEMO_FACILITATOR)
                facilitator.goto(f"{base}/needs/new")
                facilitator.fill("input[name=title]", TITLE)
                facilitator.click("details:has(input[value=poor_household_data]) > summary")
                facilitator.check("input[name=skills][value=poor_household_data]")
                facilitator.click("button[name=action][value=save]:visible")
                assert facilitator.locator("h1").inner_text() == TITLE
                screenshot(facilitator, "journey_need")
                with web.app_context():
                    need = db.session.scalars(sa.select(Need).where(Need.title == TITLE)).one()
                    primary = db.session.scalars(
                        sa.select(Proposal).where(Proposal.need_id == need.id, Proposal.rank == 1)
                    ).one()
                    offer_owner = primary.offer.person.email if primary.offer else None
                    db.session.remove()
                assert offer_owner is not None

                coordinator = _sign_in(browser, base, DEMO_COORDINATOR)
                coordinator.goto(f"{base}/review/{primary.id}")
                assert TITLE in coordinator.content()
                screenshot(coordinator, "journey_review")
                coordinator.click("button[name=decision][value=accepted]")
                received = smtp.wait_for(2, timeout=30)
                intros = [
                    m for m in received if "Perkenalan" in m.subject or "Introduction" in m.subject
                ]
                assert sorted(r for m in intros for r in m.recipients) == sorted(
                    [DEMO_FACILITATOR, offer_owner]
                )
                assert len({m.message_id for m in intros}) == 2

                coordinator.goto(f"{base}/review")
                assert coordinator.locator("h1").first.inner_text() != ""
                before = coordinator.locator("h1").first.inner_text()
                coordinator.click("button[name=lang][value=en]")
                after = coordinator.locator("h1").first.inner_text()
                assert before != after and "collaboration" in after.lower()
                assert coordinator.evaluate("document.documentElement.lang") == "en"
                screenshot(coordinator, "journey_english")
        finally:
            with web.app_context():
                db.engine.dispose()
    with app.app_context():
        person = db.session.scalars(sa.select(Person).where(Person.email == DEMO_COORDINATOR)).one()
        assert str(person.language) == "en"  # the switch is remembered on the person
