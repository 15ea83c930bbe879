"""Plain typed records the engine takes in: what the shared package reads from the database.

Ids are the database ids (ints) or official codes (str); dates are ``datetime.date``; a missing
window bound means "open". Records are frozen so the engine can hash and share them safely.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Village:
    code: str  # "33.10.01.2001"
    name: str

    @property
    def kecamatan(self) -> str:
        return self.code[:8]

    @property
    def regency(self) -> str:
        return self.code[:5]


@dataclass(frozen=True, slots=True)
class Kecamatan:
    code: str  # "33.10.01"
    name: str
    #: The centroid (WGS84), where the regency's place data has one.
    lat: float | None = None
    lon: float | None = None

    @property
    def regency(self) -> str:
        return self.code[:5]


@dataclass(frozen=True, slots=True)
class Label:
    """A taxonomy entry: skill or activity category, with its parent group and both labels."""

    code: str
    parent: str | None
    label_id: str
    label_en: str
    #: Labels and synonyms in both languages, as people type them ("pembukuan", "DTKS").
    synonyms: tuple[str, ...] = ()
    #: "skill", "resource", "data" or "group" (the taxonomy's kind; categories: "category").
    kind: str = "skill"


@dataclass(frozen=True, slots=True)
class Program:
    id: int
    code: str
    name: str
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str
    regency: str | None
    home_village: str | None = None
    villages: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    programs: tuple[int, ...] = ()
    #: Accepted or proposed-primary commitments already open elsewhere (counts against the limit).
    open_commitments: int = 0
    #: Facilitators only take part as need <-> person candidates when True.
    available: bool = True


@dataclass(frozen=True, slots=True)
class Offer:
    id: int
    person_id: int
    title: str
    skills: tuple[str, ...]
    villages: tuple[str, ...] = ()
    kecamatan: tuple[str, ...] = ()
    start: dt.date | None = None
    end: dt.date | None = None
    capacity: int = 1
    #: Needs this offer already serves through accepted proposals.
    used: int = 0
    description: str = ""


@dataclass(frozen=True, slots=True)
class Need:
    id: int
    person_id: int
    title: str
    skills: tuple[str, ...]
    kecamatan: str
    village: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    description: str = ""

    @property
    def regency(self) -> str:
        return self.kecamatan[:5]


@dataclass(frozen=True, slots=True)
class Intervention:
    id: int
    program_id: int
    village: str
    category: str
    start: dt.date
    end: dt.date
    title: str = ""
    #: None: not known (a blank or "-" in an agency's recap), which is not zero.
    households: int | None = None
    budget_idr: int | None = None
    facilitator_id: int | None = None


@dataclass(frozen=True, slots=True)
class Incumbent:
    """A proposal already stored (people may have seen it, or been emailed about it): a full
    pass keeps it unless its facts changed or a clearly better option appeared."""

    need_id: int
    kind: str  # "offer" | "person"
    side_id: int
    rank: int
    score: float


@dataclass(frozen=True)
class Inputs:
    """Everything the engine looks at for one run (one regency, or several)."""

    villages: tuple[Village, ...]
    kecamatan: tuple[Kecamatan, ...]
    skills: tuple[Label, ...]
    categories: tuple[Label, ...]
    programs: tuple[Program, ...]
    people: tuple[Person, ...]
    offers: tuple[Offer, ...] = ()
    needs: tuple[Need, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    #: Pending proposals from before, by need (see :class:`Incumbent`).
    incumbents: tuple[Incumbent, ...] = ()
