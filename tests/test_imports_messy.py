"""The messy spreadsheet set (tests/data/messy): every row read exactly as a careful person reads it.

The files are agencies' recaps and a coordinator's own lists, not our templates (see
``make_messy.py`` there); ``expected.json`` holds, row by row, what each one means. Imported in
one upload by Klaten's coordinator, the database must hold exactly that: every intervention,
person, offer and need, with no row more.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.extensions import db
from titiktemu.imports import Upload, run_import
from titiktemu.models import (
    ImportStatus,
    Intervention,
    Need,
    Offer,
    Person,
    Program,
    Role,
    Village,
)

MESSY = Path(__file__).parent / "data" / "messy"
FILES = [
    "program_klaten.csv",
    "pendamping_klaten.csv",
    "rekap_perkim_2021.xlsx",
    "intervensi_dinas_pmd_2021.csv",
    "tawaran.csv",
    "kebutuhan.csv",
]
EXPECTED: dict[str, list[dict[str, Any]]] = json.loads((MESSY / "expected.json").read_text())


def uploads() -> list[Upload]:
    return [Upload(name, (MESSY / name).read_bytes()) for name in FILES]


@pytest.fixture
def coordinator(ctx: object) -> Person:
    person = Person(
        email="koordinator@klaten.example.id",
        name="Koordinator Forum",
        role=Role.COORDINATOR,
        regency_code="33.10",
    )
    db.session.add(person)
    db.session.commit()
    return person


@pytest.fixture
def imported(coordinator: Person) -> dict[str, Any]:
    session = db.session()
    run = run_import(session, uploads(), coordinator, dry_run=False)
    session.commit()
    errors = [p for p in run.problems if p["level"] == "error"]
    assert run.status is ImportStatus.APPLIED, errors[:10]
    return {"run": run, "session": session}


def _villages(session: Session, spec: Any) -> list[str]:
    if isinstance(spec, str) and spec.startswith("all of "):
        kecamatan = spec.removeprefix("all of ")
        return sorted(
            session.scalars(sa.select(Village.code).where(Village.kecamatan_code == kecamatan))
        )
    return sorted(spec)


def test_every_intervention_is_read_as_a_person_reads_it(imported: dict[str, Any]) -> None:
    session: Session = imported["session"]
    stored = {
        (i.program.code, i.village_code, i.category_code, i.start_date): i
        for i in session.scalars(sa.select(Intervention))
    }
    wrong: list[str] = []
    for want in EXPECTED["interventions"]:
        where = f"{want['file']} row {want['row']}"
        key = (
            want["program"],
            want["village"],
            want["activity"],
            dt.date.fromisoformat(want["start"]),
        )
        item = stored.pop(key, None)
        if item is None:
            wrong.append(f"{where}: no intervention {key}")
            continue
        got = {
            "end": item.end_date.isoformat(),
            "households": item.households,
            "budget_idr": item.budget_idr,
            "facilitator": item.facilitator.email if item.facilitator else None,
            "title": item.title,
        }
        for field, value in got.items():
            if value != want[field]:
                wrong.append(f"{where}: {field} {value!r}, a person reads {want[field]!r}")
    assert not wrong, "\n".join(wrong)
    assert not stored, f"rows nobody wrote: {sorted(stored)}"
    assert len(EXPECTED["interventions"]) >= 40


def test_programs_and_people_with_indonesian_headers(imported: dict[str, Any]) -> None:
    session: Session = imported["session"]
    for want in EXPECTED["programs"]:
        program = session.scalars(sa.select(Program).where(Program.code == want["code"])).one()
        assert program.funding_source.value == want["funding_source"], want
        assert sorted(c.code for c in program.categories) == want["categories"], want
    for want in EXPECTED["people"]:
        person = session.scalars(sa.select(Person).where(Person.email == want["email"])).one()
        where = f"{want['file']} row {want['row']}"
        assert person.name == want["name"], where
        assert person.role.value == want["role"], where
        assert sorted(p.code for p in person.programs) == want["programs"], where
        assert person.home_village_code == want["home_village"], where
        assert sorted(v.code for v in person.villages) == _villages(session, want["villages"]), (
            where
        )
        assert sorted(s.code for s in person.skills) == want["skills"], where
        assert person.language.value == want["language"], where


def test_offers_and_needs_with_indonesian_headers(imported: dict[str, Any]) -> None:
    session: Session = imported["session"]

    def day(text: str | None) -> dt.date | None:
        return None if text is None else dt.date.fromisoformat(text)

    offers = session.scalars(sa.select(Offer)).all()
    assert len(offers) == len(EXPECTED["offers"])
    for want in EXPECTED["offers"]:
        email, title = want["key"]
        offer = next(o for o in offers if (o.person.email, o.title) == (email, title))
        assert sorted(s.code for s in offer.skills) == want["skills"], title
        assert sorted(v.code for v in offer.villages) == want["villages"], title
        assert sorted(k.code for k in offer.kecamatan) == want["kecamatan"], title
        assert (offer.available_from, offer.available_until) == (
            day(want["from"]),
            day(want["until"]),
        )
        assert offer.capacity == want["capacity"], title
    needs = session.scalars(sa.select(Need)).all()
    assert len(needs) == len(EXPECTED["needs"])
    for want in EXPECTED["needs"]:
        email, title = want["key"]
        need = next(n for n in needs if (n.person.email, n.title) == (email, title))
        assert sorted(s.code for s in need.skills) == want["skills"], title
        assert (need.village_code, need.kecamatan_code) == (want["village"], want["kecamatan"])
        assert (need.needed_from, need.needed_until) == (day(want["from"]), day(want["until"]))


def test_the_report_says_how_it_read_the_recaps(imported: dict[str, Any]) -> None:
    notes = [p for p in imported["run"].problems if p["level"] == "note"]
    codes = {p["code"] for p in notes}
    assert {
        "title_skipped",
        "total_row",
        "program_from_title",
        "kind_from_header",
        "ignored_sheet",
        "read_as",
    } <= codes
    read = {p["value"]: p["text_id"] for p in notes if p["code"] == "read_as"}
    assert "jambanisasi" in read and "Sanitasi" in read["jambanisasi"]
    program = next(p for p in notes if p["code"] == "program_from_title")
    assert program["value"] == "RTLH" and program["file"].endswith("[RTLH 2021]")
    totals = [p for p in notes if p["code"] == "total_row"]
    assert {p["file"] for p in totals} == {
        "rekap_perkim_2021.xlsx [RTLH 2021]",
        "intervensi_dinas_pmd_2021.csv",
    }


def test_the_same_files_again_change_nothing(imported: dict[str, Any], coordinator: Person) -> None:
    session: Session = imported["session"]
    again = run_import(session, uploads(), coordinator, dry_run=True)
    session.rollback()
    assert again.status is ImportStatus.CHECKED, again.problems[:5]
    assert all(tally["new"] == tally["updated"] == 0 for tally in again.counts.values()), (
        again.counts
    )
    assert again.changes == []


def test_rows_naming_a_refused_person_point_at_that_row(coordinator: Person) -> None:
    """A people row with a bad cell is refused; the offer and the intervention naming that
    person say where the real problem is, not "add them in the people sheet"."""
    session = db.session()
    people = (MESSY / "pendamping_klaten.csv").read_text(encoding="utf-8-sig")
    broken = people.replace("Ds. Jelobo Kec. Wonosari", "Ds. Jelobbo Kec. Wonosari")
    assert broken != people
    files = {
        "program_klaten.csv": (MESSY / "program_klaten.csv").read_bytes(),
        "pendamping_klaten.csv": broken.encode("utf-8"),
        "tawaran.csv": (MESSY / "tawaran.csv").read_bytes(),
        "intervensi_dinas_pmd_2021.csv": (MESSY / "intervensi_dinas_pmd_2021.csv").read_bytes(),
    }
    run = run_import(session, [Upload(n, d) for n, d in files.items()], coordinator, dry_run=True)
    session.rollback()
    assert run.status is ImportStatus.REJECTED
    errors = [p for p in run.problems if p["level"] == "error"]
    [refused] = [p for p in errors if p["file"] == "pendamping_klaten.csv"]
    assert (refused["row"], refused["column"]) == (5, "home_village")
    follow_on = [p for p in errors if p["code"] == "person_refused"]
    assert {p["file"] for p in follow_on} == {"tawaran.csv", "intervensi_dinas_pmd_2021.csv"}
    for problem in follow_on:
        assert problem["value"] == "bambang.pkh@kemensos.example.id"
        assert "pendamping_klaten.csv row 5" in problem["text_en"]
        assert "pendamping_klaten.csv baris 5" in problem["text_id"]
    assert not [p for p in errors if p["code"] == "unknown_person"]
