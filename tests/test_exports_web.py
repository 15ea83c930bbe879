"""Downloads over HTTP: content, filters like the pages, CSV equal to XLSX, formulas, access."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from titiktemu.accounts.signin import hash_password
from titiktemu.demo.seed import DEMO_COORDINATOR, DEMO_FACILITATOR, DEMO_PASSWORD
from titiktemu.extensions import db
from titiktemu.imports.columns import COLUMNS
from titiktemu.models import (
    ExchangeStatus,
    FlagStatus,
    Gap,
    Intervention,
    Need,
    OverlapFlag,
    Person,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Role,
)
from titiktemu.models.base import utcnow
from titiktemu.models.places import under

from .api_support import FOREIGN as FOREIGN  # "as": test_exports_formats imports it from here
from .api_support import KLATEN, seed_with_foreign
from .conftest import csrf_token

ADMIN = "admin.global@example.org"
FILENAME = re.compile(
    r'attachment; filename="titiktemu-33\.10-[a-z0-9-]+-\d{4}-\d{2}-\d{2}\.(csv|xlsx)"'
)


@dataclass
class Demo:
    interventions: int
    kecamatan: str


@pytest.fixture
def demo(app: Flask) -> Demo:
    return seeded(app)


def seeded(app: Flask) -> Demo:
    """Klaten's demo, rebuilt, two gaps planted; a Sleman coordinator and a global admin."""
    with app.app_context():
        session = db.session()
        password = hash_password(DEMO_PASSWORD)
        seed_with_foreign(session, password)
        session.add(
            Person(
                email=ADMIN,
                name="Admin",
                role=Role.ADMIN,
                regency_code=None,
                password_hash=password,
            )
        )
        _plant_gaps(session)
        session.commit()
        total = session.scalar(
            sa.select(sa.func.count())
            .select_from(Intervention)
            .where(under(Intervention.village_code, KLATEN))
        )
        kecamatan = session.scalars(
            sa.select(Intervention.village_code).order_by(Intervention.id).limit(1)
        ).one()[:8]
    return Demo(interventions=int(total or 0), kecamatan=kecamatan)


GAP_REASON = {
    "name": "no_skill",
    "weight": 1.0,
    "value": 1.0,
    "code": "gap.none",
    "params": {"skills": ["bookkeeping"], "kecamatan": "Prambanan"},
}


def _plant_gaps(session: sa.orm.Session) -> None:
    """Two gaps in two kecamatan, whatever the engine found (the demo meets almost every need)."""
    have = set(session.scalars(sa.select(Gap.need_id)))
    seen: set[str] = {
        n.kecamatan_code for n in session.scalars(sa.select(Need).where(Need.id.in_(have)))
    }
    for need in session.scalars(
        sa.select(Need).where(Need.status == ExchangeStatus.OPEN).order_by(Need.id)
    ):
        if len(seen) >= 2:
            break
        if need.id in have or need.kecamatan_code in seen:
            continue
        session.add(Gap(need_id=need.id, regency_code=KLATEN, reasons=[GAP_REASON]))
        seen.add(need.kecamatan_code)


def signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    token = csrf_token(client, "/login")
    answer = client.post(
        "/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 302, email
    return client


def csv_rows(client: FlaskClient, url: str) -> list[list[str]]:
    answer = client.get(url)
    assert answer.status_code == 200, url
    assert answer.data.startswith(b"\xef\xbb\xbf"), "CSV without the UTF-8 BOM"
    assert FILENAME.match(answer.headers["Content-Disposition"]), answer.headers
    return list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time() else value.date().isoformat()
    return str(value)


def xlsx_rows(client: FlaskClient, url: str) -> list[list[str]]:
    answer = client.get(url)
    assert answer.status_code == 200, url
    book = load_workbook(io.BytesIO(answer.data))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert all(c.font.b for c in sheet[1]), "header not bold"
    return [[_as_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def same_in_both(client: FlaskClient, path: str, query: str = "") -> list[list[str]]:
    """The rows of ``path``.csv, after checking ``path``.xlsx holds exactly the same."""
    from_csv = csv_rows(client, f"{path}.csv{query}")
    from_xlsx = xlsx_rows(client, f"{path}.xlsx{query}")
    assert from_csv == from_xlsx
    return from_csv


def column(rows: list[list[str]], name: str) -> list[str]:
    index = rows[0].index(name)
    return [r[index] for r in rows[1:]]


def test_3w_starts_with_the_import_columns_and_matches_in_both_formats(
    app: Flask, demo: Demo
) -> None:
    client = signed_in(app, DEMO_COORDINATOR)
    rows = same_in_both(client, "/exports/interventions")
    header = tuple(rows[0])
    assert header[: len(COLUMNS["interventions"])] == COLUMNS["interventions"]
    assert len(rows) - 1 == demo.interventions
    assert all(re.match(r"^33\.10\.\d{2}\.\d{4}$", v) for v in column(rows, "village"))
    assert all(re.match(r"^\d{4}-\d{2}-\d{2}$", v) for v in column(rows, "start_date"))
    assert any(column(rows, "facilitator_email")), "a coordinator sees the facilitators' emails"


def test_3w_is_filtered_by_kecamatan_like_the_page(app: Flask, demo: Demo) -> None:
    client = signed_in(app, DEMO_COORDINATOR)
    rows = same_in_both(client, "/exports/interventions", f"?kecamatan={demo.kecamatan}")
    with app.app_context():
        expected = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Intervention)
            .where(under(Intervention.village_code, demo.kecamatan))
        )
    assert len(rows) - 1 == (expected or 0) > 0
    assert set(column(rows, "kecamatan")) == {demo.kecamatan}
    # Another regency's kecamatan is ignored: the whole regency, never Sleman's rows.
    everything = csv_rows(client, "/exports/interventions.csv?kecamatan=34.04.01")
    assert len(everything) - 1 == demo.interventions


def test_facilitator_gets_the_3w_without_other_peoples_emails(app: Flask, demo: Demo) -> None:
    client = signed_in(app, DEMO_FACILITATOR)
    rows = csv_rows(client, "/exports/interventions.csv")
    assert len(rows) - 1 == demo.interventions
    assert set(column(rows, "facilitator_email")) <= {"", DEMO_FACILITATOR}


def test_formula_looking_text_is_never_a_formula(app: Flask, demo: Demo) -> None:
    with app.app_context():
        item = db.session.scalars(sa.select(Intervention).order_by(Intervention.id).limit(1)).one()
        item.title = '=HYPERLINK("http://evil.example","klik")'
        need = db.session.scalars(
            sa.select(Need).join(Gap, Gap.need_id == Need.id).order_by(Need.id).limit(1)
        ).one()
        need.title = "@SUM(A1:A9)"
        item_id, need_id = item.id, need.id
        db.session.commit()
    client = signed_in(app, DEMO_COORDINATOR)
    rows = same_in_both(client, "/exports/interventions")
    title = column(rows, "title")[column(rows, "id").index(str(item_id))]
    assert title == '\'=HYPERLINK("http://evil.example","klik")'
    gaps = same_in_both(client, "/exports/gaps")
    assert column(gaps, "title")[column(gaps, "need_id").index(str(need_id))] == "'@SUM(A1:A9)"
    book = load_workbook(io.BytesIO(client.get("/exports/interventions.xlsx").data))
    cells = [c for row in book.worksheets[0].iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"], "a formula cell in the export"
    evil = [c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert [c.data_type for c in evil] == ["s"]


def test_proposals_follow_the_queue_filter_and_carry_reasons_and_decisions(
    app: Flask, demo: Demo
) -> None:
    with app.app_context():
        session = db.session()
        coordinator = session.scalars(
            sa.select(Person).where(Person.email == DEMO_COORDINATOR)
        ).one()
        decided = session.scalars(
            sa.select(Proposal)
            .where(Proposal.kind == ProposalKind.NEED_OFFER)
            .order_by(Proposal.id)
            .limit(1)
        ).one()
        decided.status = ProposalStatus.DECLINED
        decided.reviewer_id = coordinator.id
        decided.decided_at = utcnow()
        decided.decision_note = "Sudah ditangani Baznas"
        session.commit()
        awaiting = session.scalar(
            sa.select(sa.func.count())
            .select_from(Proposal)
            .where(Proposal.regency_code == KLATEN, Proposal.status == ProposalStatus.PROPOSED)
        )
        need_offer = session.scalar(
            sa.select(sa.func.count())
            .select_from(Proposal)
            .where(
                Proposal.regency_code == KLATEN,
                Proposal.status == ProposalStatus.PROPOSED,
                Proposal.kind == ProposalKind.NEED_OFFER,
            )
        )
        decided_id = decided.id
    client = signed_in(app, DEMO_COORDINATOR)
    rows = same_in_both(client, "/exports/proposals")
    assert len(rows) - 1 == (awaiting or 0) > 0
    assert set(column(rows, "status")) == {"proposed"}
    assert all(column(rows, "reasons")), "every proposal says why"
    filtered = same_in_both(client, "/exports/proposals", "?kind=need_offer")
    assert len(filtered) - 1 == need_offer
    assert set(column(filtered, "kind")) == {"need_offer"}
    declined = same_in_both(client, "/exports/proposals", "?status=declined")
    assert column(declined, "id") == [str(decided_id)]
    assert column(declined, "decision_note") == ["Sudah ditangani Baznas"]
    assert column(declined, "reviewer") != [""]
    assert column(declined, "decided_at")[0]
    everything = csv_rows(client, "/exports/proposals.csv?status=all")
    assert {"proposed", "declined"} <= set(column(everything, "status"))


def test_overlaps_follow_the_pages_tabs(app: Flask, demo: Demo) -> None:
    with app.app_context():
        flag = db.session.scalars(sa.select(OverlapFlag).order_by(OverlapFlag.id).limit(1)).one()
        flag.status = FlagStatus.RESOLVED
        flag.decision_note = "Daftar penerima digabung"
        db.session.commit()
        total = db.session.scalar(sa.select(sa.func.count()).select_from(OverlapFlag))
        flag_id = flag.id
    client = signed_in(app, DEMO_COORDINATOR)
    unresolved = same_in_both(client, "/exports/overlaps")
    assert str(flag_id) not in column(unresolved, "id")
    assert set(column(unresolved, "status")) <= {"open", "acknowledged"}
    assert all(column(unresolved, "reasons"))
    assert all(len(c.split(";")) >= 2 for c in column(unresolved, "intervention_ids"))
    resolved = same_in_both(client, "/exports/overlaps", "?show=resolved")
    assert column(resolved, "id") == [str(flag_id)]
    assert column(resolved, "decision_note") == ["Daftar penerima digabung"]
    assert len(csv_rows(client, "/exports/overlaps.csv?show=all")) - 1 == total


def test_gaps_follow_the_coverage_kecamatan(app: Flask, demo: Demo) -> None:
    with app.app_context():
        kecamatan = db.session.scalars(
            sa.select(Need.kecamatan_code).join(Gap, Gap.need_id == Need.id).limit(1)
        ).one()
    client = signed_in(app, DEMO_COORDINATOR)
    everything = same_in_both(client, "/exports/gaps")
    assert len(everything) > 1
    assert all(column(everything, "reasons"))
    narrowed = same_in_both(client, "/exports/gaps", f"?kecamatan={kecamatan}")
    assert set(column(narrowed, "kecamatan")) == {kecamatan}
    assert len(narrowed) < len(everything) or len(set(column(everything, "kecamatan"))) == 1


@pytest.mark.parametrize("kind", ["programs", "people", "offers", "needs"])
def test_import_format_tables_have_exactly_the_import_columns(
    app: Flask, demo: Demo, kind: str
) -> None:
    client = signed_in(app, DEMO_COORDINATOR)
    rows = same_in_both(client, f"/exports/{kind}")
    assert tuple(rows[0]) == COLUMNS[kind]
    assert len(rows) > 1
    if kind in ("people", "offers", "needs"):
        assert all("@" in e for e in column(rows, "email")), "a coordinator sees every email"


COORDINATOR_ONLY = [
    "/exports/proposals.csv",
    "/exports/overlaps.xlsx",
    "/exports/gaps.csv",
    "/exports/people.csv",
    "/exports/offers.xlsx",
    "/reports/sync",
    "/reports/sync.xlsx",
]


def test_facilitators_may_not_download_coordinator_tables(app: Flask, demo: Demo) -> None:
    client = signed_in(app, DEMO_FACILITATOR)
    got = {url: client.get(url).status_code for url in COORDINATOR_ONLY}
    assert set(got.values()) == {403}, got


def test_anonymous_visitors_are_sent_to_sign_in(app: Flask, demo: Demo) -> None:
    client = app.test_client()
    with app.app_context():
        program = db.session.scalars(sa.select(Intervention.program_id).limit(1)).one()
    for url in [
        *COORDINATOR_ONLY,
        "/exports/interventions.csv",
        "/exports/interventions.hxl.csv",
        f"/programs/{program}/iati.xml",
    ]:
        answer = client.get(url)
        assert answer.status_code == 302, url
        assert "/login" in answer.headers["Location"], url


def test_a_foreign_coordinator_sees_none_of_klatens_rows(app: Flask, demo: Demo) -> None:
    client = signed_in(app, FOREIGN)
    for path in ("interventions", "proposals", "overlaps", "gaps", "offers", "needs"):
        rows = csv_rows_any(client, f"/exports/{path}.csv?kecamatan={demo.kecamatan}&status=all")
        assert len(rows) == 1, f"{path}: {rows[1:3]}"
    people = csv_rows_any(client, "/exports/people.csv")
    assert column(people, "email") == [FOREIGN]  # only Sleman's own
    # Naming Klaten does not help: only a global admin may choose the regency.
    rows = csv_rows_any(client, "/exports/interventions.csv?regency=33.10")
    assert len(rows) == 1


def csv_rows_any(client: FlaskClient, url: str) -> list[list[str]]:
    answer = client.get(url)
    assert answer.status_code == 200, url
    return list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))


def test_a_global_admin_chooses_the_regency(app: Flask, demo: Demo) -> None:
    client = signed_in(app, ADMIN)
    rows = csv_rows_any(client, "/exports/interventions.csv?regency=33.10")
    assert len(rows) - 1 == demo.interventions
    assert client.get("/exports/interventions.csv?regency=99.99").status_code == 404
    sleman = csv_rows_any(client, "/exports/interventions.csv?regency=34.04")
    assert len(sleman) == 1


def test_the_sync_report_page_shows_the_workbooks_summary(app: Flask, demo: Demo) -> None:
    client = signed_in(app, DEMO_COORDINATOR)
    answer = client.get("/reports/sync.xlsx")
    assert answer.status_code == 200
    assert "sync-report" in answer.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(answer.data))
    assert len(book.worksheets) == 5
    summary = [
        [_as_text(v) for v in row]
        for row in book.worksheets[0].iter_rows(values_only=True)
        if any(v is not None for v in row)
    ]
    # Heading, header, kecamatan rows; heading, header, program rows.
    kecamatan_header = summary[1]
    assert kecamatan_header[0] == "kecamatan"
    split = next(i for i, r in enumerate(summary) if r[0] == "program_code")
    kecamatan_rows = [r[: len(kecamatan_header)] for r in summary[2 : split - 1]]
    program_header = [h for h in summary[split] if h]
    program_rows = [r[: len(program_header)] for r in summary[split + 1 :]]
    assert len(kecamatan_rows) == 26
    assert sum(int(r[kecamatan_header.index("interventions")]) for r in kecamatan_rows) == (
        demo.interventions
    )
    page = client.get("/reports/sync")
    assert page.status_code == 200
    assert page_rows(page.get_data(as_text=True), "summary_kecamatan") == kecamatan_rows
    assert section_rows(client, "summary_programs") == program_rows
    # Each detail sheet's rows are on its section's pages, page after page, each once, in order.
    for sheet, name in zip(
        book.worksheets[1:], ("3w", "overlaps", "proposals", "gaps"), strict=True
    ):
        assert [r[0] for r in section_rows(client, name)] == sheet_ids(sheet), name


NEXT_PAGE = re.compile(r'<a href="([^"]+)" rel="next">')


def section_rows(client: FlaskClient, name: str, query: str = "") -> list[list[str]]:
    """Every row of the sync report's section ``name``: its first page, then each "next" page."""
    url = f"/reports/sync?section={name}{query}"
    rows: list[list[str]] = []
    while url:
        answer = client.get(url)
        assert answer.status_code == 200, url
        text = answer.get_data(as_text=True)
        rows += page_rows(text, name)
        found = NEXT_PAGE.search(text)
        url = html.unescape(found.group(1)) if found else ""
    return rows


def sheet_ids(sheet: Any) -> list[str]:
    """A detail sheet's ids (``id``, or ``need_id`` for gaps), top to bottom."""
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    column = header.index("id") if "id" in header else header.index("need_id")
    return [str(row[column]) for row in sheet.iter_rows(min_row=2, values_only=True)]


CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)


def page_rows(page: str, name: str) -> list[list[str]]:
    """The cells of the report page's table ``name``, as text."""
    match = re.search(rf'<table[^>]*id="t-{name}".*?<tbody>(.*?)</tbody>', page, re.S)
    if match is None:
        return []
    rows = re.findall(r"<tr>(.*?)</tr>", match.group(1), re.S)
    return [[html.unescape(c) for c in CELL.findall(row)] for row in rows]


def test_pages_offer_downloads_with_their_current_filters(app: Flask, demo: Demo) -> None:
    with app.app_context():
        program = db.session.scalars(sa.select(Intervention.program_id).limit(1)).one()
    client = signed_in(app, DEMO_COORDINATOR)
    k = demo.kecamatan
    expected = {
        f"/interventions?kecamatan={k}&page=2": f"/exports/interventions.xlsx?kecamatan={k}",
        "/review?kind=need_offer&min_score=50": "/exports/proposals.csv?kind=need_offer&amp;min_score=50",
        "/overlaps?show=all": "/exports/overlaps.xlsx?show=all",
        f"/coverage?kecamatan={k}": f"/exports/gaps.csv?kecamatan={k}",
        f"/programs/{program}": f"/programs/{program}/iati.xml",
        "/": "/reports/sync",
    }
    for page, link in expected.items():
        assert link in client.get(page).get_data(as_text=True), (page, link)
    # The page number stays behind: a download holds every page.
    registry = client.get(f"/interventions?kecamatan={k}&page=2").get_data(as_text=True)
    assert f'href="/exports/interventions.csv?kecamatan={k}"' in registry
    facilitator = signed_in(app, DEMO_FACILITATOR)
    assert "/exports/interventions.csv" in facilitator.get("/interventions").get_data(as_text=True)
    coverage = facilitator.get("/coverage").get_data(as_text=True)
    assert "/exports/gaps" not in coverage and "/reports/sync" not in coverage
