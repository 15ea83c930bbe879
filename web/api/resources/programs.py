"""Programs: every signed-in person may read them (as the program pages)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from titiktemu.extensions import db
from titiktemu.models import Program
from web.api.pagination import page_of
from web.api.problems import ApiProblem
from web.api.schemas.common import IdPath
from web.api.schemas.programs import ProgramOut, ProgramPage, ProgramQuery
from web.api.spec import operation


def program_out(row: Program) -> ProgramOut:
    return ProgramOut(
        id=row.id,
        code=row.code,
        name=row.name,
        agency=row.agency,
        funding_source=row.funding_source,
        description=row.description,
        categories=[c.code for c in row.categories],
    )


@operation(
    "GET",
    "/programs",
    tag="Programs",
    summary="List programs",
    query=ProgramQuery,
    response=ProgramPage,
)
def list_programs(query: ProgramQuery) -> ProgramPage:
    """Every program, by id; `funding_source` narrows them down."""
    select = sa.select(Program).options(selectinload(Program.categories))
    if query.funding_source is not None:
        select = select.where(Program.funding_source == query.funding_source)
    rows, cursor = page_of(db.session(), select, Program.id, query)
    return ProgramPage(items=[program_out(r) for r in rows], next_cursor=cursor)


@operation(
    "GET",
    "/programs/{id}",
    tag="Programs",
    summary="One program",
    path_params=IdPath,
    response=ProgramOut,
    errors=(404,),
)
def get_program(id: int) -> ProgramOut:
    """A program with its activity categories."""
    row = db.session.get(Program, id)
    if row is None:
        raise ApiProblem(404, "No such program.")
    return program_out(row)
