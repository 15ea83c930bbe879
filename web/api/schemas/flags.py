"""Overlap flags: interventions of different programs colliding in one village and period."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from titiktemu.models import FlagStatus
from web.api.pagination import PageQuery
from web.api.schemas.common import KecamatanCode, Out, Reason, Ref, Timestamp
from web.api.schemas.people import ProgramRef

Level = Literal["high", "medium", "low"]


class FlagOut(Out):
    id: int
    regency_code: str
    village_code: str
    severity: float
    level: Level
    status: FlagStatus
    interventions: list[Ref]
    programs: list[ProgramRef]
    reasons: list[Reason]
    reviewer_id: int | None
    decided_at: Timestamp | None
    decision_note: str
    created_at: Timestamp


class FlagPage(Out):
    items: list[FlagOut]
    next_cursor: str | None


class FlagQuery(PageQuery):
    status: FlagStatus | None = None
    kecamatan: KecamatanCode | None = None
    level: Level | None = Field(None, description="high ≥ 0.7, medium ≥ 0.4, low below")


class GapOut(Out):
    id: int
    need: Ref
    kecamatan_code: str
    village_code: str | None
    reasons: list[Reason]
    created_at: Timestamp


class GapPage(Out):
    items: list[GapOut]
    next_cursor: str | None


class GapQuery(PageQuery):
    kecamatan: KecamatanCode | None = None
