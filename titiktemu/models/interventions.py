"""Interventions: the 3W record of who does what, where and when."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from titiktemu.models.base import Base, Timestamped
from titiktemu.models.people import Person
from titiktemu.models.places import Village, regency_of, regency_sql, under
from titiktemu.models.programs import Program
from titiktemu.models.taxonomy import ActivityCategory


class Intervention(Timestamped, Base):
    __tablename__ = "interventions"
    __table_args__ = (
        # The natural key imports match on: program + village + activity + start date.
        sa.UniqueConstraint("program_id", "village_code", "category_code", "start_date"),
        sa.CheckConstraint("end_date >= start_date", name="period"),
        sa.CheckConstraint("households >= 0", name="households"),
        sa.CheckConstraint("budget_idr >= 0", name="budget"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("programs.id"), index=True)
    village_code: Mapped[str] = mapped_column(sa.ForeignKey("villages.code"), index=True)
    category_code: Mapped[str] = mapped_column(sa.ForeignKey("activity_categories.code"))
    title: Mapped[str] = mapped_column(sa.String(200))
    start_date: Mapped[dt.date]
    end_date: Mapped[dt.date]
    budget_year: Mapped[int]
    #: None: not known (an agency's recap left it blank or wrote "-"), which is not zero.
    households: Mapped[int | None]
    budget_idr: Mapped[int | None] = mapped_column(sa.BigInteger)
    facilitator_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("people.id", ondelete="SET NULL"), index=True
    )

    program: Mapped[Program] = relationship()
    village: Mapped[Village] = relationship()
    category: Mapped[ActivityCategory] = relationship()
    facilitator: Mapped[Person | None] = relationship()

    @hybrid_property
    def regency_code(self) -> str:
        """The regency of the intervention's village (SQL: the same, as an expression)."""
        return regency_of(self.village_code)

    @regency_code.inplace.expression
    @classmethod
    def _regency_code_sql(cls) -> sa.ColumnElement[str]:
        return regency_sql(cls.village_code)


def running_in_year(regency_code: str, year: int) -> sa.ColumnElement[bool]:
    """The regency's interventions whose period touches ``year``: a year's work, as the
    reflection and the prospectus count it."""
    return sa.and_(
        under(Intervention.village_code, regency_code),
        Intervention.start_date <= dt.date(year, 12, 31),
        Intervention.end_date >= dt.date(year, 1, 1),
    )
