"""Gaps: needs nobody can meet yet, and why; a coordinator's regency, or my own needs."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from titiktemu.extensions import db
from titiktemu.models import Gap, Need, Person, Role
from titiktemu.review.commands import may_review
from web.api.auth import caller
from web.api.pagination import page_of
from web.api.registry import operation
from web.api.schemas.common import Ref, reasons_of
from web.api.schemas.flags import GapOut, GapPage, GapQuery


def gap_out(row: Gap) -> GapOut:
    return GapOut(
        id=row.id,
        need=Ref(type="need", id=row.need.id, title=row.need.title),
        kecamatan_code=row.need.kecamatan_code,
        village_code=row.need.village_code,
        reasons=reasons_of(row.reasons),
        created_at=row.created_at,
    )


def _scope(viewer: Person) -> sa.ColumnElement[bool]:
    """Whose need it is decides, as the need page shows the gap: the owner and the reviewers."""
    own = Gap.need_id.in_(sa.select(Need.id).where(Need.person_id == viewer.id))
    if viewer.role == Role.ADMIN and viewer.regency_code is None:
        return sa.true()
    if viewer.regency_code is not None and may_review(viewer, viewer.regency_code):
        return sa.or_(own, Gap.regency_code == viewer.regency_code)
    return own


@operation(
    "GET",
    "/gaps",
    tag="Gaps",
    summary="List gaps (needs nobody can meet)",
    query=GapQuery,
    response=GapPage,
)
def list_gaps(query: GapQuery) -> GapPage:
    """The need (id and title) and the engine's reasons; a coordinator sees the regency's."""
    select = sa.select(Gap).where(_scope(caller()))
    if query.kecamatan is not None:
        there = sa.select(Need.id).where(Need.kecamatan_code == query.kecamatan)
        select = select.where(Gap.need_id.in_(there))
    rows, cursor = page_of(db.session(), select.options(selectinload(Gap.need)), Gap.id, query)
    return GapPage(items=[gap_out(r) for r in rows], next_cursor=cursor)
