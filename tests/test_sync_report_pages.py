"""The sync report in pages: the summary per kecamatan opens it, and each table is a section paged
so that every page stays in the 60 KB phone budget while its pages together hold every row of the
workbook, once and in order — with the demo's data and with a bigger regency's longest texts."""

from __future__ import annotations

import io
import re

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from titiktemu.demo.seed import DEMO_COORDINATOR
from titiktemu.extensions import db
from web.exports.report_page import PAGE_ROWS, SECTIONS, page_starts

from .big_regency import LONG_NOTE, add_programs, lengthen_notes
from .test_exports_web import ADMIN, NEXT_PAGE, page_rows, seeded, sheet_ids, signed_in
from .test_page_budget import ASSET, BUDGET

DETAILS = ("3w", "overlaps", "proposals", "gaps")


def _workbook_ids(client: FlaskClient) -> dict[str, list[str]]:
    """Each detail sheet's ids, from the sync report's workbook."""
    answer = client.get("/reports/sync.xlsx")
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.data), read_only=True)
    return {
        name: sheet_ids(sheet) for name, sheet in zip(DETAILS, book.worksheets[1:], strict=True)
    }


def _walk(client: FlaskClient, section: str) -> tuple[list[list[str]], dict[str, int]]:
    """A section's rows page after page ("next" links only), and each page's weight: its HTML
    and the style sheets it loads, as the page budget counts them."""
    url = f"/reports/sync?section={section}"
    rows: list[list[str]] = []
    weights: dict[str, int] = {}
    while url:
        assert url not in weights, f"{url} links to itself"
        answer = client.get(url)
        assert answer.status_code == 200, url
        text = answer.get_data(as_text=True)
        weights[url] = len(answer.get_data()) + sum(_asset(client, a) for a in ASSET.findall(text))
        found = page_rows(text, section)
        assert found or not rows, f"{url} is an empty page"
        assert len(found) <= PAGE_ROWS
        rows += found
        following = NEXT_PAGE.search(text)
        url = following.group(1).replace("&amp;", "&") if following else ""
    return rows, weights


_ASSETS: dict[str, int] = {}


def _asset(client: FlaskClient, path: str) -> int:
    if path not in _ASSETS:
        answer = client.get(path)
        _ASSETS[path] = len(answer.get_data())
        answer.close()
    return _ASSETS[path]


def test_a_big_regencys_pages_are_light_and_hold_every_row(app: Flask) -> None:
    """The demo plus more programs and the longest notes: every page under the budget, every row
    of the workbook on a page (the demo's own pages: test_exports_web and test_page_budget)."""
    seeded(app)
    with app.app_context():
        added = add_programs(db.session(), "33.10", count=6)
        lengthen_notes(db.session(), "33.10")
    client = signed_in(app, DEMO_COORDINATOR)
    opening = client.get("/reports/sync").get_data(as_text=True)
    summary = len(opening.encode()) + sum(_asset(client, a) for a in ASSET.findall(opening))
    assert summary < BUDGET, f"the sync report's first page weighs {summary} bytes"
    assert opening.count("<table") == 1  # the summary per kecamatan; the rest one tap away
    expected = _workbook_ids(client)
    assert len(expected["3w"]) > 300 and added > 100
    heavy = {}
    for section in SECTIONS[1:]:
        assert f"/reports/sync?section={section}" in opening
        rows, weights = _walk(client, section)
        heavy.update({url: w for url, w in weights.items() if w >= BUDGET})
        if section in expected:
            assert [r[0] for r in rows] == expected[section], section
        if section in ("3w", "proposals"):
            assert len(weights) > 1, f"{section} fits one page: nothing was paged"
    assert heavy == {}, f"pages over {BUDGET} bytes: {heavy}"
    # Long notes are cut on the page (the workbook has them whole), and escaped.
    text = client.get("/reports/sync?section=proposals").get_data(as_text=True)
    assert "&lt;forum&gt;" in text and "<forum>" not in text
    notes = [r[-1] for r in page_rows(text, "proposals")]
    assert notes and all(n.endswith("…") and len(n) < len(LONG_NOTE) for n in notes)


#: Addresses of report pages that are not there.
NOT_THERE = [
    "section=nothing",
    "section=3w&page=0",
    "section=3w&page=9999",
    "section=3w&page=-1",
    "section=3w&page=abc",
    "section=3w&page=99999999999999999999",
    "page=%EF%BC%91",  # a full-width digit one
]


def test_the_pages_carry_the_admins_regency_and_a_missing_page_is_a_404(app: Flask) -> None:
    seeded(app)
    admin = signed_in(app, ADMIN)
    text = admin.get("/reports/sync?regency=33.10&section=3w").get_data(as_text=True)
    links = [
        link.replace("&amp;", "&")
        for link in re.findall(r'href="(/reports/sync[^"]*)"', text)
        if "section=" in link or "page=" in link
    ]
    assert links and all("regency=33.10" in link for link in links), links
    assert "/reports/sync.xlsx?regency=33.10" in text
    client = signed_in(app, DEMO_COORDINATOR)
    answers = {query: client.get(f"/reports/sync?{query}").status_code for query in NOT_THERE}
    assert set(answers.values()) == {404}, answers


def test_page_starts_close_a_page_at_its_bytes_or_rows() -> None:
    assert page_starts([]) == [0]  # an empty table: one page that says so
    assert page_starts([10] * 7, budget=30, most=5) == [0, 3, 6]
    assert page_starts([1] * 12, budget=100, most=5) == [0, 5, 10]
    # A row heavier than a whole page still gets a page, its own.
    assert page_starts([5, 100, 5], budget=30, most=5) == [0, 1, 2]
