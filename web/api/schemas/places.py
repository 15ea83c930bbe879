"""Regions: provinces, regencies, kecamatan and villages by their Kemendagri codes."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from web.api.pagination import PageQuery
from web.api.schemas.common import In, Out, RegionCode

Level = Literal["province", "regency", "kecamatan", "village"]


class RegionOut(Out):
    code: str
    name: str
    level: Level
    parent: str | None = Field(description="The code of the region it lies in")
    kind: str | None = Field(description="kabupaten/kota, or desa/kelurahan/desa_adat")


class RegionPage(Out):
    items: list[RegionOut]
    next_cursor: str | None


class RegionQuery(PageQuery):
    parent: RegionCode | None = Field(
        None, description="List the children of this region; without it, the provinces."
    )


class RegionPath(In):
    code: RegionCode
