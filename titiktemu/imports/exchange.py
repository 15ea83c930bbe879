"""The ``offers`` and ``needs`` sheets, keyed by owner email and title (its ``title_key``: case
and spacing do not make another one; the database holds the same key unique).

New ones are open; an existing one keeps its status (an import never reopens a fulfilled need).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.imports import people
from titiktemu.imports.lookups import KnownPerson
from titiktemu.imports.plan import Current, chunked
from titiktemu.imports.rows import Record, RowCheck
from titiktemu.models import Need, Offer, Person
from titiktemu.models.exchange import (
    need_skills,
    offer_kecamatan,
    offer_skills,
    offer_villages,
    title_key,
)
from titiktemu.models.places import regency_of

OFFERS: Final = "offers"
NEEDS: Final = "needs"
MAX_DESCRIPTION: Final = 5000
MAX_CAPACITY: Final = 100


def _owner(row: RowCheck) -> tuple[str, KnownPerson | None]:
    """The owner's address, and who they are when known and within the importer's scope."""
    address = people.email(row, "email")
    known = row.each("email", [address], row.lookups.person) if address else []
    if known and not row.scope.allows(known[0].regency_code):
        row.out_of_scope("email", address)
        return address, None
    return address, known[0] if known else None


def _title(row: RowCheck) -> str:
    return " ".join(row.text("title", 200, required=True).split())


def check_offer(row: RowCheck) -> Record | None:
    (owner, known), title = _owner(row), _title(row)
    skills = row.each("skills", row.items("skills", required=True), row.lookups.skill)
    places = [
        place
        for ref in row.items("villages", required=True)
        if (place := row.place("villages", ref, whole_kecamatan=True)) is not None
    ]
    people.works_in(row, "email", owner, known, [p.code for p in places])
    start, end = row.date("available_from"), row.date("available_until", end=True)
    row.window(start, end, "available_until")
    # "3 orang", "2 kelompok": read like a count; blank means one at a time.
    capacity = row.count("capacity", MAX_CAPACITY)
    if capacity == 0:
        row.fail("capacity", "number_out_of_range", "0", low=1, high=MAX_CAPACITY)
    capacity = capacity or 1
    description = row.text("description", MAX_DESCRIPTION)
    if not row.ok:
        return None
    return Record(
        kind=OFFERS,
        file=row.sheet.file,
        row=row.row.number,
        key=(owner, title_key(title)),
        values={
            "person_email": owner,
            "title": title,
            "description": description,
            "available_from": start,
            "available_until": end,
            "capacity": capacity,
        },
        links={
            "skills": frozenset(skills),
            "villages": frozenset(str(p.village_code) for p in places if p.village_code),
            "kecamatan": frozenset(p.kecamatan_code for p in places if not p.village_code),
        },
        regencies={regency_of(p.code) for p in places},
    )


def check_need(row: RowCheck) -> Record | None:
    (owner, known), title = _owner(row), _title(row)
    skills = row.each("skills", row.items("skills", required=True), row.lookups.skill)
    ref = row.text("village", 300, required=True)
    kecamatan = row.text("kecamatan", 300)
    place = row.place("village", ref, whole_kecamatan=True, kecamatan=kecamatan) if ref else None
    people.works_in(row, "email", owner, known, [place.code] if place else [])
    start, end = row.date("needed_from"), row.date("needed_until", end=True)
    row.window(start, end, "needed_until")
    description = row.text("description", MAX_DESCRIPTION)
    if not row.ok or place is None:
        return None
    return Record(
        kind=NEEDS,
        file=row.sheet.file,
        row=row.row.number,
        key=(owner, title_key(title)),
        values={
            "person_email": owner,
            "title": title,
            "description": description,
            "kecamatan_code": place.kecamatan_code,
            "village_code": place.village_code,
            "needed_from": start,
            "needed_until": end,
        },
        links={"skills": frozenset(skills)},
        regencies={regency_of(place.code)},
    )


def existing_offers(
    session: Session, records: Iterable[Record]
) -> dict[tuple[object, ...], Current]:
    """The stored offers the records name."""
    columns = (Offer.description, Offer.available_from, Offer.available_until, Offer.capacity)
    rows = _owned(session, Offer, columns, records)
    links = _links(
        session,
        list(rows),
        {
            "skills": (offer_skills.c.offer_id, offer_skills.c.skill_code),
            "villages": (offer_villages.c.offer_id, offer_villages.c.village_code),
            "kecamatan": (offer_kecamatan.c.offer_id, offer_kecamatan.c.kecamatan_code),
        },
    )
    return _current(rows, columns, links)


def existing_needs(
    session: Session, records: Iterable[Record]
) -> dict[tuple[object, ...], Current]:
    """The stored needs the records name."""
    columns = (
        Need.description,
        Need.kecamatan_code,
        Need.village_code,
        Need.needed_from,
        Need.needed_until,
    )
    rows = _owned(session, Need, columns, records)
    links = _links(
        session, list(rows), {"skills": (need_skills.c.need_id, need_skills.c.skill_code)}
    )
    return _current(rows, columns, links)


def _owned(
    session: Session,
    model: type[Offer] | type[Need],
    columns: tuple[Any, ...],
    records: Iterable[Record],
) -> dict[int, Any]:
    """Stored rows (id, email, title, *columns) by id, for the records' (email, title) keys."""
    keys = {r.key for r in records}
    found: dict[tuple[object, ...], Any] = {}
    for batch in chunked({str(k[0]) for k in keys}):
        query = (
            sa.select(model.id, Person.email, model.title, *columns)
            .join(Person, Person.id == model.person_id)
            .where(Person.email.in_(batch))
            .order_by(model.id)
        )
        for row in session.execute(query):
            key = (row[1], title_key(row[2]))
            if key in keys:
                found.setdefault(key, row)
    return {row[0]: row for row in found.values()}


def _links(
    session: Session, ids: list[int], tables: dict[str, tuple[sa.Column[int], sa.Column[str]]]
) -> dict[int, dict[str, frozenset[str]]]:
    sets: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for name, (owner, target) in tables.items():
        for batch in chunked(ids):
            for oid, code in session.execute(sa.select(owner, target).where(owner.in_(batch))):
                sets[oid][name].add(code)
    return {oid: {name: frozenset(sets[oid][name]) for name in tables} for oid in ids}


def _current(
    rows: dict[int, Any], columns: tuple[Any, ...], links: dict[int, dict[str, frozenset[str]]]
) -> dict[tuple[object, ...], Current]:
    """The rows of ``_owned`` as the records that would write them: values named by column."""
    names = ("person_email", "title", *(column.key for column in columns))
    return {
        (r[1], title_key(r[2])): Current(oid, dict(zip(names, r[1:], strict=True)), links[oid])
        for oid, r in rows.items()
    }
