"""Current programs, people, offers and needs in the import's own columns.

People download these, edit them in a spreadsheet and upload them again: the columns are exactly
``COLUMNS[kind]``, lists are code lists, places are Kemendagri codes, so nothing is lost on the way.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from titiktemu import visibility
from titiktemu.exports.tables import Table, Value
from titiktemu.imports.columns import COLUMNS
from titiktemu.models import ExchangeStatus, Need, Offer, Person
from titiktemu.places.coverage import may_see_contact, programs_in


def programs_table(session: Session, viewer: Person, regency_code: str) -> Table:
    """Programs with people or interventions in the regency, with their activity categories."""
    rows: list[tuple[Value, ...]] = [
        (
            p.code,
            p.name,
            p.agency,
            p.funding_source.value,
            [c.code for c in p.categories],
        )
        for p in programs_in(session, regency_code)
    ]
    return Table("programs", COLUMNS["programs"], rows)


def people_table(session: Session, viewer: Person, regency_code: str) -> Table:
    """The regency's active people; email and phone only where the viewer may see contacts.

    Without the email a row cannot be imported back: callers let only coordinators download.
    """
    found = session.scalars(
        sa.select(Person)
        .where(
            visibility.people(viewer), visibility.people_in(regency_code), Person.active.is_(True)
        )
        .options(
            selectinload(Person.programs),
            selectinload(Person.villages),
            selectinload(Person.skills),
        )
        .order_by(Person.id)
    )
    rows: list[tuple[Value, ...]] = []
    for p in found:
        contact = may_see_contact(viewer, p)
        rows.append(
            (
                p.email if contact else "",
                p.name,
                p.phone if contact else "",
                p.role.value,
                [g.code for g in p.programs],
                p.home_village_code or "",
                [v.code for v in p.villages],
                [s.code for s in p.skills],
                p.language.value,
            )
        )
    return Table("people", COLUMNS["people"], rows)


def _owner_email(viewer: Person, owner: Person) -> str:
    return owner.email if may_see_contact(viewer, owner) else ""


def offers_table(session: Session, viewer: Person, regency_code: str) -> Table:
    """Open offers of the regency's people; ``villages`` holds village and kecamatan codes."""
    found = session.scalars(
        sa.select(Offer)
        .join(Person, Person.id == Offer.person_id)
        .where(Person.regency_code == regency_code, Offer.status == ExchangeStatus.OPEN)
        .options(
            selectinload(Offer.person),
            selectinload(Offer.skills),
            selectinload(Offer.villages),
            selectinload(Offer.kecamatan),
        )
        .order_by(Offer.id)
    )
    rows: list[tuple[Value, ...]] = [
        (
            _owner_email(viewer, o.person),
            o.title,
            [s.code for s in o.skills],
            [v.code for v in o.villages] + [k.code for k in o.kecamatan],
            o.available_from,
            o.available_until,
            o.capacity,
            o.description,
        )
        for o in found
    ]
    return Table("offers", COLUMNS["offers"], rows)


def needs_table(session: Session, viewer: Person, regency_code: str) -> Table:
    """Open needs in the regency; ``village`` is the village code, or the kecamatan's."""
    found = session.scalars(
        sa.select(Need)
        .where(
            visibility.needs(viewer),
            visibility.needs_in(regency_code),
            Need.status == ExchangeStatus.OPEN,
        )
        .options(selectinload(Need.person), selectinload(Need.skills))
        .order_by(Need.id)
    )
    rows: list[tuple[Value, ...]] = [
        (
            _owner_email(viewer, n.person),
            n.title,
            [s.code for s in n.skills],
            n.village_code or n.kecamatan_code,
            n.needed_from,
            n.needed_until,
            n.description,
        )
        for n in found
    ]
    return Table("needs", COLUMNS["needs"], rows)


#: The import-format kinds a coordinator may download, by name.
BUILDERS: dict[str, Callable[[Session, Person, str], Table]] = {
    "programs": programs_table,
    "people": people_table,
    "offers": offers_table,
    "needs": needs_table,
}
