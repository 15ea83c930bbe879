"""Recording an intervention (3W): the one command the form page, the API and the tests save
through.

``save_intervention`` validates, keeps the natural key free (one program records one activity in
one village from one start date: ``DuplicateIntervention`` names the one already there), writes,
audits and enqueues the overlap check, which runs once the caller commits.
``record_intervention`` first asks who may: only who recorded it changes it, and a facilitator
records only the programs they work for (a coordinator: any). Refusals are ``titiktemu.errors``
kinds; the front ends only translate them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.audit import record
from titiktemu.errors import Conflict, NotAllowed
from titiktemu.fields import InputError, check_in_regency, check_window, clean_title
from titiktemu.jobs import enqueue
from titiktemu.jobs.names import TaskName
from titiktemu.models import ActivityCategory, Intervention, Person, Program, Role, Village

#: What the API says under ``start_date`` when the natural key is taken.
ALREADY_RECORDED = "already recorded"


@dataclass
class InterventionInput:
    program_id: int
    village_code: str
    category_code: str
    title: str
    start_date: dt.date
    end_date: dt.date
    households: int | None = None  # None: not known, which is not zero
    budget_idr: int | None = None


class DuplicateIntervention(Conflict):
    """The program already records this activity in this village from this start date;
    ``existing`` is that one, so a page can offer to open it (if the person may see it)."""

    def __init__(self, existing: Intervention) -> None:
        super().__init__(
            "This program already records this activity in this village starting on this date."
        )
        self.existing = existing
        self.errors = {"start_date": ALREADY_RECORDED}


class NotRecorder(NotAllowed):
    """Someone else recorded it: they may read it, only its recorder changes it."""

    def __init__(self) -> None:
        super().__init__("Only who recorded this intervention may change it.")


def recordable_programs(
    session: Session, person: Person, item: Intervention | None
) -> list[Program]:
    """The programs ``person`` may record an intervention of: their own (a coordinator or an
    admin: every program, by code), and the one ``item`` already has (the form offers these)."""
    if person.role in (Role.COORDINATOR, Role.ADMIN):
        programs = list(session.scalars(sa.select(Program).order_by(Program.code)))
    else:
        programs = list(person.programs)
    if item is not None and item.program not in programs:
        programs.append(item.program)
    return programs


def duplicate_of(
    session: Session, data: InterventionInput, item: Intervention | None
) -> Intervention | None:
    """The intervention already holding this natural key (program, village, activity, start)."""
    query = sa.select(Intervention).where(
        Intervention.program_id == data.program_id,
        Intervention.village_code == data.village_code,
        Intervention.category_code == data.category_code,
        Intervention.start_date == data.start_date,
    )
    if item is not None:
        query = query.where(Intervention.id != item.id)
    return session.scalars(query.limit(1)).first()


def record_intervention(
    session: Session,
    person: Person,
    data: InterventionInput,
    item: Intervention | None = None,
    *,
    regency: str | None = None,
) -> Intervention:
    """What the page and the API call: who may, then ``save_intervention``; the caller commits.

    ``NotRecorder`` for someone else's; an ``InputError`` under "program" for a program that is
    not theirs to record (pages offer only those, the API may be sent any)."""
    if item is not None and item.facilitator_id != person.id:
        raise NotRecorder()
    allowed = {p.id for p in recordable_programs(session, person, item)}
    if data.program_id not in allowed and session.get(Program, data.program_id) is not None:
        raise InputError({"program": "record only the programs you work for"})
    return save_intervention(session, person, data, item, regency=regency)


def save_intervention(
    session: Session,
    person: Person,
    data: InterventionInput,
    item: Intervention | None = None,
    *,
    regency: str | None = None,
) -> Intervention:
    """Record or edit an intervention (3W) and enqueue its overlap check; the caller commits.

    ``InputError`` names each field that does not hold (a place outside ``regency``, see
    ``check_in_regency``, first of all); ``DuplicateIntervention`` when the natural key is taken.
    """
    errors: dict[str, str] = {}
    title = clean_title(data.title, errors)
    if session.get(Program, data.program_id) is None:
        errors["program"] = "unknown program"
    if session.get(Village, data.village_code) is None:
        errors["village"] = f"unknown village {data.village_code!r}"
    else:
        check_in_regency(person, [data.village_code], "village", errors, regency)
    if session.get(ActivityCategory, data.category_code) is None:
        errors["activity"] = f"unknown activity {data.category_code!r}"
    check_window(data.start_date, data.end_date, "end_date", errors)
    if data.households is not None and data.households < 0:
        errors["households"] = "cannot be negative"
    if data.budget_idr is not None and data.budget_idr < 0:
        errors["budget_idr"] = "cannot be negative"
    if "village" in errors or "program" in errors:
        raise InputError(errors)  # which program where comes before "already recorded"
    duplicate = duplicate_of(session, data, item) if "activity" not in errors else None
    if duplicate is not None:
        raise DuplicateIntervention(duplicate)
    if errors:
        raise InputError(errors)
    created = item is None
    item = item or Intervention(facilitator_id=person.id)
    item.program_id, item.village_code = data.program_id, data.village_code
    item.category_code, item.title = data.category_code, title
    item.start_date, item.end_date = data.start_date, data.end_date
    item.budget_year = data.start_date.year
    item.households, item.budget_idr = data.households, data.budget_idr
    session.add(item)
    session.flush()
    action = "intervention.created" if created else "intervention.updated"
    record(session, action, "intervention", item.id, actor_id=person.id)
    enqueue(session, TaskName.CHECK_INTERVENTION, item.id, regency_code=item.regency_code)
    return item
