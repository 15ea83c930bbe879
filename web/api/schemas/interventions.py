"""Interventions (3W): who does what, where and when."""

from __future__ import annotations

import datetime as dt

from pydantic import ConfigDict, Field

from web.api.pagination import PageQuery
from web.api.schemas.common import (
    Id,
    In,
    KecamatanCode,
    Out,
    TaxonomyCode,
    Timestamp,
    Title,
    VillageCode,
)
from web.api.schemas.people import ProgramRef

MAX_BUDGET = 1_000_000_000_000
MAX_HOUSEHOLDS = 1_000_000


class FlagBrief(Out):
    id: int
    severity: float
    level: str
    status: str


class InterventionOut(Out):
    id: int
    title: str
    program: ProgramRef
    village_code: str
    category_code: str
    start_date: dt.date
    end_date: dt.date
    budget_year: int
    households: int | None
    budget_idr: int | None
    facilitator_id: int | None
    can_edit: bool
    created_at: Timestamp
    updated_at: Timestamp


class InterventionDetail(InterventionOut):
    flags: list[FlagBrief] = Field(description="Overlap flags this intervention is part of")


class InterventionPage(Out):
    items: list[InterventionOut]
    next_cursor: str | None


class InterventionQuery(PageQuery):
    program: Id | None = None
    kecamatan: KecamatanCode | None = None
    village: VillageCode | None = None
    activity: TaxonomyCode | None = None
    year: int | None = Field(None, ge=1900, le=2200)
    mine: bool = Field(False, description="Only those I record")


class InterventionIn(In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "program_id": 1,
                    "village_code": "33.10.12.2001",
                    "category_code": "house_renovation",
                    "title": "Rehab RTLH tahap 2",
                    "start_date": "2031-01-01",
                    "end_date": "2031-06-30",
                    "households": 10,
                    "budget_idr": 150000000,
                }
            ]
        },
    )

    program_id: Id
    village_code: VillageCode
    category_code: TaxonomyCode
    title: Title
    start_date: dt.date
    end_date: dt.date
    households: int | None = Field(None, ge=0, le=MAX_HOUSEHOLDS)
    budget_idr: int | None = Field(None, ge=0, le=MAX_BUDGET)
