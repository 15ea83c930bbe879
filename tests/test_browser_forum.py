"""In a real Chromium at 360 px, without JavaScript: the coordinator schedules the forum's
meeting, finds its agenda built from what waits for the forum, writes an item's minutes with a
follow-up for a facilitator, who marks it done from the home page.

Selectors use names, values and classes, not words: the words change with the UI language.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from titiktemu.demo.seed import DEMO_COORDINATOR, DEMO_FACILITATOR
from titiktemu.extensions import db
from titiktemu.models import AgendaItem, Person

from .browser import fits_the_phone, live_server, phone_page, screenshot, sign_in
from .test_exports_web import seeded
from .test_forum import _waiting

pytest.importorskip("playwright.sync_api")


def test_a_meeting_from_schedule_to_a_follow_up_done(app: Flask) -> None:
    seeded(app)
    _waiting(app)
    with app.app_context():
        facilitator = db.session.scalars(
            sa.select(Person).where(Person.email == DEMO_FACILITATOR)
        ).one()
        programs = [p.id for p in facilitator.programs]
        facilitator_id = facilitator.id
    with live_server(app) as base, phone_page() as page:
        sign_in(page, base, DEMO_COORDINATOR)
        page.goto(f"{base}/forum")
        page.fill("input[name=title]", "Forum Pendamping Klaten, Desember")
        page.fill("input[name=day]", "2026-12-18")
        page.fill("input[name=starts]", "09:00")
        page.fill("input[name=ends]", "12:00")
        page.fill("input[name=place]", "Aula Bappeda Klaten")
        for program in programs:
            page.check(f"input[name=programs][value='{program}']")
        fits_the_phone(page, "the forum's schedule form")
        page.click("form.form button[type=submit]")
        assert "/forum/" in page.url
        items = page.locator("li.agenda-item")
        assert items.count() >= 3
        fits_the_phone(page, "a meeting's agenda")
        screenshot(page, "forum_agenda")
        first = items.first
        first.locator("summary").click()
        first.locator("textarea[name=decision]").fill(
            "Disepakati: pelatihan bersama bulan Januari."
        )
        first.locator("select[name=outcome]").select_option("accept")
        first.locator("select[name=follow_up_by]").select_option(str(facilitator_id))
        first.locator("input[name=follow_up_due]").fill("2027-01-15")
        first.locator("form.minutes-form button[type=submit]").click()
        page.wait_for_load_state("load")  # a locator's click returns at commit
        assert page.locator("p.minutes").count() == 1
        fits_the_phone(page, "an agenda item with its minutes")
        page.goto(page.url.split("#")[0] + "/print")
        fits_the_phone(page, "the printable agenda and minutes")
    with live_server(app) as base, phone_page() as page:
        sign_in(page, base, DEMO_FACILITATOR)
        assert page.locator("section.follow-ups li").count() == 1
        fits_the_phone(page, "a follow-up on the home page")
        screenshot(page, "forum_follow_up")
        page.click("section.follow-ups button[type=submit]")
        assert page.locator("section.follow-ups").count() == 0
    with app.app_context():
        assert db.session.scalars(
            sa.select(AgendaItem).where(AgendaItem.follow_up_done_at.is_not(None))
        ).all()
