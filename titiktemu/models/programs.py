"""Programs (PKH, Kotaku, P3MD, ...) with their funding source and activity categories."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from titiktemu.models.base import Base, Timestamped, str_enum
from titiktemu.models.taxonomy import ActivityCategory


class FundingSource(enum.StrEnum):
    APBN = "apbn"
    APBD = "apbd"
    APBDES = "apbdes"  # APBDes / Dana Desa
    CSR = "csr"
    DONOR = "donor"
    BAZNAS = "baznas"
    OTHER = "other"


program_categories = sa.Table(
    "program_categories",
    Base.metadata,
    sa.Column("program_id", sa.ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("category_code", sa.ForeignKey("activity_categories.code"), primary_key=True),
)


class Program(Timestamped, Base):
    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    agency: Mapped[str] = mapped_column(sa.String(200))
    funding_source: Mapped[FundingSource] = mapped_column(str_enum(FundingSource, "funding_source"))
    description: Mapped[str] = mapped_column(sa.Text, default="")

    categories: Mapped[list[ActivityCategory]] = relationship(
        secondary=program_categories, order_by=ActivityCategory.code
    )
