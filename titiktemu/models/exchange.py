"""Offers and needs: what facilitators can give and what they are looking for."""

from __future__ import annotations

import datetime as dt
import enum
import unicodedata
from typing import Final

import sqlalchemy as sa
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from titiktemu.models.base import Base, Timestamped, str_enum
from titiktemu.models.people import Person
from titiktemu.models.places import Kecamatan, Village, regency_of, regency_sql
from titiktemu.models.taxonomy import Skill

#: Room for a 200-character title whose case folding lengthens it ("ß" -> "ss").
TITLE_KEY_LENGTH: Final = 600


def title_key(title: str) -> str:
    """What makes two titles of one person the same need or offer: Unicode form, case and
    spacing folded ("Pelatihan  PUPUK" and "pelatihan pupuk" are one)."""
    folded = unicodedata.normalize("NFC", title).casefold()
    return " ".join(folded.split())[:TITLE_KEY_LENGTH]


def _title_key_default(context: DefaultExecutionContext) -> str:
    """Inserts that bypass the ORM's validator (``sa.insert(Need)`` with rows) still get a key."""
    row: dict[str, object] = context.get_current_parameters()  # type: ignore[no-untyped-call]
    return title_key(str(row.get("title") or ""))


class _Titled:
    """A title and its key, kept together: setting ``title`` sets ``title_key``."""

    title: Mapped[str] = mapped_column(sa.String(200))
    #: :func:`title_key` of the title; unique per person (a second "same" one is refused).
    title_key: Mapped[str] = mapped_column(sa.String(TITLE_KEY_LENGTH), default=_title_key_default)

    @validates("title")
    def _keep_title_key(self, _name: str, title: str) -> str:
        self.title_key = title_key(title)
        return title


class ExchangeStatus(enum.StrEnum):
    OPEN = "open"
    WITHDRAWN = "withdrawn"
    FULFILLED = "fulfilled"
    EXPIRED = "expired"


def _link(name: str, owner: str, column: str, target: str) -> sa.Table:
    return sa.Table(
        name,
        Base.metadata,
        sa.Column(
            f"{owner}_id", sa.ForeignKey(f"{owner}s.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column(column, sa.ForeignKey(target), primary_key=True, index=True),
    )


offer_skills = _link("offer_skills", "offer", "skill_code", "skills.code")
offer_villages = _link("offer_villages", "offer", "village_code", "villages.code")
offer_kecamatan = _link("offer_kecamatan", "offer", "kecamatan_code", "kecamatan.code")
need_skills = _link("need_skills", "need", "skill_code", "skills.code")


class Offer(_Titled, Timestamped, Base):
    """Something a facilitator can give: a skill, data, a resource or time, in some places."""

    __tablename__ = "offers"
    __table_args__ = (
        sa.CheckConstraint("capacity >= 1", name="capacity"),
        sa.Index("uq_offers_person_id_title_key", "person_id", "title_key", unique=True),
        sa.CheckConstraint(
            "available_until IS NULL OR available_from IS NULL OR available_until >= available_from",
            name="window",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), index=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    available_from: Mapped[dt.date | None]
    available_until: Mapped[dt.date | None]
    #: How many needs this offer can serve at once.
    capacity: Mapped[int] = mapped_column(default=1)
    status: Mapped[ExchangeStatus] = mapped_column(
        str_enum(ExchangeStatus, "offer_status"), default=ExchangeStatus.OPEN, index=True
    )

    person: Mapped[Person] = relationship()
    skills: Mapped[list[Skill]] = relationship(secondary=offer_skills, order_by=Skill.code)
    villages: Mapped[list[Village]] = relationship(secondary=offer_villages, order_by=Village.code)
    kecamatan: Mapped[list[Kecamatan]] = relationship(
        secondary=offer_kecamatan, order_by=Kecamatan.code
    )

    @property
    def regency_codes(self) -> frozenset[str]:
        """Every regency the offer reaches: its villages' and its kecamatan's."""
        places = [v.code for v in self.villages] + [k.code for k in self.kecamatan]
        return frozenset(regency_of(code) for code in places)

    @hybrid_property
    def regency_code(self) -> str | None:
        """The regency the offer is filed under: the first it reaches, else its owner's."""
        return min(self.regency_codes, default=None) or self.person.regency_code

    @regency_code.inplace.expression
    @classmethod
    def _regency_code_sql(cls) -> sa.ColumnElement[str | None]:
        village = (
            sa.select(sa.func.min(offer_villages.c.village_code))
            .where(offer_villages.c.offer_id == cls.id)
            .scalar_subquery()
        )
        kecamatan = (
            sa.select(sa.func.min(offer_kecamatan.c.kecamatan_code))
            .where(offer_kecamatan.c.offer_id == cls.id)
            .scalar_subquery()
        )
        first = sa.case(
            (village.is_(None), kecamatan),
            (kecamatan.is_(None), village),
            (village < kecamatan, village),
            else_=kecamatan,
        )
        owner = sa.select(Person.regency_code).where(Person.id == cls.person_id).scalar_subquery()
        return sa.func.coalesce(regency_sql(first), owner)


class Need(_Titled, Timestamped, Base):
    """Something a facilitator is looking for, in one village or a whole kecamatan."""

    __tablename__ = "needs"
    __table_args__ = (
        sa.CheckConstraint(
            "needed_until IS NULL OR needed_from IS NULL OR needed_until >= needed_from",
            name="window",
        ),
        sa.Index("uq_needs_person_id_title_key", "person_id", "title_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), index=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: Always set: the village's kecamatan, or the whole kecamatan when no village is named.
    kecamatan_code: Mapped[str] = mapped_column(sa.ForeignKey("kecamatan.code"), index=True)
    village_code: Mapped[str | None] = mapped_column(sa.ForeignKey("villages.code"), index=True)
    needed_from: Mapped[dt.date | None]
    needed_until: Mapped[dt.date | None]
    status: Mapped[ExchangeStatus] = mapped_column(
        str_enum(ExchangeStatus, "need_status"), default=ExchangeStatus.OPEN, index=True
    )

    person: Mapped[Person] = relationship()
    skills: Mapped[list[Skill]] = relationship(secondary=need_skills, order_by=Skill.code)
    kecamatan: Mapped[Kecamatan] = relationship()
    village: Mapped[Village | None] = relationship()

    @hybrid_property
    def regency_code(self) -> str:
        """The regency of the need's kecamatan (SQL: the same, as an expression)."""
        return regency_of(self.kecamatan_code)

    @regency_code.inplace.expression
    @classmethod
    def _regency_code_sql(cls) -> sa.ColumnElement[str]:
        return regency_sql(cls.kecamatan_code)
