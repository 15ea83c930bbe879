"""In a real Chromium at 360 px, without JavaScript: RTLH's facilitator records the community's
refusal on her renovation and, later, its lesson; BSPS's facilitator planning a renovation in the
same village is told before saving, and follows the link to what helped.

Selectors use names, values and classes, not words: the words change with the UI language.
"""

from __future__ import annotations

import pytest
from flask import Flask

from .browser import fits_the_phone, live_server, phone_page, screenshot, sign_in
from .conftest import PASSWORD
from .test_obstacles import LESSON, SIDOWARNO, world  # noqa: F401 - the fixture is used by name

pytest.importorskip("playwright.sync_api")


def test_an_obstacle_recorded_then_foreseen_on_the_next_plan(
    app: Flask,
    world: dict[str, int],  # noqa: F811 - pytest's fixture, imported above
) -> None:
    with live_server(app) as base, phone_page() as page:
        sign_in(page, base, "sri@example.org", PASSWORD)
        page.goto(f"{base}/interventions/{world['renovation']}")
        page.click(f"a[href='/obstacles/new?intervention={world['renovation']}']")
        page.select_option("select[name=kind]", "community_refusal")
        page.fill(
            "textarea[name=description]", "Warga menolak desain rumah standar; tiga KK mundur."
        )
        fits_the_phone(page, "the obstacle form")
        page.click("form.form button[type=submit]")
        assert "/obstacles/" in page.url and not page.url.endswith("/new")
        page.fill("textarea[name=lesson]", LESSON)
        page.check("input[name=resolved]")
        page.click("form.form button[type=submit]")
        assert LESSON in page.content()
        fits_the_phone(page, "an obstacle with its lesson")
        screenshot(page, "obstacle_with_lesson")
    with live_server(app) as base, phone_page() as page:
        sign_in(page, base, "budi@example.org", PASSWORD)
        page.goto(f"{base}/interventions/new")
        page.select_option("select[name=village]", SIDOWARNO)
        page.select_option("select[name=category]", "house_renovation")
        page.fill("input[name=title]", "Bedah rumah BSPS Sidowarno")
        page.click("button[name=action][value=check]")
        warning = page.locator("section.obstacles li")
        assert warning.count() == 1
        fits_the_phone(page, "the intervention form warning of an obstacle")
        screenshot(page, "intervention_form_obstacle")
        warning.locator("a").click()
        page.wait_for_load_state("load")  # a locator's click returns at commit
        assert LESSON in page.content()
