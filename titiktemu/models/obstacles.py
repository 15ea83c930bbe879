"""Obstacles (*kendala*) met in a village or on an intervention, and the lesson (*pelajaran*)
learned from them, so the next plan in that village, or of that kind elsewhere, starts from it."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from titiktemu.models.base import Base, Timestamped, str_enum
from titiktemu.models.interventions import Intervention
from titiktemu.models.people import Person
from titiktemu.models.places import Village
from titiktemu.models.programs import Program


class ObstacleKind(enum.StrEnum):
    COMMUNITY_REFUSAL = "community_refusal"
    VILLAGE_STAKEHOLDERS = "village_stakeholders"
    REGENCY_POLITICS = "regency_politics"
    DATA = "data"
    BUDGET = "budget"
    WEATHER_DISASTER = "weather_disaster"
    OTHER = "other"


class ObstacleStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class Obstacle(Timestamped, Base):
    __tablename__ = "obstacles"
    __table_args__ = (sa.Index("ix_obstacles_regency_status", "regency_code", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    regency_code: Mapped[str] = mapped_column(sa.ForeignKey("regencies.code"))
    village_code: Mapped[str] = mapped_column(sa.ForeignKey("villages.code"), index=True)
    intervention_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("interventions.id", ondelete="SET NULL"), index=True
    )
    program_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programs.id"))
    #: The activity it met (the intervention's): what "the same kind elsewhere" compares.
    category_code: Mapped[str | None] = mapped_column(sa.ForeignKey("activity_categories.code"))
    kind: Mapped[ObstacleKind] = mapped_column(str_enum(ObstacleKind, "obstacle_kind"))
    happened_on: Mapped[dt.date]
    description: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[ObstacleStatus] = mapped_column(
        str_enum(ObstacleStatus, "obstacle_status"), default=ObstacleStatus.OPEN
    )
    lesson: Mapped[str] = mapped_column(sa.Text, default="")
    reported_by: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"))
    resolved_at: Mapped[dt.datetime | None]

    village: Mapped[Village] = relationship()
    intervention: Mapped[Intervention | None] = relationship()
    program: Mapped[Program | None] = relationship()
    reporter: Mapped[Person | None] = relationship()
