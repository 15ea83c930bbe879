"""In a real Chromium at 360 px, without JavaScript: the coordinator's year's reflection (its SVG
chart and tables) and the obstacles list with its tallies fit the phone."""

from __future__ import annotations

import pytest
from flask import Flask

from titiktemu.demo.seed import DEMO_COORDINATOR

from .browser import fits_the_phone, live_server, phone_page, screenshot, sign_in
from .test_exports_web import seeded
from .test_reflection import _busiest_year

pytest.importorskip("playwright.sync_api")


def test_the_reflection_and_the_obstacles_fit_the_phone(app: Flask) -> None:
    seeded(app)
    year = _busiest_year(app)
    with live_server(app) as base, phone_page() as page:
        sign_in(page, base, DEMO_COORDINATOR)
        page.goto(f"{base}/reports/reflection?year={year}")
        assert page.locator("svg.chart rect").count() >= 2
        assert page.locator("table.report").count() >= 3
        fits_the_phone(page, "the year's reflection")
        screenshot(page, "reflection")
        page.goto(f"{base}/obstacles")
        fits_the_phone(page, "the obstacles list of a coordinator")
