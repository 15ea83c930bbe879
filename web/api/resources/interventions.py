"""Interventions (3W): the regency's are for everyone of the regency (as the village and program
pages list them); the person who recorded one changes it."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from titiktemu import visibility
from titiktemu.errors import DomainError
from titiktemu.exchange.facilitator import (
    Access,
    access_to,
    flags_touching,
)
from titiktemu.extensions import db
from titiktemu.interventions.commands import (
    InterventionInput,
    record_intervention,
)
from titiktemu.models import Intervention, Person
from titiktemu.models.places import under
from titiktemu.overlaps.review import severity_level
from titiktemu.places.coverage import can_see
from web.api.auth import caller, regency_of_caller
from web.api.pagination import page_of
from web.api.problems import ApiProblem, problem_of
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
from web.api.spec import operation

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


def _intervention(item_id: int) -> Intervention:
    """Readable by the regency (and its recorder); who may change it, the command says (403)."""
    viewer = caller()
    row = db.session.get(Intervention, item_id)
    access = Access.NONE
    if row is not None:
        access = access_to(viewer, row.facilitator_id, row.regency_code)
    if row is None or (access == Access.NONE and not can_see(viewer, row.regency_code)):
        raise ApiProblem(404, "No such intervention.")
    return row


def _save(body: InterventionIn, item: Intervention | None) -> Intervention:
    """Through the command the page calls (who may, the regency, the program, the duplicate
    rule); its refusals answer by kind, field errors under the API's names."""
    data = InterventionInput(**body.model_dump())
    try:
        saved = record_intervention(db.session(), caller(), data, item, regency=regency_of_caller())
    except DomainError as exc:
        raise problem_of(exc, FIELDS) from None
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
    select = sa.select(Intervention).where(visibility.interventions(viewer, mine=query.mine))
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
    return intervention_detail(_intervention(id), caller())


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
    return intervention_detail(_save(body, _intervention(id)), caller())
