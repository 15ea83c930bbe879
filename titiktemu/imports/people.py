"""The ``people`` sheet: facilitators, coordinators and admins by email.

New people get no password (they use the reset link or an invitation); an update never touches
the password, the active flag or the notification preference. The regency is the home village's,
else the first village's, else the importing coordinator's.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Final, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.accounts.signin import normalise_email
from titiktemu.i18n import N_
from titiktemu.imports.lookups import KnownPerson
from titiktemu.imports.plan import Current, chunked
from titiktemu.imports.rows import Record, RowCheck
from titiktemu.models import Language, Person, Program, Role
from titiktemu.models.people import person_programs, person_skills, person_villages
from titiktemu.models.places import regency_of
from titiktemu.vocabulary.taxonomy import normalise

KIND: Final = "people"
T = TypeVar("T")
EMAIL: Final = re.compile(r"^[^@\s;,]+@[^@\s;,]+\.[^@\s;,]+$")

ROLE_WORDS: Final[dict[str, Role]] = {
    **{r.value: r for r in Role},
    "": Role.FACILITATOR,
    "pendamping": Role.FACILITATOR,
    "fasilitator": Role.FACILITATOR,
    # People who work in the villages under other names: the plain role, which grants nothing
    # beyond posting and seeing their own ("Koordinator Lapangan" stays a question: a senior
    # facilitator, or the forum's coordinator who decides proposals?).
    "pendampingdesa": Role.FACILITATOR,
    "pendampinglokaldesa": Role.FACILITATOR,
    "pld": Role.FACILITATOR,
    "tenagapendamping": Role.FACILITATOR,
    "tenagapendampingprofesional": Role.FACILITATOR,
    "tpp": Role.FACILITATOR,
    "relawan": Role.FACILITATOR,
    "volunteer": Role.FACILITATOR,
    "kader": Role.FACILITATOR,
    "fieldofficer": Role.FACILITATOR,
    "fieldstaff": Role.FACILITATOR,
    "koordinator": Role.COORDINATOR,
    # Donors, companies' CSR and Baznas: the prospectus and their own offers, nothing else.
    "mitra": Role.PARTNER,
    "donor": Role.PARTNER,
    "donatur": Role.PARTNER,
}
LANGUAGE_WORDS: Final[dict[str, Language]] = {
    **{lang.value: lang for lang in Language},
    "": Language.ID,
    "indonesia": Language.ID,
    "bahasaindonesia": Language.ID,
    "indonesian": Language.ID,
    "english": Language.EN,
    "inggris": Language.EN,
}


def email(row: RowCheck, column: str, *, required: bool = True) -> str:
    """A normalised email address from ``column``; "" when empty or bad (a problem then)."""
    value = normalise_email(row.text(column, 254, required=required))
    if value and not EMAIL.match(value):
        row.fail(column, "bad_email", value)
        return ""
    return value


def works_in(
    row: RowCheck, column: str, address: str, known: KnownPerson | None, regencies: Iterable[str]
) -> None:
    """A row names a person (an owner, a facilitator) only where that person works: whoever a
    row names sees and opens what it records, so someone of another regency (or of none) named
    here would see into this one. A global admin (no regency) sees everything anyway."""
    if known is None or (known.regency_code is None and known.role is Role.ADMIN):
        return
    for regency in sorted({regency_of(code) for code in regencies}):
        if known.regency_code != regency:
            other = known.regency_code
            row.fail(
                column,
                "other_regency",
                address,
                regency=regency,
                where=N_("works in regency %(other)s") if other else N_("has no regency"),
                other=other or "",
            )
            return


def check(row: RowCheck) -> Record | None:
    address = email(row, "email")
    name = row.text("name", 200, required=True)
    phone = row.text("phone", 40)
    role = _choice(row, "role", ROLE_WORDS)
    if role is Role.ADMIN and not row.scope.admin:
        row.fail("role", "role_not_allowed", role.value)
    programs = row.each("program_codes", row.items("program_codes"), row.lookups.program)
    home_ref = row.text("home_village", 300)
    home = row.place("home_village", home_ref, whole_kecamatan=False) if home_ref else None
    # A kecamatan in the villages a person covers means all of its villages, as on the profile.
    villages = [
        village
        for ref in row.items("villages")
        if (place := row.place("villages", ref, whole_kecamatan=True)) is not None
        for village in row.lookups.places.villages_of(place)
    ]
    skills = row.each("skills", row.items("skills"), row.lookups.skill)
    language = _choice(row, "language", LANGUAGE_WORDS)
    if not row.ok:
        return None
    first = home or (villages[0] if villages else None)
    regency = regency_of(first.code) if first else row.scope.regency_code
    values: dict[str, object] = {
        "email": address,
        "name": name,
        "phone": phone,
        "role": role,
        "home_village_code": home.village_code if home else None,
        "language": language,
    }
    if regency is not None:  # else an existing person keeps theirs
        values["regency_code"] = regency
    return Record(
        kind=KIND,
        file=row.sheet.file,
        row=row.row.number,
        key=(address,),
        values=values,
        links={
            "programs": frozenset(programs),
            "villages": frozenset(str(p.village_code) for p in villages),
            "skills": frozenset(skills),
        },
        regencies={regency} if regency else set(),
    )


def _choice(row: RowCheck, column: str, words: dict[str, T]) -> T | None:
    word = row.text(column, 40)
    found = words.get(normalise(word))
    if found is None:
        choices = ", ".join(sorted({str(v) for v in words.values()}))
        row.fail(column, "bad_choice", word, choices=choices)
    return found


def existing(session: Session, records: Iterable[Record]) -> dict[tuple[object, ...], Current]:
    """The stored people the records name (by email), with their programs, villages and skills."""
    found: dict[int, tuple[str, dict[str, object]]] = {}
    for batch in chunked(r.key[0] for r in records):
        for p in session.execute(
            sa.select(
                Person.id,
                Person.email,
                Person.name,
                Person.phone,
                Person.role,
                Person.home_village_code,
                Person.language,
                Person.regency_code,
            ).where(Person.email.in_(batch))
        ):
            found[p.id] = (
                p.email,
                {
                    "email": p.email,
                    "name": p.name,
                    "phone": p.phone,
                    "role": p.role,
                    "home_village_code": p.home_village_code,
                    "language": p.language,
                    "regency_code": p.regency_code,
                },
            )
    links: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    queries = {
        "programs": sa.select(person_programs.c.person_id, Program.code).join(
            Program, Program.id == person_programs.c.program_id
        ),
        "villages": sa.select(person_villages.c.person_id, person_villages.c.village_code),
        "skills": sa.select(person_skills.c.person_id, person_skills.c.skill_code),
    }
    owner = {
        "programs": person_programs.c.person_id,
        "villages": person_villages.c.person_id,
        "skills": person_skills.c.person_id,
    }
    for name, query in queries.items():
        for batch in chunked(found):
            for pid, target in session.execute(query.where(owner[name].in_(batch))):
                links[pid][name].add(target)
    return {
        (address,): Current(
            pid,
            values,
            {name: frozenset(links[pid][name]) for name in ("programs", "villages", "skills")},
        )
        for pid, (address, values) in found.items()
    }
