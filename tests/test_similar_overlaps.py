"""The "similar interventions" box asks the flags' own rule: what it lists, the save flags.

A finished intervention of another program in the same village and activity is no longer
"running", so the word look-alikes skip it; the overlap rule does not, and neither does the box.
Overlap checks run in process here (the embedded default), so a save's flag is there at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from titiktemu.exchange.commands import InterventionInput, save_intervention
from titiktemu.extensions import db
from titiktemu.interventions.similar import (
    Draft,
    check_intervention_draft,
    similar_interventions,
    would_flag,
)
from titiktemu.models import (
    AllowedCombination,
    Intervention,
    Language,
    OverlapFlag,
    Person,
    Program,
)
from titiktemu.models.programs import FundingSource

from .conftest import PASSWORD, AuthActions, csrf_token

SENGON = "33.10.01.2001"  # Desa Sengon, Kecamatan Prambanan
KOTESAN = "33.10.01.2003"
LAST_YEAR = dt.date.today().year - 1
PAST = (dt.date(LAST_YEAR, 3, 1), dt.date(LAST_YEAR, 8, 31))  # over before today


def program(code: str) -> int:
    row = Program(
        code=code, name=f"Program {code}", agency="Dinas", funding_source=FundingSource.APBD
    )
    db.session.add(row)
    db.session.commit()
    return row.id


def person(make_person: Any, email: str, programs: tuple[int, ...] = ()) -> int:
    """A facilitator reading the English UI, with these programs."""
    person_id = int(make_person(email))
    row = db.session.get(Person, person_id)
    assert row is not None
    row.language = Language.EN
    row.programs = [p for p in (db.session.get(Program, i) for i in programs) if p]
    db.session.commit()
    return person_id


def record(
    person_id: int,
    program_id: int,
    title: str,
    start: dt.date,
    end: dt.date,
    *,
    village: str = SENGON,
    category: str = "house_renovation",
) -> int:
    """Save and commit through the real service; its overlap check runs on commit."""
    who = db.session.get(Person, person_id)
    assert who is not None
    item = save_intervention(
        db.session(),
        who,
        InterventionInput(
            program_id=program_id,
            village_code=village,
            category_code=category,
            title=title,
            start_date=start,
            end_date=end,
            households=12,
            budget_idr=180_000_000,
        ),
    )
    db.session.commit()
    return item.id


def flag_members() -> list[set[int]]:
    db.session.expire_all()
    flags = db.session.scalars(sa.select(OverlapFlag).order_by(OverlapFlag.id)).all()
    return [{i.id for i in f.interventions} for f in flags]


def test_a_finished_overlap_is_listed_and_the_save_flags_it(ctx: Flask, make_person: Any) -> None:
    rtlh, bsps = program("RTLH"), program("BSPS")
    budi = person(make_person, "budi@example.org", (bsps,))
    sri = person(make_person, "sri@example.org", (rtlh,))
    done = record(budi, bsps, "Bedah rumah BSPS Sengon", *PAST)
    assert flag_members() == []
    draft = Draft(
        program_id=rtlh,
        village_code=SENGON,
        category_code="house_renovation",
        start=dt.date(LAST_YEAR, 6, 1),
        end=dt.date(LAST_YEAR, 11, 30),
        title="Rehab RTLH warga miskin",
        households=12,  # as ``record`` saves it: the severity comes out the same
        budget_idr=180_000_000,
    )
    # The word look-alikes skip what is over; the flags' rule does not.
    loose = similar_interventions(
        db.session(),
        title=draft.title,
        kecamatan_code=SENGON[:8],
        village_code=SENGON,
        category_code="house_renovation",
        today=dt.date.today(),
    )
    assert loose == []
    found = would_flag(db.session(), draft)
    assert found is not None and [s.id for s in found.others] == [done]
    assert found.others[0].who == "BSPS" and found.others[0].end == PAST[1]
    box = check_intervention_draft(db.session(), draft, today=dt.date.today())
    assert box and box.flag == found and box.similar == []
    saved = record(sri, rtlh, draft.title, dt.date(LAST_YEAR, 6, 1), dt.date(LAST_YEAR, 11, 30))
    assert flag_members() == [{done, saved}]
    flag = db.session.scalars(sa.select(OverlapFlag)).one()
    assert round(flag.severity, 6) == found.severity
    # Editing it: the box leaves the intervention itself out and still names the same flag.
    again = would_flag(db.session(), replace(draft, id=saved))
    assert again is not None and [s.id for s in again.others] == [done]


def test_the_box_lists_the_whole_cluster_the_save_would_join(ctx: Flask, make_person: Any) -> None:
    rtlh, bsps, csr = program("RTLH"), program("BSPS"), program("CSR")
    owner = person(make_person, "budi@example.org", (rtlh, bsps, csr))
    first = record(owner, rtlh, "Rehab RTLH", dt.date(LAST_YEAR, 1, 1), dt.date(LAST_YEAR, 4, 30))
    second = record(owner, bsps, "BSPS", dt.date(LAST_YEAR, 4, 1), dt.date(LAST_YEAR, 6, 30))
    assert flag_members() == [{first, second}]
    # Meets only the second (after the first is over), but the save flags all three together.
    draft = Draft(
        program_id=csr,
        village_code=SENGON,
        category_code="sanitation",  # overlaps house renovation (the regency's config)
        start=dt.date(LAST_YEAR, 6, 1),
        end=dt.date(LAST_YEAR, 9, 30),
        title="Jamban sehat CSR",
    )
    found = would_flag(db.session(), draft)
    assert found is not None and {s.id for s in found.others} == {first, second}
    third = record(
        owner,
        csr,
        draft.title,
        dt.date(LAST_YEAR, 6, 1),
        dt.date(LAST_YEAR, 9, 30),
        category="sanitation",
    )
    assert flag_members() == [{first, second, third}]


def test_what_the_flags_leave_out_the_box_leaves_out(ctx: Flask, make_person: Any) -> None:
    rtlh, bsps = program("RTLH"), program("BSPS")
    owner = person(make_person, "budi@example.org", (rtlh, bsps))
    record(owner, bsps, "Bedah rumah BSPS Sengon", *PAST)
    base = Draft(rtlh, SENGON, "house_renovation", *PAST, title="Rehab rumah")
    assert would_flag(db.session(), base) is not None
    for draft in (
        Draft(bsps, SENGON, "house_renovation", *PAST),  # the same program
        Draft(rtlh, KOTESAN, "house_renovation", *PAST),  # another village
        Draft(rtlh, SENGON, "livelihood_training", *PAST),  # an unrelated activity
        Draft(
            rtlh, SENGON, "house_renovation", dt.date(LAST_YEAR, 9, 1), dt.date(LAST_YEAR, 12, 1)
        ),
        Draft(None, SENGON, "house_renovation", *PAST),  # not filled in yet
        Draft(rtlh, SENGON, "house_renovation", PAST[1], PAST[0]),  # dates the wrong way round
    ):
        assert would_flag(db.session(), draft) is None, draft
    low, high = sorted((rtlh, bsps))
    db.session.add(AllowedCombination(regency_code="33.10", program_a_id=low, program_b_id=high))
    db.session.commit()
    assert would_flag(db.session(), base) is None  # the regency allowed the pair
    record(owner, rtlh, "Rehab rumah", *PAST)
    assert flag_members() == []  # and the save agrees


def _text(answer: Any) -> str:
    return str(answer.get_data(as_text=True))


def test_the_box_on_the_form_and_while_typing(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person: Any
) -> None:
    with app.app_context():
        rtlh, bsps = program("RTLH"), program("BSPS")
        budi = person(make_person, "budi@example.org", (bsps,))
        person(make_person, "sri@example.org", (rtlh,))
        done = record(budi, bsps, "Bedah rumah BSPS Sengon", *PAST)
        record(budi, bsps, "Bedah rumah BSPS Kotesan", *PAST, village=KOTESAN)
    auth.login("sri@example.org", PASSWORD)
    fields = {
        "program": str(rtlh),
        "village": SENGON,
        "category": "house_renovation",
        "title": "Rehab rumah tidak layak huni",
        "start_date": f"{LAST_YEAR}-06-01",
        "end_date": f"{LAST_YEAR}-11-30",
        "households": "10",
        "budget": "",
    }
    token = csrf_token(client, "/interventions/new")
    checked = client.post(
        "/interventions/new", data={**fields, "action": "check", "csrf_token": token}
    )
    html = _text(checked)
    assert checked.status_code == 200
    box = html.split('id="similar"')[1]
    assert "Saving this will flag an overlap" in box and "Nothing similar" not in box
    assert "Bedah rumah BSPS Sengon" in box and "Severity:" in box
    assert "Bedah rumah BSPS Kotesan" not in box  # another village, and over: neither list
    fragment = client.get("/similar/interventions", query_string=fields)
    part = _text(fragment)
    assert "<html" not in part and "Saving this will flag an overlap" in part
    assert "Bedah rumah BSPS Sengon" in part
    later = client.get(
        "/similar/interventions",
        query_string={**fields, "start_date": f"{LAST_YEAR + 2}-01-01", "end_date": ""},
    )
    assert "Saving this will flag an overlap" not in _text(later)
    saved = client.post(
        "/interventions/new", data={**fields, "action": "save", "csrf_token": token}
    )
    assert saved.status_code == 302
    with app.app_context():
        mine = db.session.scalars(
            sa.select(Intervention).where(Intervention.program_id == rtlh)
        ).one()
        assert flag_members() == [{done, mine.id}]
