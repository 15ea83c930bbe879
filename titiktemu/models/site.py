"""Settings of the whole site (not of one regency), kept in a single row."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from titiktemu.models.base import Base, utcnow

#: The id of the one row; a missing row means every setting has its default.
SITE_SETTINGS_ID = 1


class SiteSettings(Base):
    __tablename__ = "site_settings"
    __table_args__ = (sa.CheckConstraint(f"id = {SITE_SETTINGS_ID}", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: Whether anyone may ask for a facilitator account at /register (off: invitations only).
    registration_open: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"))
