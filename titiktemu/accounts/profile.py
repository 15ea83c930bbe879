"""A person's own profile: programs, villages, skills, language and notifications; and the place
and skill lists the facilitator forms choose from.

Error messages are English msgids marked with ``N_`` (extracted by pybabel, translated by whoever
shows them), so the web page and an API can each say them in the person's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from titiktemu.audit import record
from titiktemu.exchange.commands import InputError
from titiktemu.models import (
    Kecamatan,
    Language,
    NotifyPreference,
    Person,
    Program,
    Skill,
    SkillKind,
    Village,
)
from titiktemu.models.places import under

#: Villages one search may list (a phone page, not a dump of the regency).
SEARCH_LIMIT = 40
_PHONE = re.compile(r"^\+?[0-9][0-9 ().-]{5,38}$")


def N_(message: str) -> str:  # noqa: N802 - the gettext convention pybabel extracts
    """Mark a message for translation; it is translated where it is shown."""
    return message


@dataclass
class ProfileInput:
    name: str
    phone: str = ""
    program_ids: list[int] = field(default_factory=list)
    home_village_code: str | None = None
    village_codes: list[str] = field(default_factory=list)
    skill_codes: list[str] = field(default_factory=list)
    skills_note: str = ""
    language: str = Language.ID.value
    notify: str = NotifyPreference.IMMEDIATE.value


def save_profile(session: Session, person: Person, data: ProfileInput, regency_code: str) -> None:
    """Check and store the profile; villages must lie in ``regency_code``. The caller commits.

    Matching reads skills and villages at its next run (the nightly rebuild or the next need).
    """
    errors: dict[str, str] = {}
    name = " ".join(data.name.split())
    if not name:
        errors["name"] = N_("Please enter your name.")
    elif len(name) > 200:
        errors["name"] = N_("At most 200 characters.")
    phone = data.phone.strip()
    if phone and not _PHONE.match(phone):
        errors["phone"] = N_("Write the phone number in digits, for example 0812 3456 7890.")
    programs = list(
        session.scalars(
            sa.select(Program).where(Program.id.in_(data.program_ids)).order_by(Program.code)
        )
    )
    if len(programs) != len(set(data.program_ids)):
        errors["programs"] = N_("Unknown program.")
    codes = sorted(set(data.village_codes))
    villages = list(
        session.scalars(
            sa.select(Village)
            .where(Village.code.in_(codes), under(Village.code, regency_code))
            .order_by(Village.code)
        )
    )
    if len(villages) != len(codes):
        errors["villages"] = N_("Choose villages of your regency.")
    home = None
    if data.home_village_code:
        home = session.get(Village, data.home_village_code)
        if home is None or home.regency_code != regency_code:
            errors["home_village"] = N_("Choose a village of your regency.")
    skill_codes = sorted(set(data.skill_codes))
    skills = list(
        session.scalars(
            sa.select(Skill)
            .where(Skill.code.in_(skill_codes), Skill.kind != SkillKind.GROUP)
            .order_by(Skill.code)
        )
    )
    if len(skills) != len(skill_codes):
        errors["skills"] = N_("Unknown skill.")
    note = data.skills_note.strip()
    if len(note) > 2000:
        errors["skills_note"] = N_("At most 2000 characters.")
    if data.language not in {m.value for m in Language}:
        errors["language"] = N_("Choose Indonesian or English.")
    if data.notify not in {m.value for m in NotifyPreference}:
        errors["notify"] = N_("Choose how you want to hear from us.")
    if errors:
        raise InputError(errors)
    person.name, person.phone, person.skills_note = name, phone, note
    person.programs, person.villages, person.skills = programs, villages, skills
    person.home_village_code = home.code if home else None
    person.language = Language(data.language)
    person.notify = NotifyPreference(data.notify)
    session.flush()
    record(session, "profile.updated", "person", person.id, actor_id=person.id)


# Lists the forms choose from -------------------------------------------------------------------


@dataclass(frozen=True)
class SkillGroup:
    group: Skill
    skills: list[Skill]


def skill_groups(session: Session) -> list[SkillGroup]:
    """The taxonomy's skills under their groups, groups and skills in code order."""
    rows = session.scalars(sa.select(Skill).order_by(Skill.code)).all()
    groups = [s for s in rows if s.kind == SkillKind.GROUP]
    return [
        SkillGroup(g, [s for s in rows if s.parent_code == g.code and s.kind != SkillKind.GROUP])
        for g in groups
    ]


def kecamatan_of(session: Session, regency_code: str) -> list[Kecamatan]:
    """The regency's kecamatan by name."""
    return list(
        session.scalars(
            sa.select(Kecamatan)
            .where(Kecamatan.regency_code == regency_code)
            .order_by(Kecamatan.name, Kecamatan.code)
        )
    )


@dataclass(frozen=True)
class PlaceGroup:
    """A kecamatan with its villages, for a grouped village choice."""

    kecamatan: Kecamatan
    villages: list[Village]


def regency_places(session: Session, regency_code: str) -> list[PlaceGroup]:
    """Every kecamatan of the regency with its villages, both by name (two queries)."""
    villages = session.scalars(
        sa.select(Village)
        .where(under(Village.code, regency_code))
        .order_by(Village.name, Village.code)
    ).all()
    by_kecamatan: dict[str, list[Village]] = {}
    for village in villages:
        by_kecamatan.setdefault(village.kecamatan_code, []).append(village)
    return [
        PlaceGroup(k, by_kecamatan.get(k.code, [])) for k in kecamatan_of(session, regency_code)
    ]


def villages_in(session: Session, regency_code: str, kecamatan_code: str) -> list[Village]:
    """The villages of one kecamatan of the regency by name (none for another regency's)."""
    if not kecamatan_code.startswith(regency_code + "."):
        return []
    return list(
        session.scalars(
            sa.select(Village)
            .where(Village.kecamatan_code == kecamatan_code)
            .options(selectinload(Village.kecamatan))
            .order_by(Village.name, Village.code)
        )
    )


def find_villages(
    session: Session, regency_code: str, text: str, limit: int = SEARCH_LIMIT
) -> list[Village]:
    """Villages of the regency whose name contains ``text`` (any case), by name."""
    text = " ".join(text.split()).casefold()
    if len(text) < 2:
        return []
    return list(
        session.scalars(
            sa.select(Village)
            .where(
                under(Village.code, regency_code),
                sa.func.lower(Village.name).contains(text, autoescape=True),
            )
            .options(selectinload(Village.kecamatan))
            .order_by(Village.name, Village.code)
            .limit(limit)
        )
    )


def villages_by_code(session: Session, codes: list[str]) -> list[Village]:
    """The villages with these codes, by name, with their kecamatan."""
    if not codes:
        return []
    return list(
        session.scalars(
            sa.select(Village)
            .where(Village.code.in_(sorted(set(codes))))
            .options(selectinload(Village.kecamatan))
            .order_by(Village.name, Village.code)
        )
    )
