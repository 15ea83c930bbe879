"""Needs: mine to read and change; a coordinator reads the regency's (as the need pages)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from titiktemu import visibility
from titiktemu.exchange.commands import NeedInput, save_need
from titiktemu.exchange.facilitator import Access
from titiktemu.extensions import db
from titiktemu.models import Need, Person
from titiktemu.models.exchange import need_skills
from web.api.auth import caller, regency_of_caller
from web.api.pagination import page_of
from web.api.resources.exchange import change_status, find, save
from web.api.schemas.common import IdPath
from web.api.schemas.exchange import ExchangeQuery, NeedIn, NeedOut, NeedPage, Owner, StatusIn
from web.api.spec import operation

FIELDS = {"village": "village_code"}


def need_out(row: Need, viewer: Person) -> NeedOut:
    return NeedOut(
        id=row.id,
        title=row.title,
        description=row.description,
        status=row.status,
        person=Owner(id=row.person.id, name=row.person.name),
        kecamatan_code=row.kecamatan_code,
        village_code=row.village_code,
        needed_from=row.needed_from,
        needed_until=row.needed_until,
        skills=[s.code for s in row.skills],
        can_edit=row.person_id == viewer.id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _save(body: NeedIn, need: Need | None) -> Need:
    data = NeedInput(
        title=body.title,
        skills=body.skills,
        village_code=body.village_code,
        kecamatan_code=None if body.village_code else body.kecamatan_code,
        needed_from=body.needed_from,
        needed_until=body.needed_until,
        description=body.description,
    )
    regency = regency_of_caller()
    return save(lambda: save_need(db.session(), caller(), data, need, regency=regency), FIELDS)


@operation(
    "GET", "/needs", tag="Needs", summary="List needs", query=ExchangeQuery, response=NeedPage
)
def list_needs(query: ExchangeQuery) -> NeedPage:
    """My needs; a coordinator also sees every need of the regency (`mine=true`: only mine)."""
    viewer = caller()
    select = sa.select(Need).where(visibility.needs(viewer, mine=query.mine))
    if query.status is not None:
        select = select.where(Need.status == query.status)
    if query.kecamatan is not None:
        select = select.where(Need.kecamatan_code == query.kecamatan)
    if query.skill is not None:
        with_skill = sa.select(need_skills.c.need_id).where(need_skills.c.skill_code == query.skill)
        select = select.where(Need.id.in_(with_skill))
    select = select.options(selectinload(Need.skills), selectinload(Need.person))
    rows, cursor = page_of(db.session(), select, Need.id, query)
    return NeedPage(items=[need_out(r, viewer) for r in rows], next_cursor=cursor)


@operation(
    "POST",
    "/needs",
    tag="Needs",
    summary="Post a need",
    body=NeedIn,
    response=NeedOut,
    status=201,
    idempotent=True,
)
def create_need(body: NeedIn) -> NeedOut:
    """A new need of mine, in a village or a whole kecamatan of my regency; matching follows."""
    return need_out(_save(body, None), caller())


@operation(
    "GET",
    "/needs/{id}",
    tag="Needs",
    summary="One need",
    path_params=IdPath,
    response=NeedOut,
    errors=(404,),
)
def get_need(id: int) -> NeedOut:
    """Mine, or (for a coordinator) one of the regency's."""
    return need_out(find(Need, id, Access.READ), caller())


@operation(
    "PUT",
    "/needs/{id}",
    tag="Needs",
    summary="Change a need",
    path_params=IdPath,
    body=NeedIn,
    response=NeedOut,
    errors=(403, 404),
)
def update_need(id: int, body: NeedIn) -> NeedOut:
    """Only the owner changes a need (a coordinator reads: 403); matching runs again."""
    return need_out(_save(body, find(Need, id, Access.EDIT)), caller())


@operation(
    "POST",
    "/needs/{id}/status",
    tag="Needs",
    summary="Withdraw, fulfil or reopen a need",
    path_params=IdPath,
    body=StatusIn,
    response=NeedOut,
    errors=(403, 404, 409),
)
def need_status(id: int, body: StatusIn) -> NeedOut:
    """As the need page allows: withdraw or fulfil an open need, reopen a closed one whose end
    date has not passed (409 otherwise)."""
    need = find(Need, id, Access.EDIT)
    change_status(caller(), need, body.action)
    return need_out(need, caller())
