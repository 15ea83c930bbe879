"""A regency's own words for skills, activities and programs, kept by its coordinators.

Agencies of one regency name things their own way ("jambanisasi", "bedah rumah swadaya"); once a
coordinator accepts how an import read such a phrase, it reads exactly from then on in that
regency (imports, the engine's text matching, similar needs), and in no other.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from titiktemu.models.base import Base, str_enum, utcnow
from titiktemu.models.people import Person


class SynonymKind(enum.StrEnum):
    SKILL = "skill"
    ACTIVITY = "activity"
    PROGRAM = "program"


class RegencySynonym(Base):
    __tablename__ = "regency_synonyms"
    __table_args__ = (sa.UniqueConstraint("regency_code", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    regency_code: Mapped[str] = mapped_column(sa.ForeignKey("regencies.code"))
    kind: Mapped[SynonymKind] = mapped_column(str_enum(SynonymKind, "synonym_kind"))
    #: As the coordinator accepted it (as the cell wrote it).
    phrase: Mapped[str] = mapped_column(sa.String(200))
    #: ``normalise(phrase)``: what is looked up, so "Rehab-RTLH" and "rehab rtlh" are one.
    key: Mapped[str] = mapped_column(sa.String(200))
    #: The skill or activity category code, or the program's code.
    code: Mapped[str] = mapped_column(sa.String(40))
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    creator: Mapped[Person | None] = relationship()
