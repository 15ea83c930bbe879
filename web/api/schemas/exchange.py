"""Needs and offers: what facilitators look for and what they can give."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import ConfigDict, Field

from titiktemu.models import ExchangeStatus
from web.api.pagination import PageQuery
from web.api.schemas.common import (
    Description,
    In,
    KecamatanCode,
    Out,
    TaxonomyCode,
    Timestamp,
    Title,
    VillageCode,
)


class Owner(Out):
    id: int
    name: str


class NeedOut(Out):
    id: int
    title: str
    description: str
    status: ExchangeStatus
    person: Owner
    kecamatan_code: str
    village_code: str | None
    needed_from: dt.date | None
    needed_until: dt.date | None
    skills: list[str]
    can_edit: bool
    created_at: Timestamp
    updated_at: Timestamp


class OfferOut(Out):
    id: int
    title: str
    description: str
    status: ExchangeStatus
    person: Owner
    village_codes: list[str]
    kecamatan_codes: list[str]
    available_from: dt.date | None
    available_until: dt.date | None
    capacity: int
    skills: list[str]
    can_edit: bool
    created_at: Timestamp
    updated_at: Timestamp


class NeedPage(Out):
    items: list[NeedOut]
    next_cursor: str | None


class OfferPage(Out):
    items: list[OfferOut]
    next_cursor: str | None


class ExchangeQuery(PageQuery):
    status: ExchangeStatus | None = None
    kecamatan: KecamatanCode | None = None
    skill: TaxonomyCode | None = None
    mine: bool = Field(False, description="Only my own")


class NeedIn(In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "Butuh pendamping pembukuan BUMDes",
                    "skills": ["bookkeeping"],
                    "village_code": "33.10.12.2001",
                    "needed_until": "2030-12-31",
                }
            ]
        },
    )

    title: Title
    skills: list[TaxonomyCode] = Field(min_length=1, max_length=40)
    village_code: VillageCode | None = Field(None, description="A village, or ...")
    kecamatan_code: KecamatanCode | None = Field(None, description="... a whole kecamatan")
    needed_from: dt.date | None = None
    needed_until: dt.date | None = None
    description: Description = ""


class OfferIn(In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "Pelatihan pembukuan sederhana",
                    "skills": ["bookkeeping"],
                    "kecamatan_codes": ["33.10.12"],
                    "capacity": 2,
                }
            ]
        },
    )

    title: Title
    skills: list[TaxonomyCode] = Field(min_length=1, max_length=40)
    village_codes: list[VillageCode] = Field([], max_length=400)
    kecamatan_codes: list[KecamatanCode] = Field([], max_length=60)
    available_from: dt.date | None = None
    available_until: dt.date | None = None
    capacity: int = Field(1, ge=1, le=100, description="How many needs it can serve at once")
    description: Description = ""


class StatusIn(In):
    action: Literal["withdraw", "fulfil", "reopen"]
