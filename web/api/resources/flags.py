"""Overlap flags: for coordinators of the regency, as the overlaps pages."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from titiktemu import visibility
from titiktemu.extensions import db
from titiktemu.models import Intervention, OverlapFlag
from titiktemu.models.places import under
from titiktemu.overlaps.review import HIGH, MEDIUM, severity_level, visible_flag
from web.api.auth import require_coordinator
from web.api.pagination import page_of
from web.api.problems import ApiProblem
from web.api.schemas.common import IdPath, Ref, reasons_of
from web.api.schemas.flags import FlagOut, FlagPage, FlagQuery
from web.api.schemas.people import ProgramRef
from web.api.spec import operation

LEVELS = {
    "high": OverlapFlag.severity >= HIGH,
    "medium": sa.and_(OverlapFlag.severity >= MEDIUM, OverlapFlag.severity < HIGH),
    "low": OverlapFlag.severity < MEDIUM,
}


def flag_out(row: OverlapFlag) -> FlagOut:
    programs = {i.program.id: i.program for i in row.interventions}
    return FlagOut(
        id=row.id,
        regency_code=row.regency_code,
        village_code=row.village_code,
        severity=row.severity,
        level=severity_level(row.severity),  # type: ignore[arg-type]
        status=row.status,
        interventions=[Ref(type="intervention", id=i.id, title=i.title) for i in row.interventions],
        programs=[ProgramRef(id=p.id, code=p.code, name=p.name) for p in programs.values()],
        reasons=reasons_of(row.reasons),
        reviewer_id=row.reviewer_id,
        decided_at=row.decided_at,
        decision_note=row.decision_note,
        created_at=row.created_at,
    )


@operation(
    "GET",
    "/overlap-flags",
    tag="Overlap flags",
    summary="List the regency's overlap flags (coordinators)",
    query=FlagQuery,
    response=FlagPage,
    errors=(403,),
)
def list_flags(query: FlagQuery) -> FlagPage:
    """Every flag of my regency, whatever its status unless `status` says; by id."""
    select = sa.select(OverlapFlag).where(visibility.flags(require_coordinator()))
    if query.status is not None:
        select = select.where(OverlapFlag.status == query.status)
    if query.kecamatan is not None:
        select = select.where(under(OverlapFlag.village_code, query.kecamatan))
    if query.level is not None:
        select = select.where(LEVELS[query.level])
    select = select.options(
        selectinload(OverlapFlag.interventions).selectinload(Intervention.program)
    )
    rows, cursor = page_of(db.session(), select, OverlapFlag.id, query)
    return FlagPage(items=[flag_out(r) for r in rows], next_cursor=cursor)


@operation(
    "GET",
    "/overlap-flags/{id}",
    tag="Overlap flags",
    summary="One overlap flag (coordinators)",
    path_params=IdPath,
    response=FlagOut,
    errors=(403, 404),
)
def get_flag(id: int) -> FlagOut:
    """Its interventions and programs, the village, how severe and why, and its status."""
    flag = visible_flag(db.session(), require_coordinator(), id)
    if flag is None:
        raise ApiProblem(404, "No such overlap flag in your regency.")
    return flag_out(flag)
