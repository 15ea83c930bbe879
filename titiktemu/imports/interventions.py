"""The ``interventions`` sheet: the 3W rows, keyed by program + village + activity + start date."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from titiktemu.imports import people
from titiktemu.imports.plan import Current, chunked
from titiktemu.imports.rows import Record, RowCheck
from titiktemu.models import Intervention, Person, Program
from titiktemu.models.places import regency_of

KIND: Final = "interventions"
MAX_HOUSEHOLDS: Final = 10_000_000
MAX_BUDGET: Final = 10**15  # a thousand trillion rupiah: beyond any program


def check(row: RowCheck) -> Record | None:
    program_ref = row.text("program_code", 40, required=True)
    program = row.each("program_code", [program_ref], row.lookups.program) if program_ref else []
    village_ref = row.text("village", 300, required=True)
    kecamatan = row.text("kecamatan", 300)
    place = (
        row.place("village", village_ref, whole_kecamatan=False, kecamatan=kecamatan)
        if village_ref
        else None
    )
    activity_ref = row.text("activity", 200, required=True)
    category = row.each("activity", [activity_ref], row.lookups.category) if activity_ref else []
    start = row.date("start_date", required=True)
    end = row.date("end_date", required=True, end=True)  # "Mei 2021" ends on 31 May
    row.window(start, end, "end_date")
    households = row.count("households", MAX_HOUSEHOLDS)
    budget = row.money("budget_idr", MAX_BUDGET)
    facilitator = people.email(row, "facilitator_email", required=False)
    known = row.each("facilitator_email", [facilitator], row.lookups.person) if facilitator else []
    if known and place is not None:
        people.works_in(row, "facilitator_email", facilitator, known[0], [place.code])
    title = " ".join(row.text("title", 200).split())
    if not row.ok or not program or not category or place is None or start is None:
        return None
    village_code = str(place.village_code)
    if not title:
        village_name = row.lookups.places.villages[village_code][0]
        title = f"{row.lookups.category_labels.get(category[0], category[0])} {village_name}"[:200]
    return Record(
        kind=KIND,
        file=row.sheet.file,
        row=row.row.number,
        key=(program[0], village_code, category[0], start),
        values={
            "program_code": program[0],
            "village_code": village_code,
            "category_code": category[0],
            "start_date": start,
            "end_date": end,
            "budget_year": start.year,
            "households": households,
            "budget_idr": budget,
            "facilitator_email": facilitator or None,
            "title": title,
        },
        regencies={regency_of(village_code)},
    )


def existing(session: Session, records: Iterable[Record]) -> dict[tuple[object, ...], Current]:
    """The stored interventions with the records' keys: one query per 5,000 programs' rows."""
    keys = {r.key for r in records}
    codes = {str(key[0]) for key in keys}
    facilitator = aliased(Person)
    found: dict[tuple[object, ...], Current] = {}
    for batch in chunked(codes):
        query = (
            sa.select(
                Intervention.id,
                Program.code,
                Intervention.village_code,
                Intervention.category_code,
                Intervention.start_date,
                Intervention.end_date,
                Intervention.budget_year,
                Intervention.households,
                Intervention.budget_idr,
                facilitator.email,
                Intervention.title,
            )
            .join(Program, Program.id == Intervention.program_id)
            .outerjoin(facilitator, facilitator.id == Intervention.facilitator_id)
            .where(Program.code.in_(batch))
        )
        for r in session.execute(query):
            key = (r[1], r[2], r[3], r[4])
            if key not in keys:
                continue
            found[key] = Current(
                r[0],
                {
                    "program_code": r[1],
                    "village_code": r[2],
                    "category_code": r[3],
                    "start_date": r[4],
                    "end_date": r[5],
                    "budget_year": r[6],
                    "households": r[7],
                    "budget_idr": r[8],
                    "facilitator_email": r[9],
                    "title": r[10],
                },
            )
    return found
