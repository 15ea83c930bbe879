"""The bilingual taxonomy of skills/resources and of activity categories.

Shipped as ``titiktemu/data/taxonomy.toml`` and loaded into these tables; synonyms in both
languages let a facilitator type "pembukuan" or "bookkeeping" and land on the same code.
"""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from titiktemu.models.base import Base, str_enum


class SkillKind(enum.StrEnum):
    GROUP = "group"
    SKILL = "skill"
    DATA = "data"
    RESOURCE = "resource"


class _Labelled:
    label_id: Mapped[str] = mapped_column(sa.String(120))
    label_en: Mapped[str] = mapped_column(sa.String(120))
    synonyms_id: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    synonyms_en: Mapped[list[str]] = mapped_column(sa.JSON, default=list)

    def label(self, language: str) -> str:
        return self.label_en if language == "en" else self.label_id


class Skill(_Labelled, Base):
    """A skill, data set or resource someone can offer or need; groups are parents."""

    __tablename__ = "skills"

    code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(sa.ForeignKey("skills.code"), index=True)
    kind: Mapped[SkillKind] = mapped_column(str_enum(SkillKind, "skill_kind"))


class ActivityCategory(_Labelled, Base):
    """What an intervention does (house renovation, sanitation, ...)."""

    __tablename__ = "activity_categories"

    code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(
        sa.ForeignKey("activity_categories.code"), index=True
    )
