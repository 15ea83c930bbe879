"""In a real Chromium at phone size: the API's docs page, readable without JavaScript."""

from __future__ import annotations

import pytest
from flask import Flask

from .browser import fits_the_phone, live_server, phone_page, screenshot

pytest.importorskip("playwright.sync_api")


def test_the_docs_page_lists_every_operation_on_a_phone(app: Flask) -> None:
    with live_server(app) as base, phone_page() as page:
        problems: list[str] = []
        page.on("console", lambda message: problems.append(message.text))
        answer = page.goto(f"{base}/api/v1/docs")
        assert answer.status == 200
        assert page.locator("h1").inner_text().startswith("Titik Temu API")
        tags = page.locator("article > section > h2").all_inner_texts()
        assert tags[:3] == ["Regions", "Programs", "People"] and "Proposals" in tags
        operations = page.locator("details.op h3").all_inner_texts()
        assert "POST /proposals/{id}/accept" in operations
        assert "GET /needs" in operations and len(operations) >= 25
        accept = page.locator("#accept_proposal")
        accept.locator("summary").click()  # folded until opened, without JavaScript
        assert "Request body" in accept.inner_text() and "403" in accept.inner_text()
        page.locator("#list_needs summary").click()
        needs = page.locator("#list_needs").inner_text()
        assert "cursor" in needs and "in query" in needs and "next_cursor" in needs
        fits_the_phone(page, "the docs page")
        screenshot(page, "api-docs")
        assert problems == [], problems  # nothing refused by the CSP, nothing missing
        page.click("text=openapi.json")
        assert page.url == f"{base}/api/v1/openapi.json"
