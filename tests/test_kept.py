"""Answers kept while the regency counters stand (``titiktemu.kept``): reused while nothing they
read has changed, read again the moment a committed change moves a counter, and never kept or
used by a transaction that has written."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from titiktemu.extensions import db
from titiktemu.kept import kept, versions
from titiktemu.models import (
    ActivityCategory,
    AuditEntry,
    FundingSource,
    Intervention,
    Person,
    Program,
    Village,
)
from titiktemu.models.places import under
from titiktemu.places.coverage import coverage

from .conftest import csrf_token
from .test_review_cards import signed_in
from .test_web_coordinator import CARD, demo, html_of  # noqa: F401 - demo: a fixture

KLATEN = "33.10"


def program_options(html: str) -> set[str]:
    select = html.split('name="program"')[1].split("</select>")[0]
    return set(re.findall(r">([^<]+)</option>", select))


def new_program(code: str) -> Program:
    program = Program(
        code=code, name=f"Program {code}", agency="Uji", funding_source=FundingSource.CSR
    )
    db.session.add(program)
    db.session.commit()
    return program


@pytest.mark.usefixtures("demo")
def test_the_review_filter_offers_a_program_as_soon_as_it_is_present(app: Flask) -> None:
    """The filter's options are kept between pages; a program that gains a member in the
    regency (the "every regency" counter moves) or an intervention there (the regency's
    counter moves) is offered on the very next page, and the options are not read again while
    nothing changed."""
    client = signed_in(app)
    with app.app_context():
        member, working = new_program("CSR-ANGGOTA"), new_program("CSR-KEGIATAN")
        member_id, working_id = member.id, working.id
    shown = program_options(html_of(client, "/review"))
    assert "CSR-ANGGOTA" not in shown and "CSR-KEGIATAN" not in shown
    with app.app_context():
        reads = 0

        def counted() -> int:
            nonlocal reads
            reads += 1
            return reads

        for _ in range(3):  # three transactions, nothing changed: read once
            assert kept(db.session(), "test.counted", KLATEN, None, counted) == 1
            db.session.rollback()
        someone = db.session.scalars(
            sa.select(Person).where(Person.regency_code == KLATEN).order_by(Person.id)
        ).first()
        assert someone is not None
        someone.programs.append(db.session.get_one(Program, member_id))
        db.session.commit()
        assert kept(db.session(), "test.counted", KLATEN, None, counted) == 2
        db.session.rollback()
    assert "CSR-ANGGOTA" in program_options(html_of(client, "/review"))
    assert "CSR-KEGIATAN" not in program_options(html_of(client, "/review"))
    with app.app_context():
        village = db.session.scalars(
            sa.select(Village.code).where(under(Village.code, KLATEN)).order_by(Village.code)
        ).first()
        category = db.session.scalars(sa.select(ActivityCategory.code)).first()
        assert village is not None and category is not None
        db.session.add(
            Intervention(
                program_id=working_id,
                village_code=village,
                category_code=category,
                title="Pelatihan uji",
                start_date=dt.date(2026, 1, 1),
                end_date=dt.date(2026, 6, 30),
                budget_year=2026,
            )
        )
        db.session.commit()
    assert "CSR-KEGIATAN" in program_options(html_of(client, "/review"))


@pytest.mark.usefixtures("demo")
def test_a_transaction_that_wrote_neither_uses_nor_keeps_an_answer(app: Flask) -> None:
    with app.app_context():
        session = db.session()
        assert kept(session, "test.wrote", KLATEN, None, lambda: "kept") == "kept"
        session.rollback()
        session.add(AuditEntry(action="test", object_type="test", object_id="1", detail={}))
        session.flush()  # this transaction has written: it may see what no counter shows
        assert kept(session, "test.wrote", KLATEN, None, lambda: "fresh") == "fresh"
        assert kept(session, "test.unkept", KLATEN, None, lambda: "fresh") == "fresh"
        session.rollback()
        assert kept(session, "test.wrote", KLATEN, None, lambda: "other") == "kept"
        assert kept(session, "test.unkept", KLATEN, None, lambda: "read") == "read"
        session.rollback()


@pytest.mark.usefixtures("demo")
def test_the_counters_are_read_once_a_transaction(app: Flask) -> None:
    with app.app_context():
        session = db.session()
        first = versions(session, KLATEN)
        assert versions(session) == first == versions(session, KLATEN)
        assert first.every > 0 and first.regency > 0  # the demo bumped both
        session.rollback()
        someone = session.scalars(sa.select(Person).where(Person.regency_code == KLATEN)).first()
        assert someone is not None
        someone.name += " (uji)"  # a name the engine reads: "every regency" moves
        session.commit()
        assert versions(session, KLATEN).every == first.every + 1
        session.rollback()


@pytest.mark.usefixtures("demo")
def test_the_coverage_matrix_counts_an_intervention_on_the_next_read(app: Flask) -> None:
    """The matrix's columns, counts and kecamatan are kept for the whole regency; an
    intervention committed in a village where its program did not work yet is counted, and its
    program shown, on the very next read; a year's counts (the budget year is not counted by any
    counter) are read every time."""
    with app.app_context():
        session = db.session()
        program = new_program("CSR-PETA")
        before = coverage(session, KLATEN)
        assert str(program.id) not in {c.key for c in before.columns}
        assert coverage(session, KLATEN).kecamatan == before.kecamatan  # kept, equal
        session.rollback()
        village = session.scalars(
            sa.select(Village).where(under(Village.code, KLATEN)).order_by(Village.code)
        ).first()
        category = session.scalars(sa.select(ActivityCategory.code)).first()
        assert village is not None and category is not None
        kecamatan_code = village.kecamatan_code
        session.add(
            Intervention(
                program_id=program.id,
                village_code=village.code,
                category_code=category,
                title="Pemetaan uji",
                start_date=dt.date(2026, 1, 1),
                end_date=dt.date(2026, 6, 30),
                budget_year=2031,
            )
        )
        session.commit()
        after = coverage(session, KLATEN)
        assert str(program.id) in {c.key for c in after.columns}
        row = next(k for k in after.kecamatan if k.code == kecamatan_code)
        assert row.counts[str(program.id)] == 1
        assert 2031 in after.years
        for year, working in ((2031, 1), (2030, 0)):
            in_year = coverage(session, KLATEN, year=year)
            assert sum(k.counts[str(program.id)] for k in in_year.kecamatan) == working
        session.rollback()


def queue_of(client: FlaskClient, path: str = "/review") -> tuple[list[str], int]:
    """The cards' ids on the page, and the total the page says."""
    html = html_of(client, path)
    total = re.search(r'<p class="lead">\s*(\d+)', html)
    assert total, path
    return CARD.findall(html), int(total.group(1))


@pytest.mark.usefixtures("demo")
def test_the_kept_queue_follows_every_decision_at_once(app: Flask) -> None:
    """The queue's total and its pages' ids are kept while the regency's counters stand; each
    kind of decision, one by one and in bulk, moves a counter in its own commit, so the very
    next page no longer shows what was decided and counts one fewer."""
    client = signed_in(app)
    ids, total = queue_of(client)
    assert len(ids) >= 6 and total >= 6
    assert queue_of(client) == (ids, total)  # kept: the same
    token = csrf_token(client, "/review")
    # (where, what is sent, which cards it decides)
    steps: list[tuple[str, dict[str, object], set[str]]] = [
        (f"/review/{ids[0]}/decide", {"decision": "accepted"}, {ids[0]}),
        (
            f"/review/{ids[1]}/decide",
            {"decision": "declined", "note": "Sudah ditangani"},
            {ids[1]},
        ),
        (f"/review/{ids[2]}/decide", {"decision": "convene"}, {ids[2]}),
        ("/review/accept", {"ids": [ids[3], ids[4]]}, {ids[3], ids[4]}),
    ]
    gone: set[str] = set()
    for path, data, decided in steps:
        answer = client.post(path, data={**data, "next": "/review", "csrf_token": token})
        assert answer.status_code == 302, path
        gone |= decided
        shown, now_total = queue_of(client)
        assert not gone & set(shown), path
        assert now_total == total - len(gone), path
    convened, _ = queue_of(client, "/review?status=convene")
    assert ids[2] in convened
