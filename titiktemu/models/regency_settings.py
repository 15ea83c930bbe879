"""What a regency's coordinators tune: engine weights and tables, neighbours, allowed combinations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from titiktemu.models.base import Base, Timestamped, utcnow


class RegencySettings(Timestamped, Base):
    __tablename__ = "regency_settings"

    regency_code: Mapped[str] = mapped_column(sa.ForeignKey("regencies.code"), primary_key=True)
    #: Overrides of graph.config.EngineConfig fields (weights, complements, ...), as data.
    engine_overrides: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    #: Days a proposal may wait for review before it shows as overdue.
    review_deadline_days: Mapped[int] = mapped_column(default=7)
    #: Months an uploaded beneficiary list is kept before the nightly job deletes it.
    beneficiary_retention_months: Mapped[int] = mapped_column(default=24, server_default="24")
    #: Whether the prospectus is also served to anyone, unsigned, at /prospectus/<regency>.
    prospectus_public: Mapped[bool] = mapped_column(default=False, server_default=sa.false())


class KecamatanAdjacency(Base):
    """Two kecamatan that share a border (empty unless real data is at hand)."""

    __tablename__ = "kecamatan_adjacency"
    __table_args__ = (sa.CheckConstraint("kecamatan_a < kecamatan_b", name="ordered"),)

    kecamatan_a: Mapped[str] = mapped_column(sa.ForeignKey("kecamatan.code"), primary_key=True)
    kecamatan_b: Mapped[str] = mapped_column(sa.ForeignKey("kecamatan.code"), primary_key=True)


class AllowedCombination(Base):
    """Two programs a regency allows in one village and category (e.g. PKH with BPNT)."""

    __tablename__ = "allowed_combinations"
    __table_args__ = (
        sa.UniqueConstraint("regency_code", "program_a_id", "program_b_id"),
        sa.CheckConstraint("program_a_id < program_b_id", name="ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    regency_code: Mapped[str] = mapped_column(sa.ForeignKey("regencies.code"), index=True)
    program_a_id: Mapped[int] = mapped_column(sa.ForeignKey("programs.id", ondelete="CASCADE"))
    program_b_id: Mapped[int] = mapped_column(sa.ForeignKey("programs.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
