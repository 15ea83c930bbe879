"""People of the caller's regency, as the person pages show them; contact only when allowed."""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from titiktemu import visibility
from titiktemu.extensions import db
from titiktemu.models import Person
from titiktemu.models.people import person_programs, person_villages
from titiktemu.models.places import under
from titiktemu.places.coverage import can_see, may_see_contact
from web.api.auth import caller
from web.api.pagination import page_of
from web.api.problems import ApiProblem
from web.api.schemas.common import IdPath
from web.api.schemas.people import PersonOut, PersonPage, PersonQuery, ProgramRef
from web.api.spec import operation

#: The home village's code (nullable: ``under`` leaves out people without one).
HOME = cast(sa.ColumnElement[str], Person.home_village_code)


def person_out(row: Person, viewer: Person) -> PersonOut:
    contact = may_see_contact(viewer, row)
    return PersonOut(
        id=row.id,
        name=row.name,
        role=row.role,
        active=row.active,
        regency_code=row.regency_code,
        home_village_code=row.home_village_code,
        programs=[ProgramRef(id=p.id, code=p.code, name=p.name) for p in row.programs],
        village_codes=[v.code for v in row.villages],
        skills=[s.code for s in row.skills],
        skills_note=row.skills_note,
        email=row.email if contact else None,
        phone=row.phone if contact else None,
    )


@operation(
    "GET",
    "/people",
    tag="People",
    summary="List the people of my regency",
    query=PersonQuery,
    response=PersonPage,
)
def list_people(query: PersonQuery) -> PersonPage:
    """Facilitators, coordinators and admins of my regency; `email` and `phone` are null unless
    I may see them (myself, or I coordinate their regency)."""
    viewer = caller()
    select = sa.select(Person).where(visibility.people(viewer))
    if query.role is not None:
        select = select.where(Person.role == query.role)
    if query.program is not None:
        members = sa.select(person_programs.c.person_id).where(
            person_programs.c.program_id == query.program
        )
        select = select.where(Person.id.in_(members))
    if query.kecamatan is not None:
        there = sa.select(person_villages.c.person_id).where(
            under(person_villages.c.village_code, query.kecamatan)
        )
        select = select.where(sa.or_(Person.id.in_(there), under(HOME, query.kecamatan)))
    select = select.options(
        selectinload(Person.programs), selectinload(Person.villages), selectinload(Person.skills)
    )
    rows, cursor = page_of(db.session(), select, Person.id, query)
    return PersonPage(items=[person_out(r, viewer) for r in rows], next_cursor=cursor)


@operation(
    "GET",
    "/people/{id}",
    tag="People",
    summary="One person of my regency",
    path_params=IdPath,
    response=PersonOut,
    errors=(404,),
)
def get_person(id: int) -> PersonOut:
    """Someone of another regency is not found, as on the person page."""
    viewer = caller()
    row = db.session.get(Person, id)
    if row is None or not can_see(viewer, row.regency_code):
        raise ApiProblem(404, "No such person in your regency.")
    return person_out(row, viewer)
