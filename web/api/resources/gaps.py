"""Gaps: needs nobody can meet yet, and why; a coordinator's regency, or my own needs."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from titiktemu import visibility
from titiktemu.extensions import db
from titiktemu.models import Gap, Need
from web.api.auth import caller
from web.api.pagination import page_of
from web.api.schemas.common import Ref, reasons_of
from web.api.schemas.flags import GapOut, GapPage, GapQuery
from web.api.spec import operation


def gap_out(row: Gap) -> GapOut:
    return GapOut(
        id=row.id,
        need=Ref(type="need", id=row.need.id, title=row.need.title),
        kecamatan_code=row.need.kecamatan_code,
        village_code=row.need.village_code,
        reasons=reasons_of(row.reasons),
        created_at=row.created_at,
    )


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
    select = sa.select(Gap).where(visibility.gaps(caller()))
    if query.kecamatan is not None:
        there = sa.select(Need.id).where(Need.kecamatan_code == query.kecamatan)
        select = select.where(Gap.need_id.in_(there))
    rows, cursor = page_of(db.session(), select.options(selectinload(Gap.need)), Gap.id, query)
    return GapPage(items=[gap_out(r) for r in rows], next_cursor=cursor)
