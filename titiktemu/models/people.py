"""People: facilitators, coordinators and admins, each scoped to a regency."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from titiktemu.models.base import Base, Timestamped, str_enum
from titiktemu.models.places import Village
from titiktemu.models.programs import Program
from titiktemu.models.taxonomy import Skill


class Role(enum.StrEnum):
    FACILITATOR = "facilitator"
    COORDINATOR = "coordinator"
    ADMIN = "admin"
    #: A donor, a company's CSR or Baznas, invited by a coordinator: reads the prospectus and
    #: posts offers; sees nothing else of the regency (web.access.PARTNER_ENDPOINTS).
    PARTNER = "partner"


class Language(enum.StrEnum):
    ID = "id"
    EN = "en"


class NotifyPreference(enum.StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"
    OFF = "off"


person_programs = sa.Table(
    "person_programs",
    Base.metadata,
    sa.Column("person_id", sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("program_id", sa.ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True),
)

person_villages = sa.Table(
    "person_villages",
    Base.metadata,
    sa.Column("person_id", sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("village_code", sa.ForeignKey("villages.code"), primary_key=True, index=True),
)

person_skills = sa.Table(
    "person_skills",
    Base.metadata,
    sa.Column("person_id", sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("skill_code", sa.ForeignKey("skills.code"), primary_key=True, index=True),
)


class Person(Timestamped, Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), default=Role.FACILITATOR)
    #: The regency this person works in and, for a coordinator, decides for; None for a global admin.
    regency_code: Mapped[str | None] = mapped_column(sa.ForeignKey("regencies.code"), index=True)
    home_village_code: Mapped[str | None] = mapped_column(sa.ForeignKey("villages.code"))
    language: Mapped[Language] = mapped_column(str_enum(Language, "language"), default=Language.ID)
    notify: Mapped[NotifyPreference] = mapped_column(
        str_enum(NotifyPreference, "notify_preference"), default=NotifyPreference.IMMEDIATE
    )
    #: Skills in the person's own words, beside the taxonomy codes.
    skills_note: Mapped[str] = mapped_column(sa.Text, default="")
    #: Werkzeug scrypt hash; None until an invited person sets a password.
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    is_demo: Mapped[bool] = mapped_column(default=False)

    home_village: Mapped[Village | None] = relationship()
    programs: Mapped[list[Program]] = relationship(secondary=person_programs, order_by=Program.code)
    villages: Mapped[list[Village]] = relationship(secondary=person_villages, order_by=Village.code)
    skills: Mapped[list[Skill]] = relationship(secondary=person_skills, order_by=Skill.code)

    # Flask-Login's user protocol, written out so the model imports nothing of Flask.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)
