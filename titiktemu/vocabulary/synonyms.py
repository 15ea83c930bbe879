"""A regency's own synonyms: kept by its coordinators, read by imports, the engine and forms.

A coordinator accepts how an import read a clerk's phrase ("'jambanisasi' read as Sanitasi dan
jamban") and the phrase becomes a synonym of that regency: exact from then on, there and nowhere
else. A phrase that already names something in the shipped taxonomy or a program cannot be
bent to mean something else; each change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from titiktemu.audit import record
from titiktemu.errors import Invalid, Missing, NotPermitted
from titiktemu.models import (
    ActivityCategory,
    ImportRun,
    Person,
    Program,
    RegencySynonym,
    Role,
    Skill,
    SynonymKind,
)
from titiktemu.review.commands import may_review
from titiktemu.vocabulary.phrases import read_program
from titiktemu.vocabulary.taxonomy import TaxonomyIndex, normalise

#: A phrase longer than this is a sentence, not a word for something.
MAX_PHRASE: Final = 200


class SynonymError(Invalid, ValueError):
    """A synonym that cannot be kept; ``code`` says why, ``other`` the code the phrase already
    names (for "taken", "known" and "duplicate").

    Codes: ``empty``, ``too_long``, ``unknown_code``, ``taken`` (names another entry),
    ``known`` (already names this entry in the taxonomy), ``duplicate`` (already kept here).
    """

    def __init__(self, code: str, other: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.other = other


def may_keep_synonyms(person: Person, regency_code: str) -> bool:
    """Coordinators of the regency and admins (the same people who review its proposals)."""
    return person.active and may_review(person, regency_code)


def reading_regency(run: ImportRun) -> str | None:
    """The regency whose words read ``run``: its uploader's (see ``imports.run.scope_of``).

    None for the command line and for an admin without a regency: such a run was read with no
    regency's words, so a synonym kept for one would not change how it reads.
    """
    return run.person.regency_code if run.person is not None else None


def offered_readings(run: ImportRun) -> list[dict[str, str]]:
    """The looser readings the run's report offers to keep: {"kind", "phrase", "code"} each."""
    found: list[dict[str, str]] = []
    for entry in run.problems:
        data = entry.get("data")
        if entry.get("code") != "read_as" or not isinstance(data, dict):
            continue
        reading = {k: str(data.get(k, "")) for k in ("kind", "phrase", "code")}
        if reading not in found:
            found.append(reading)
    return found


def add_synonym(
    session: Session,
    actor: Person,
    kind: str,
    phrase: str,
    code: str,
    *,
    regency_code: str | None = None,
) -> RegencySynonym:
    """Keep ``phrase`` as a synonym of ``code`` for ``regency_code`` (default: the actor's).

    Raises PermissionError for someone who may not, SynonymError for a phrase that cannot be
    kept; the caller commits.
    """
    regency = regency_code or actor.regency_code
    if regency is None or not may_keep_synonyms(actor, regency):
        raise NotPermitted("only the regency's coordinators and admins keep its synonyms")
    what = SynonymKind(kind)
    phrase = " ".join(phrase.split())
    key = normalise(phrase)
    if not key:
        raise SynonymError("empty")
    if len(phrase) > MAX_PHRASE:
        raise SynonymError("too_long")
    if not _exists(session, what, code):
        raise SynonymError("unknown_code", other=code)
    named = _named(session, what, phrase)
    if named is not None:
        raise SynonymError("known" if named == code else "taken", other=named)
    kept = session.scalars(
        sa.select(RegencySynonym).where(
            RegencySynonym.regency_code == regency,
            RegencySynonym.kind == what,
            RegencySynonym.key == key,
        )
    ).first()
    if kept is not None:
        raise SynonymError("duplicate" if kept.code == code else "taken", other=kept.code)
    row = RegencySynonym(
        regency_code=regency, kind=what, phrase=phrase, key=key, code=code, created_by=actor.id
    )
    try:
        with session.begin_nested():  # two taps at once: the unique key keeps one
            session.add(row)
    except sa.exc.IntegrityError:
        raise SynonymError("duplicate", other=code) from None
    record(
        session,
        "synonym.added",
        "regency_synonym",
        row.id,
        actor_id=actor.id,
        regency=regency,
        kind=what.value,
        phrase=phrase,
        code=code,
    )
    return row


def remove_synonym(session: Session, actor: Person, synonym_id: int) -> RegencySynonym:
    """Remove a synonym of a regency the actor keeps; the caller commits.

    PermissionError for a facilitator (who keeps none), LookupError for a synonym that does not
    exist or belongs to another regency (the page answers 404 for both: ids reveal nothing).
    """
    if actor.role not in (Role.COORDINATOR, Role.ADMIN):
        raise NotPermitted("only coordinators and admins keep synonyms")
    row = session.get(RegencySynonym, synonym_id)
    if row is None or not may_keep_synonyms(actor, row.regency_code):
        raise Missing(f"no synonym {synonym_id}")
    record(
        session,
        "synonym.removed",
        "regency_synonym",
        row.id,
        actor_id=actor.id,
        regency=row.regency_code,
        kind=row.kind.value,
        phrase=row.phrase,
        code=row.code,
    )
    session.delete(row)
    session.flush()
    return row


def synonyms_of(session: Session, regency_code: str) -> list[RegencySynonym]:
    """The regency's synonyms by kind, then phrase, with who added them."""
    return list(
        session.scalars(
            sa.select(RegencySynonym)
            .where(RegencySynonym.regency_code == regency_code)
            .options(selectinload(RegencySynonym.creator))
            .order_by(RegencySynonym.kind, RegencySynonym.key)
        )
    )


@dataclass(frozen=True)
class Target:
    """What a synonym points at, as a page shows it."""

    label_id: str
    label_en: str

    def label(self, language: str) -> str:
        return self.label_en if language == "en" else self.label_id


def targets(session: Session, rows: list[RegencySynonym]) -> dict[tuple[str, str], Target]:
    """(kind, code) -> the labels of what each synonym names (the code when it is gone)."""
    wanted: dict[SynonymKind, set[str]] = {}
    for row in rows:
        wanted.setdefault(row.kind, set()).add(row.code)
    found: dict[tuple[str, str], Target] = {}
    for kind, codes in wanted.items():
        if kind is SynonymKind.PROGRAM:
            for p_code, name in session.execute(
                sa.select(Program.code, Program.name).where(Program.code.in_(sorted(codes)))
            ):
                found[(kind.value, p_code)] = Target(f"{p_code} ({name})", f"{p_code} ({name})")
            continue
        model = Skill if kind is SynonymKind.SKILL else ActivityCategory
        for t_code, label_id, label_en in session.execute(
            sa.select(model.code, model.label_id, model.label_en).where(
                model.code.in_(sorted(codes))
            )
        ):
            found[(kind.value, t_code)] = Target(label_id, label_en)
    for row in rows:
        found.setdefault((row.kind.value, row.code), Target(row.code, row.code))
    return found


def _exists(session: Session, kind: SynonymKind, code: str) -> bool:
    column = {
        SynonymKind.SKILL: Skill.code,
        SynonymKind.ACTIVITY: ActivityCategory.code,
        SynonymKind.PROGRAM: Program.code,
    }[kind]
    return session.scalar(sa.select(sa.func.count()).where(column == code)) == 1


def _named(session: Session, kind: SynonymKind, phrase: str) -> str | None:
    """The code ``phrase`` already names exactly without any regency's words, else None."""
    if kind is SynonymKind.PROGRAM:
        programs = {
            code: name for code, name in session.execute(sa.select(Program.code, Program.name))
        }
        reading = read_program(phrase, programs)
        return reading.code if reading is not None and reading.exact else None
    index = TaxonomyIndex.from_session(session)
    return (
        index.resolve_skill(phrase) if kind is SynonymKind.SKILL else index.resolve_category(phrase)
    )
