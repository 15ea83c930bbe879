"""Overlap flags: interventions of different programs colliding in one village and period."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from titiktemu.models.base import Base, Timestamped, str_enum
from titiktemu.models.interventions import Intervention
from titiktemu.models.people import Person
from titiktemu.models.places import Village
from titiktemu.models.proposals import Reason


class FlagStatus(enum.StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    ALLOWED = "allowed"


overlap_flag_interventions = sa.Table(
    "overlap_flag_interventions",
    Base.metadata,
    sa.Column("flag_id", sa.ForeignKey("overlap_flags.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "intervention_id",
        sa.ForeignKey("interventions.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class OverlapFlag(Timestamped, Base):
    __tablename__ = "overlap_flags"
    __table_args__ = (
        # A regency's flags in a few statuses: listed by severity a page at a time, counted,
        # and counted per village (coverage), all from the index alone.
        sa.Index("ix_overlap_flags_listed", "regency_code", "status", "severity", "id"),
        sa.Index("ix_overlap_flags_villages", "regency_code", "status", "village_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The sorted intervention ids it joins, "12,40,41": a rebuild upserts on it.
    key: Mapped[str] = mapped_column(sa.String(400), unique=True)
    regency_code: Mapped[str] = mapped_column(sa.ForeignKey("regencies.code"), index=True)
    village_code: Mapped[str] = mapped_column(sa.ForeignKey("villages.code"), index=True)
    severity: Mapped[float]
    reasons: Mapped[list[Reason]] = mapped_column(sa.JSON, default=list)
    status: Mapped[FlagStatus] = mapped_column(
        str_enum(FlagStatus, "flag_status"), default=FlagStatus.OPEN, index=True
    )
    reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    decided_at: Mapped[dt.datetime | None]
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")
    #: The last time an intervention joined the flag: who joined, and whether that reopened a
    #: decided flag (a reason, shown on the flag's page).
    change_note: Mapped[Reason | None] = mapped_column(sa.JSON)

    interventions: Mapped[list[Intervention]] = relationship(
        secondary=overlap_flag_interventions, order_by=Intervention.id
    )
    reviewer: Mapped[Person | None] = relationship()
    village: Mapped[Village] = relationship()
