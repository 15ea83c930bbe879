"""The year's reflection: its figures are the sums of the underlying tables, its workbook is the
page, and it reads in both languages, within the phone's page budget."""

from __future__ import annotations

import datetime as dt
import io
import re

import sqlalchemy as sa
from flask import Flask
from openpyxl import load_workbook

from titiktemu.demo.seed import DEMO_COORDINATOR
from titiktemu.exports import reflection
from titiktemu.extensions import db
from titiktemu.models import (
    FlagStatus,
    Intervention,
    Obstacle,
    ObstacleKind,
    OverlapFlag,
    Proposal,
    ProposalStatus,
)
from titiktemu.models.places import under

from .test_exports_web import seeded, signed_in

KLATEN = "33.10"
CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)
ROW = re.compile(r"<tr>(.*?)</tr>", re.S)


def _busiest_year(app: Flask) -> int:
    with app.app_context():
        years = db.session.scalars(sa.select(Intervention.start_date)).all()
    return max(set(d.year for d in years), key=[d.year for d in years].count)


def test_the_figures_are_the_sums_of_the_tables(app: Flask) -> None:
    seeded(app)
    year = _busiest_year(app)
    today = dt.date.today()
    with app.app_context():
        session = db.session()
        flag = session.scalars(sa.select(OverlapFlag).order_by(OverlapFlag.id)).first()
        assert flag is not None
        session.add(
            Obstacle(
                regency_code=KLATEN,
                village_code=flag.village_code,
                kind=ObstacleKind.COMMUNITY_REFUSAL,
                happened_on=dt.date(year, 5, 1),
                description="Warga menolak desain rumah standar.",
                lesson="Musyawarah desa dulu.",
            )
        )
        session.flush()
        report = reflection.build(session, KLATEN, year, today, "en")
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        items = session.scalars(
            sa.select(Intervention).where(
                under(Intervention.village_code, KLATEN),
                Intervention.start_date <= last,
                Intervention.end_date >= first,
            )
        ).all()
        done = [i for i in items if i.end_date <= min(last, today)]
        col = {c: i for i, c in enumerate(report.programs.columns)}
        for table in (report.programs, report.kecamatan):
            col = {c: i for i, c in enumerate(table.columns)}
            assert sum(r[col["planned"]] for r in table.rows) == len(items)  # type: ignore[misc]
            assert sum(r[col["carried_out"]] for r in table.rows) == len(done)  # type: ignore[misc]
            assert sum(r[col["households_planned"]] for r in table.rows) == sum(  # type: ignore[misc]
                i.households or 0 for i in items
            )
            assert sum(r[col["budget_carried_out_idr"]] for r in table.rows) == sum(  # type: ignore[misc]
                i.budget_idr or 0 for i in done
            )
            assert sum(r[col["obstacles"]] for r in table.rows) == 1 or table is report.programs  # type: ignore[misc]
        start, end = dt.datetime(year, 1, 1), dt.datetime(year + 1, 1, 1)
        flags = session.scalars(
            sa.select(OverlapFlag).where(
                OverlapFlag.regency_code == KLATEN,
                OverlapFlag.created_at >= start,
                OverlapFlag.created_at < end,
            )
        ).all()
        outcomes = {str(r[0]): r[1] for r in report.overlaps.rows}
        assert outcomes["Raised"] == len(flags)
        assert outcomes["Resolved"] == sum(f.status == FlagStatus.RESOLVED for f in flags)
        col = {c: i for i, c in enumerate(report.kecamatan.columns)}
        assert sum(r[col["overlaps_raised"]] for r in report.kecamatan.rows) == len(flags)  # type: ignore[misc]
        proposals = session.scalars(
            sa.select(Proposal).where(
                Proposal.regency_code == KLATEN,
                Proposal.created_at >= start,
                Proposal.created_at < end,
                Proposal.status != ProposalStatus.OBSOLETE,
            )
        ).all()
        collaborations = {str(r[0]): r[1] for r in report.collaborations.rows}
        assert collaborations["Proposed"] == len(proposals)
        assert collaborations["Accepted"] == sum(
            p.status == ProposalStatus.ACCEPTED for p in proposals
        )
        assert [r[3] for r in report.obstacles.rows] == ["Community refusal"]
        session.rollback()


def test_the_workbook_is_the_page_and_both_fit_a_phone(app: Flask) -> None:
    seeded(app)
    year = _busiest_year(app)
    client = signed_in(app, DEMO_COORDINATOR)
    page = client.get(f"/reports/reflection?year={year}")
    assert page.status_code == 200 and len(page.data) < 60_000
    html = page.get_data(as_text=True)
    assert "<svg" in html and "<script" not in html
    book = load_workbook(
        io.BytesIO(client.get(f"/reports/reflection.xlsx?year={year}").data), read_only=True
    )
    with app.app_context():
        built = reflection.build(db.session(), KLATEN, year, dt.date.today())
        order = [t.name for t in built.tables]
    sheets = dict(
        zip(order, ([*ws.iter_rows(values_only=True)] for ws in book.worksheets), strict=True)
    )
    compared = 0
    for name, body in re.findall(r'<table class="report" id="t-(\w+)">(.*?)</table>', html, re.S):
        page_rows = [
            [re.sub(r"<[^>]+>", "", c).strip() for c in CELL.findall(row)]
            for row in ROW.findall(body.split("<tbody>")[1])
        ]
        book_rows = [[_shown(v) for v in r] for r in sheets[name][1:]]
        assert page_rows == book_rows, name
        compared += len(page_rows)
    assert compared >= 10  # programs, kecamatan, overlaps and collaborations of the demo
    assert client.get("/reports/reflection?year=20x1").status_code == 404


def _shown(value: object) -> str:
    """A workbook cell as the page writes it: dates ISO, numbers plain, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value)


def test_facilitators_do_not_get_the_reflection(app: Flask) -> None:
    from titiktemu.demo.seed import DEMO_FACILITATOR

    seeded(app)
    assert signed_in(app, DEMO_FACILITATOR).get("/reports/reflection").status_code == 403
