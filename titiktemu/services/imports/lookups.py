"""Everything rows refer to, loaded once per import so checking thousands of rows costs no query.

Programs by code, people by email, the taxonomy (codes, labels and synonyms in both languages)
and the places in scope; plus what the upload itself adds, so a later sheet may refer to a
program or a person an earlier sheet creates.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.models import ActivityCategory, Person, Program, Role, Skill
from titiktemu.services.imports.parsing import CellError
from titiktemu.services.imports.places import PlaceIndex
from titiktemu.services.taxonomy import TaxonomyIndex, normalise


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
    skill_names: list[str] = field(default_factory=list)
    category_names: list[str] = field(default_factory=list)
    #: activity code -> Indonesian label, for a default intervention title
    category_labels: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, regency_code: str | None) -> Lookups:
        programs = session.execute(sa.select(Program.code, Program.id)).all()
        people = session.execute(
            sa.select(Person.email, Person.id, Person.regency_code, Person.role)
        )
        skills = session.execute(sa.select(Skill.code, Skill.label_id, Skill.label_en)).all()
        categories = session.execute(
            sa.select(ActivityCategory.code, ActivityCategory.label_id, ActivityCategory.label_en)
        ).all()
        return cls(
            taxonomy=TaxonomyIndex.from_session(session),
            places=PlaceIndex.load(session, regency_code),
            programs={code.casefold(): code for code, _ in programs},
            program_ids={code: pid for code, pid in programs},
            people={email: KnownPerson(pid, reg, role) for email, pid, reg, role in people},
            skill_names=sorted({name for row in skills for name in row}),
            category_names=sorted({name for row in categories for name in row}),
            category_labels={code: label for code, label, _ in categories},
        )

    def skill(self, word: str) -> str:
        code = self.taxonomy.resolve_skill(word)
        if code is None:
            raise CellError("unknown_skill", suggestion=_closest(word, self.skill_names))
        return code

    def category(self, word: str) -> str:
        code = self.taxonomy.resolve_category(word)
        if code is None:
            raise CellError("unknown_activity", suggestion=_closest(word, self.category_names))
        return code

    def program(self, word: str) -> str:
        code = self.programs.get(word.casefold())
        if code is None:
            raise CellError(
                "unknown_program", suggestion=_closest(word, sorted(self.programs.values()))
            )
        return code

    def person(self, email: str) -> KnownPerson:
        known = self.people.get(email)
        if known is None:
            raise CellError("unknown_person", suggestion=_closest_email(email, self.people))
        return known


#: Beyond this many candidates a suggestion costs more than it helps (an email among thousands).
MAX_CANDIDATES = 2000


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


def _closest(word: str, names: list[str]) -> str:
    return _closest_cached(word, tuple(names)) if len(names) <= MAX_CANDIDATES else ""


@functools.lru_cache(maxsize=4096)
def _closest_cached(word: str, names: tuple[str, ...]) -> str:
    """The name most like ``word`` or "": cached, as a bad file repeats the same typo."""
    keys = {normalise(n): n for n in names}
    match = difflib.get_close_matches(normalise(word), list(keys), n=1, cutoff=0.6)
    return keys[match[0]] if match else ""
