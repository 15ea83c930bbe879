"""People of the caller's regency; contact details only to whom may see them."""

from __future__ import annotations

from pydantic import Field

from titiktemu.models import Role
from web.api.pagination import PageQuery
from web.api.schemas.common import Id, KecamatanCode, Out


class ProgramRef(Out):
    id: int
    code: str
    name: str


class PersonOut(Out):
    id: int
    name: str
    role: Role
    active: bool
    regency_code: str | None
    home_village_code: str | None
    programs: list[ProgramRef]
    village_codes: list[str]
    skills: list[str]
    skills_note: str
    email: str | None = Field(description="Only to the person, and their regency's coordinators")
    phone: str | None = Field(description="Only to the person, and their regency's coordinators")


class PersonPage(Out):
    items: list[PersonOut]
    next_cursor: str | None


class PersonQuery(PageQuery):
    program: Id | None = Field(None, description="People of this program (id)")
    kecamatan: KecamatanCode | None = Field(None, description="People working in this kecamatan")
    role: Role | None = None
