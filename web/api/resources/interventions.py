"""Interventions (3W): the regency's are for everyone of the regency (as the village and program
pages list them); the person who recorded one changes it."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from titiktemu.exchange.commands import InputError, InterventionInput, save_intervention
from titiktemu.exchange.facilitator import (
    Access,
    access_to,
    duplicate_intervention,
    flags_touching,
    intervention_regency,
)
from titiktemu.extensions import db
from titiktemu.models import Intervention, Person, Role
from titiktemu.models.places import regency_of, under
from titiktemu.overlaps.review import severity_level
from titiktemu.places.coverage import can_see
from web.access import is_coordinator
from web.api.auth import caller, regency_of_caller
from web.api.pagination import page_of
from web.api.problems import ApiProblem, invalid
from web.api.registry import operation
from web.api.resources.exchange import input_problem, outside
from web.api.schemas.common import IdPath
from web.api.schemas.interventions import (
    FlagBrief,
    InterventionDetail,
    InterventionIn,
    InterventionOut,
    InterventionPage,
    InterventionQuery,
)
from web.api.schemas.people import ProgramRef

FIELDS = {"program": "program_id", "village": "village_code", "activity": "category_code"}


def _fields(row: Intervention, viewer: Person) -> dict[str, object]:
    return {
        "id": row.id,
        "title": row.title,
        "program": ProgramRef(id=row.program.id, code=row.program.code, name=row.program.name),
        "village_code": row.village_code,
        "category_code": row.category_code,
        "start_date": row.start_date,
        "end_date": row.end_date,
        "budget_year": row.budget_year,
        "households": row.households,
        "budget_idr": row.budget_idr,
        "facilitator_id": row.facilitator_id,
        "can_edit": row.facilitator_id == viewer.id,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def intervention_detail(row: Intervention, viewer: Person) -> InterventionDetail:
    flags = [
        FlagBrief(
            id=f.id, severity=f.severity, level=severity_level(f.severity), status=f.status.value
        )
        for f in flags_touching(db.session(), row.id)
    ]
    return InterventionDetail.model_validate({**_fields(row, viewer), "flags": flags})


def _scope(viewer: Person) -> sa.ColumnElement[bool]:
    if viewer.role == Role.ADMIN and viewer.regency_code is None:
        return sa.true()
    if viewer.regency_code is None:
        return Intervention.facilitator_id == viewer.id
    return sa.or_(
        under(Intervention.village_code, viewer.regency_code),
        Intervention.facilitator_id == viewer.id,
    )


def _intervention(item_id: int, edit: bool) -> Intervention:
    """Readable by the regency (and its recorder); 403 to change someone else's, as the pages."""
    viewer = caller()
    row = db.session.get(Intervention, item_id)
    access = Access.NONE
    if row is not None:
        access = access_to(viewer, row.facilitator_id, intervention_regency(row))
    if row is None or (access == Access.NONE and not can_see(viewer, regency_of(row.village_code))):
        raise ApiProblem(404, "No such intervention.")
    if edit and access < Access.EDIT:
        raise ApiProblem(403, "Only who recorded this intervention may change it.")
    return row


def _save(body: InterventionIn, item: Intervention | None) -> Intervention:
    person = caller()
    if outside([body.village_code], regency_of_caller()):
        raise invalid({"village_code": "choose a village in your regency"})
    allowed = None if is_coordinator(person) else {p.id for p in person.programs}
    if item is not None and allowed is not None:
        allowed.add(item.program_id)
    if allowed is not None and body.program_id not in allowed:
        raise invalid({"program_id": "record only the programs you work for"})
    duplicate = duplicate_intervention(
        db.session(),
        body.program_id,
        body.village_code,
        body.category_code,
        body.start_date,
        exclude_id=item.id if item else None,
    )
    if duplicate is not None:
        raise ApiProblem(
            409,
            "This program already records this activity in this village starting on this date.",
            [("start_date", "already recorded")],
        )
    data = InterventionInput(**body.model_dump())
    try:
        saved = save_intervention(db.session(), person, data, item)
    except InputError as exc:
        raise input_problem(exc, FIELDS) from None
    db.session.commit()  # the overlap check runs once this commits
    return saved


@operation(
    "GET",
    "/interventions",
    tag="Interventions",
    summary="List the regency's interventions",
    query=InterventionQuery,
    response=InterventionPage,
)
def list_interventions(query: InterventionQuery) -> InterventionPage:
    """Every intervention of my regency (`mine=true`: those I record), by id."""
    viewer = caller()
    own = Intervention.facilitator_id == viewer.id
    select = sa.select(Intervention).where(own if query.mine else _scope(viewer))
    if query.program is not None:
        select = select.where(Intervention.program_id == query.program)
    if query.kecamatan is not None:
        select = select.where(under(Intervention.village_code, query.kecamatan))
    if query.village is not None:
        select = select.where(Intervention.village_code == query.village)
    if query.activity is not None:
        select = select.where(Intervention.category_code == query.activity)
    if query.year is not None:
        select = select.where(Intervention.budget_year == query.year)
    select = select.options(selectinload(Intervention.program))
    rows, cursor = page_of(db.session(), select, Intervention.id, query)
    items = [InterventionOut.model_validate(_fields(r, viewer)) for r in rows]
    return InterventionPage(items=items, next_cursor=cursor)


@operation(
    "POST",
    "/interventions",
    tag="Interventions",
    summary="Record an intervention",
    body=InterventionIn,
    response=InterventionDetail,
    status=201,
    errors=(409,),
    idempotent=True,
)
def create_intervention(body: InterventionIn) -> InterventionDetail:
    """One of my programs (a coordinator: any) in a village of my regency; overlaps are checked
    once it is saved. 409 when the program already records this activity there from that date."""
    return intervention_detail(_save(body, None), caller())


@operation(
    "GET",
    "/interventions/{id}",
    tag="Interventions",
    summary="One intervention, with the overlap flags touching it",
    path_params=IdPath,
    response=InterventionDetail,
    errors=(404,),
)
def get_intervention(id: int) -> InterventionDetail:
    """An intervention of my regency and the overlap flags it is part of."""
    return intervention_detail(_intervention(id, edit=False), caller())


@operation(
    "PUT",
    "/interventions/{id}",
    tag="Interventions",
    summary="Change an intervention",
    path_params=IdPath,
    body=InterventionIn,
    response=InterventionDetail,
    errors=(403, 404, 409),
)
def update_intervention(id: int, body: InterventionIn) -> InterventionDetail:
    """Only who recorded it; overlaps are checked again."""
    return intervention_detail(_save(body, _intervention(id, edit=True)), caller())
