"""Whoever a record names sees and opens it, so records name people of their own regency only.

An import row naming a facilitator (interventions) or an owner (needs, offers) of another
regency, or of none, is refused with a row-level problem in both languages; the services behind
the intervention, need and offer forms and the API refuse a place outside the owner's regency.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from titiktemu.exchange.commands import (
    InputError,
    InterventionInput,
    NeedInput,
    OfferInput,
    save_intervention,
    save_need,
    save_offer,
)
from titiktemu.extensions import db
from titiktemu.imports import Upload
from titiktemu.models import (
    ImportStatus,
    Intervention,
    Need,
    Offer,
    Person,
    Program,
    Regency,
    Role,
    Village,
)
from titiktemu.places.regions import load_regions, resolve_codes

from .api_support import assert_problem, bearer
from .conftest import PASSWORD, csrf_token
from .test_imports_support import PROGRAMS, csv_bytes, errors, imported, person

SLEMAN = "34.04"
KLATEN_VILLAGE = "33.10.24.2003"  # Karanganom, Klaten Utara


@pytest.fixture
def sleman(app: Flask) -> str:
    """A second real regency with its places (reference data, kept for the session)."""
    with app.app_context():
        if db.session.get(Regency, SLEMAN) is None:
            load_regions(db.session(), resolve_codes([SLEMAN]))
            db.session.commit()
        village = db.session.scalars(
            sa.select(Village.code).where(Village.code.startswith(SLEMAN + ".")).limit(1)
        ).one()
    return village


@pytest.fixture
def session(ctx: Flask) -> Session:
    return db.session()


def _programs(session: Session) -> None:
    imported(session, [Upload("programs.csv", csv_bytes("programs", PROGRAMS))], expect=None)
    assert session.scalar(sa.select(sa.func.count()).select_from(Program)) == 2


def _intervention(village: str, facilitator: str, start: str = "2026-02-01") -> list[str]:
    """A row of RTLH's house renovation; the start tells rows of one village apart."""
    return [
        "RTLH",
        village,
        "house_renovation",
        start,
        "2026-06-30",
        "12",
        "180000000",
        facilitator,
        "Bedah rumah",
    ]


def _interventions(*rows: list[str]) -> Upload:
    return Upload("interventions.csv", csv_bytes("interventions", rows))


def _regency_problems(run: object) -> list[tuple[int, str, str]]:
    return [
        (p["row"], p["column"], p["value"])
        for p in errors(run)  # type: ignore[arg-type]
        if p["code"] == "other_regency"
    ]


def test_a_coordinator_cannot_name_a_facilitator_of_another_regency(
    session: Session, sleman: str
) -> None:
    _programs(session)
    koor = person(session, "koor@example.org", Role.COORDINATOR)
    person(session, "sri@example.org", Role.FACILITATOR)
    person(session, "tamu@example.org", Role.FACILITATOR, regency=SLEMAN)
    run = imported(
        session,
        [_interventions(_intervention(KLATEN_VILLAGE, "tamu@example.org"))],
        koor,
        expect=ImportStatus.REJECTED,
    )
    [problem] = errors(run)
    assert (problem["code"], problem["row"], problem["column"]) == (
        "other_regency",
        2,
        "facilitator_email",
    )
    assert "34.04" in problem["text_en"] and "33.10" in problem["text_en"]
    assert "kabupaten 34.04" in problem["text_id"]
    assert session.scalar(sa.select(sa.func.count()).select_from(Intervention)) == 0
    # The same row with a facilitator of the regency goes in.
    imported(
        session,
        [_interventions(_intervention(KLATEN_VILLAGE, "sri@example.org"))],
        koor,
        expect=ImportStatus.APPLIED,
    )


def test_the_operator_is_held_to_the_same_rule(session: Session, sleman: str) -> None:
    """The command line may import anywhere, but still names only people of the row's regency;
    someone of no regency is refused, a global admin (who sees everything) is not."""
    _programs(session)
    person(session, "sri@example.org", Role.FACILITATOR)
    person(session, "tamu@example.org", Role.FACILITATOR, regency=SLEMAN)
    person(session, "lepas@example.org", Role.FACILITATOR, regency=None)
    person(session, "admin@example.org", Role.ADMIN, regency=None)
    uploads = [
        _interventions(
            _intervention(KLATEN_VILLAGE, "tamu@example.org", "2026-02-01"),
            _intervention(sleman, "sri@example.org", "2026-02-01"),
            _intervention(KLATEN_VILLAGE, "lepas@example.org", "2026-03-01"),
            _intervention(KLATEN_VILLAGE, "admin@example.org", "2026-04-01"),  # fine
            _intervention(sleman, "tamu@example.org", "2026-05-01"),  # fine
        ),
        Upload(
            "needs.csv",
            csv_bytes(
                "needs",
                [
                    ["tamu@example.org", "Butuh pembukuan", "accounting", KLATEN_VILLAGE],
                    ["sri@example.org", "Butuh data", "accounting", KLATEN_VILLAGE],
                ],
            ),
        ),
        Upload(
            "offers.csv",
            csv_bytes(
                "offers",
                [
                    ["tamu@example.org", "Bantu pembukuan", "accounting", KLATEN_VILLAGE],
                    [
                        "sri@example.org",
                        "Bantu di dua kabupaten",
                        "accounting",
                        f"33.10.24; {sleman}",
                    ],
                    ["sri@example.org", "Bantu data", "accounting", "33.10.24"],
                ],
            ),
        ),
    ]
    run = imported(session, uploads, None, expect=ImportStatus.REJECTED)
    found = _regency_problems(run)
    assert found == [
        (2, "facilitator_email", "tamu@example.org"),
        (3, "facilitator_email", "sri@example.org"),
        (4, "facilitator_email", "lepas@example.org"),
        (2, "email", "tamu@example.org"),
        (3, "email", "sri@example.org"),
        (2, "email", "tamu@example.org"),
    ], run.problems
    assert len(errors(run)) == len(found)  # nothing else is wrong with these rows
    texts = {p["value"]: p for p in errors(run)}
    assert "has no regency" in texts["lepas@example.org"]["text_en"]
    assert "belum terdaftar di kabupaten mana pun" in texts["lepas@example.org"]["text_id"]
    for model in (Intervention, Need, Offer):
        assert session.scalar(sa.select(sa.func.count()).select_from(model)) == 0


def test_the_services_keep_records_in_the_owners_regency(session: Session, sleman: str) -> None:
    """The form pages and the API save through these: a place of another regency is refused."""
    _programs(session)
    program = session.scalars(sa.select(Program).where(Program.code == "RTLH")).one()
    tamu = person(session, "tamu@example.org", Role.FACILITATOR, regency=SLEMAN)
    day = dt.date(2026, 2, 1)
    with pytest.raises(InputError) as refused:
        save_intervention(
            session,
            tamu,
            InterventionInput(program.id, KLATEN_VILLAGE, "house_renovation", "Bedah", day, day),
        )
    assert refused.value.errors == {"village": "choose a place in your regency"}
    with pytest.raises(InputError) as refused:
        save_need(session, tamu, NeedInput("Butuh", ["bookkeeping"], village_code=KLATEN_VILLAGE))
    assert refused.value.errors == {"village": "choose a place in your regency"}
    with pytest.raises(InputError) as refused:
        save_offer(
            session,
            tamu,
            OfferInput("Bantu", ["bookkeeping"], village_codes=[sleman, KLATEN_VILLAGE]),
        )
    assert refused.value.errors == {"villages": "choose a place in your regency"}
    session.rollback()
    # In their own regency all three are saved.
    tamu = session.get_one(Person, tamu.id)
    save_intervention(
        session, tamu, InterventionInput(program.id, sleman, "house_renovation", "Bedah", day, day)
    )
    save_need(session, tamu, NeedInput("Butuh", ["bookkeeping"], village_code=sleman))
    save_offer(session, tamu, OfferInput("Bantu", ["bookkeeping"], village_codes=[sleman]))
    session.commit()


def test_the_page_and_the_api_show_the_problem(
    app: Flask, client: FlaskClient, auth, make_person, sleman: str
) -> None:
    koor = make_person("koor@example.org", role=Role.COORDINATOR)
    make_person("tamu@example.org", regency_code=SLEMAN)
    programs = csv_bytes("programs", PROGRAMS)
    interventions = _interventions(_intervention(KLATEN_VILLAGE, "tamu@example.org")).data
    auth.login("koor@example.org", PASSWORD)
    token = csrf_token(client, "/imports")
    answer = client.post(
        "/imports",
        data={
            "csrf_token": token,
            "kind": "",
            "action": "apply",
            "files": [
                (io.BytesIO(programs), "programs.csv"),
                (io.BytesIO(interventions), "interventions.csv"),
            ],
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert re.search(r"tamu@example\.org.*bekerja di kabupaten 34\.04", page, re.S), page
    api = client.post(
        "/api/v1/imports",
        headers=bearer(app, koor),
        data={
            "file": [
                (io.BytesIO(programs), "programs.csv"),
                (io.BytesIO(interventions), "interventions.csv"),
            ]
        },
        content_type="multipart/form-data",
    )
    problem = assert_problem(api, 422)
    assert [e["field"] for e in problem["errors"]] == ["interventions.csv:2:facilitator_email"]
    assert "works in regency 34.04" in problem["errors"][0]["message"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Intervention)) == 0
