"""In a real Chromium at 360 px: a partner (a company's CSR) reads Klaten's prospectus, looks at
one kecamatan and offers funds there; the coordinator then makes the prospectus public, and
anyone reads it without signing in.

Selectors use names, values and links, not words: the words change when the UI is translated.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from titiktemu.demo.seed import DEMO_COORDINATOR
from titiktemu.extensions import db
from titiktemu.models import Offer, Role

from .browser import fits_the_phone, live_server, phone_page, screenshot, sign_in
from .conftest import PASSWORD
from .test_partners import add_partner

pytest.importorskip("playwright.sync_api")

TITLE = "Dana CSR bedah rumah 2027"


def test_a_partner_reads_the_prospectus_and_offers_funds(app: Flask) -> None:
    add_partner(app)
    with live_server(app) as base, phone_page() as page:
        sign_in_partner(page, base)
        assert page.url == f"{base}/prospectus"  # a partner's home
        assert page.locator("nav.main a[href='/needs']").count() == 0
        fits_the_phone(page, "the prospectus")
        screenshot(page, "prospectus_partner")

        second = page.locator("ul.prospects li a").first
        code = (second.get_attribute("href") or "").split("kecamatan=")[1].split("#")[0]
        second.click()
        page.wait_for_load_state("load")
        assert f"kecamatan={code}" in page.url
        assert page.locator("#detail h3").count() >= 2  # open gaps, programs at work
        fits_the_phone(page, "a kecamatan of the prospectus")

        page.click("a[href='/offers/new']")
        assert page.url == f"{base}/offers/new"
        page.fill("input[name=title]", TITLE)
        page.click("details:has(input[value=funding]) > summary")  # the funds and goods group
        page.check("input[name=skills][value=funding]")
        page.click(f"details:has(input[name=kecamatan][value='{code}']) > summary")
        page.check(f"input[name=kecamatan][value='{code}']")
        page.fill("input[name=available_from]", "2027-01-01")
        page.fill("input[name=available_until]", "2027-12-31")
        fits_the_phone(page, "the partner's offer form")
        page.click("button[name=action][value=save]:not(.default-submit)")
        assert page.url.startswith(f"{base}/offers/")
        assert page.locator("h1").inner_text() == TITLE
        assert page.locator("a[href^='/obstacles']").count() == 0  # the facilitators' notes

        page.click("nav.main a[href='/prospectus']")
        assert page.locator("#offers a.title").inner_text() == TITLE
    with app.app_context():
        offer = db.session.scalars(sa.select(Offer).where(Offer.title == TITLE)).one()
        assert offer.person.role == Role.PARTNER
        assert [k.code for k in offer.kecamatan] == [code]


def test_the_coordinator_makes_the_prospectus_public_and_anyone_reads_it(app: Flask) -> None:
    add_partner(app)
    with live_server(app) as base, phone_page() as page:
        sign_in(page, base, DEMO_COORDINATOR)
        page.click("nav.main a[href='/prospectus']")
        page.click("form[action='/prospectus/public'] button[type=submit]")
        assert page.url == f"{base}/prospectus"
        link = page.locator("a[href='/prospectus/33.10']")
        assert link.count() == 1
        fits_the_phone(page, "the coordinator's prospectus")
        page.click("form[action='/logout'] button[type=submit]")
        page.goto(f"{base}/prospectus/33.10")
        assert page.locator("nav.main").count() == 0  # nobody is signed in
        assert page.locator("ul.prospects li").count() > 0
        fits_the_phone(page, "the public prospectus")
        screenshot(page, "prospectus_public")


def sign_in_partner(page: Any, base: str) -> None:
    """Through the login form, as the partner of ``add_partner``; a partner lands on the
    prospectus, not on the home page ``sign_in`` expects."""
    page.goto(f"{base}/login")
    page.fill("input[name=email]", "csr@pabrik.example")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form button[type=submit]")
