"""Everything rows refer to, loaded once per import so checking thousands of rows costs no query.

Programs by code, people by email, the taxonomy (codes, labels and synonyms in both languages)
and the places in scope; plus what the upload itself adds, so a later sheet may refer to a
program or a person an earlier sheet creates.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.accounts.signin import normalise_email
from titiktemu.imports.parsing import CellError
from titiktemu.imports.places import PlaceIndex
from titiktemu.imports.problems import MAX_DETAIL
from titiktemu.imports.suggestions import MAX_CANDIDATES, Candidates, candidates, closest
from titiktemu.models import ActivityCategory, Person, Program, Role, Skill
from titiktemu.vocabulary.phrases import PhraseReader, Reading, read_program
from titiktemu.vocabulary.taxonomy import TaxonomyIndex, normalise, regency_phrases

#: Candidates an ambiguity lists at most, and how long that list may grow in a message.
MAX_OPTIONS = 5
OPTIONS_WIDTH = MAX_DETAIL


@dataclass(frozen=True)
class ReadAs:
    """A phrase that is not a code, label or synonym but points at exactly one entry.

    Accepted, and said in the report ("'jambanisasi' read as Sanitasi dan jamban"), with what a
    coordinator needs to keep the reading as a synonym of the regency in one tap.
    """

    code: str
    phrase: str  # as the cell wrote it
    label_id: str
    label_en: str
    kind: str  # "skill", "activity" or "program"


@dataclass(frozen=True)
class KnownPerson:
    id: int | None  # None while only the upload creates this person
    regency_code: str | None
    role: Role


@dataclass
class Lookups:
    taxonomy: TaxonomyIndex
    places: PlaceIndex
    #: casefolded code -> stored code
    programs: dict[str, str]
    #: stored code -> id
    program_ids: dict[str, int]
    people: dict[str, KnownPerson]
    #: every phrase of a skill or activity (code, labels, synonyms) -> the label a "did you
    #: mean" offers for it (a typo of a synonym, "sanitsai", finds "Sanitasi dan jamban")
    skill_names: Candidates = ()
    category_names: Candidates = ()
    #: activity code -> Indonesian label, for a default intervention title
    category_labels: dict[str, str] = field(default_factory=dict)
    #: email -> (file, row) of a people row that was refused, so rows naming that person
    #: point at the real problem instead of "add them in the people sheet"
    refused: dict[str, tuple[str, int]] = field(default_factory=dict)
    #: casefolded code -> (file, row) of a programs row that was refused, likewise
    refused_programs: dict[str, tuple[str, int]] = field(default_factory=dict)
    #: program code -> name, for reading a program by its name or a phrase (phrases.py)
    program_names: dict[str, str] = field(default_factory=dict)
    #: the regency's own program synonyms: normalised phrase -> program code
    program_synonyms: dict[str, str] = field(default_factory=dict)
    _program_readings: dict[tuple[str, int], Reading | None] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, regency_code: str | None) -> Lookups:
        programs = session.execute(sa.select(Program.code, Program.id, Program.name)).all()
        people = session.execute(
            sa.select(Person.email, Person.id, Person.regency_code, Person.role)
        )
        skills = session.execute(
            sa.select(
                Skill.code, Skill.label_id, Skill.label_en, Skill.synonyms_id, Skill.synonyms_en
            )
        ).all()
        categories = session.execute(
            sa.select(
                ActivityCategory.code,
                ActivityCategory.label_id,
                ActivityCategory.label_en,
                ActivityCategory.synonyms_id,
                ActivityCategory.synonyms_en,
            )
        ).all()
        phrases = regency_phrases(session, regency_code)
        return cls(
            taxonomy=TaxonomyIndex.from_session(session, regency_code),
            places=PlaceIndex.load(session, regency_code),
            programs={code.casefold(): code for code, _, _ in programs},
            program_ids={code: pid for code, pid, _ in programs},
            people={email: KnownPerson(pid, reg, role) for email, pid, reg, role in people},
            skill_names=candidates(_phrases(skills)),
            category_names=candidates(_phrases(categories)),
            category_labels={code: label for code, label, *_ in categories},
            program_names={code: name for code, _, name in programs},
            program_synonyms={normalise(p): code for p, code in phrases.get("program", ())},
        )

    def skill(self, word: str) -> str | ReadAs:
        """A skill by code, label or synonym; a clerk's phrase that fits one skill is a ReadAs."""
        reader = self.taxonomy.skills
        reading = reader.read(word)
        if reading is None:
            raise CellError("unknown_skill", suggestion=_closest(word, self.skill_names))
        return _taxonomy_answer(word, reading, reader, "skill")

    def category(self, word: str) -> str | ReadAs:
        """An activity category, read like :meth:`skill`."""
        reader = self.taxonomy.categories
        reading = reader.read(word)
        if reading is None:
            raise CellError("unknown_activity", suggestion=_closest(word, self.category_names))
        return _taxonomy_answer(word, reading, reader, "activity")

    def program(self, word: str) -> str | ReadAs:
        """A program by code (any case), name or the regency's synonym; a phrase holding one
        program's code or name ("PKH Dinsos") is a ReadAs, one holding several a problem."""
        code = self.programs.get(word.casefold())
        if code is not None:
            return code
        if word.casefold() in self.refused_programs:
            file, row = self.refused_programs[word.casefold()]
            raise CellError("program_refused", other_file=file, other=row)
        reading = self._read_program(word)
        if reading is None:
            raise CellError(
                "unknown_program",
                suggestion=_closest(word, candidates(list(self.programs.values()))),
            )
        found = reading.code
        if found is None:
            options = _options(list(reading.codes))
            raise CellError("ambiguous_program", options_en=options, options_id=options)
        if reading.exact:
            return found
        name = self.program_names.get(found, "")
        label = f"{found} ({name})" if name and name != found else found
        return ReadAs(found, word, label, label, "program")

    def _read_program(self, word: str) -> Reading | None:
        # Programs only grow during an import (a programs sheet adds some): count them in the key.
        key = (word, len(self.programs))
        if key not in self._program_readings:
            names = {code: self.program_names.get(code, "") for code in self.programs.values()}
            self._program_readings[key] = read_program(word, names, self.program_synonyms)
        return self._program_readings[key]

    def refused_person(self, email: object, file: str, row: int) -> None:
        """Remember that the people row for ``email`` was refused (the first such row)."""
        address = normalise_email(str(email or ""))
        if address and address not in self.people:
            self.refused.setdefault(address, (file, row))

    def refused_program(self, code: object, file: str, row: int) -> None:
        """Remember that the programs row for ``code`` was refused (the first such row), so rows
        naming it say so instead of "unknown program"."""
        key = str(code or "").strip().casefold()
        if key and key not in self.programs:
            self.refused_programs.setdefault(key, (file, row))

    def person(self, email: str) -> KnownPerson:
        known = self.people.get(email)
        if known is None and email in self.refused:
            file, row = self.refused[email]
            raise CellError("person_refused", other_file=file, other=row)
        if known is None:
            raise CellError("unknown_person", suggestion=_closest_email(email, self.people))
        return known


def _taxonomy_answer(word: str, reading: Reading, reader: PhraseReader, kind: str) -> str | ReadAs:
    """The code of an exact reading, a ReadAs of a loose one, a problem for an ambiguous one."""
    code = reading.code
    if code is None:
        labels = [reader.labels(c) for c in reading.codes]
        raise CellError(
            f"ambiguous_{kind}",
            options_id=_options([label_id for label_id, _ in labels]),
            options_en=_options([label_en for _, label_en in labels]),
        )
    if reading.exact:
        return code
    label_id, label_en = reader.labels(code)
    return ReadAs(code, word, label_id, label_en, kind)


def _options(names: list[str]) -> str:
    """Up to MAX_OPTIONS names joined with '; ', "…" when more did not fit in a message."""
    shown: list[str] = []
    for name in names[:MAX_OPTIONS]:
        if len("; ".join([*shown, name])) > OPTIONS_WIDTH - 3:
            break
        shown.append(name)
    return "; ".join(shown) + ("; …" if len(shown) < len(names) else "")


def _closest_email(email: str, known: dict[str, KnownPerson]) -> str:
    """A known address at the same domain whose name part is nearly the same ("sri.w" for
    "sriw"); across a shared domain every address looks alike, so the domain must match and
    the rest decide."""
    name, _, domain = email.rpartition("@")
    same = {k.rpartition("@")[0]: k for k in known if k.rpartition("@")[2] == domain}
    if not name or len(same) > MAX_CANDIDATES:
        return ""
    match = difflib.get_close_matches(name, list(same), n=1, cutoff=0.8)
    return same[match[0]] if match else ""


#: How alike a taxonomy or program name must be to be offered as "did you mean": a typo of a
#: letter or two ("sanitsai", "Pertanain") is above it; a different word that shares letters
#: ("pendataan", data collection, beside "Pendidikan", education, 0.74) is below.
SIMILAR = 0.8


def _phrases(rows: Iterable[Sequence[Any]]) -> dict[str, str]:
    """Each entry's code, labels and synonyms -> its Indonesian label (rows of code, label_id,
    label_en, synonyms_id, synonyms_en)."""
    found: dict[str, str] = {}
    for code, label_id, label_en, synonyms_id, synonyms_en in rows:
        for phrase in (code, label_id, label_en, *(synonyms_id or ()), *(synonyms_en or ())):
            found.setdefault(phrase, label_id)
    return found


def _closest(word: str, names: Candidates) -> str:
    return closest(word, names, key=normalise, cutoff=SIMILAR)
