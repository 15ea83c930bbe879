"""Writing a checked plan: bulk inserts and updates, one statement per kind and table.

Only new and updated records are written; link tables are replaced only where their set changed.
References by natural key (program code, email) become ids here, after the kinds they point at
are written, in :data:`~titiktemu.imports.columns.KINDS` order.

On PostgreSQL many new rows go in by ``COPY`` (:func:`titiktemu.bulk.insert_all`): a national
load is a million rows, and an ``INSERT ... RETURNING`` pays per row for the statement text and
its parameters. New records get their ids from their table's sequence first (one query), so the
link rows can name them. ``COPY`` passes the session's statement events by, so the write itself
tells the engine's change counters (``titiktemu.models.changes``) what an ORM insert would have
told them: every regency's inputs changed. All of it runs inside the import's savepoint, so a
refusal still leaves nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.bulk import COPY_FROM, insert_all
from titiktemu.imports.plan import Change, chunked
from titiktemu.models import ExchangeStatus, Intervention, Need, Offer, Person, Program
from titiktemu.models.base import utcnow
from titiktemu.models.changes import RELOAD, note
from titiktemu.models.exchange import (
    need_skills,
    offer_kecamatan,
    offer_skills,
    offer_villages,
    title_key,
)
from titiktemu.models.people import person_programs, person_skills, person_villages
from titiktemu.models.programs import program_categories
from titiktemu.models.versions import EVERY_REGENCY


@dataclass
class Ids:
    """Natural keys to ids, filled as kinds are written."""

    programs: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)

    def refresh(self, session: Session, emails: Iterable[str]) -> None:
        self.programs = {
            code: pid for code, pid in session.execute(sa.select(Program.code, Program.id))
        }
        for batch in chunked(set(emails) - set(self.people)):
            query = sa.select(Person.email, Person.id).where(Person.email.in_(batch))
            self.people.update({email: pid for email, pid in session.execute(query)})


@dataclass(frozen=True)
class Link:
    table: sa.Table
    owner: str
    target: str
    translate: Callable[[Ids, str], object] = lambda _ids, value: value


@dataclass(frozen=True)
class Writer:
    model: Any
    to_db: Callable[[Ids, dict[str, object]], dict[str, object]]
    new_defaults: dict[str, object] = field(default_factory=dict)
    links: dict[str, Link] = field(default_factory=dict)


def _same(_ids: Ids, values: dict[str, object]) -> dict[str, object]:
    return dict(values)


def _intervention(ids: Ids, values: dict[str, object]) -> dict[str, object]:
    row = {k: v for k, v in values.items() if k not in ("program_code", "facilitator_email")}
    row["program_id"] = ids.programs[str(values["program_code"])]
    email = values["facilitator_email"]
    row["facilitator_id"] = ids.people[str(email)] if email else None
    return row


def _owned(ids: Ids, values: dict[str, object]) -> dict[str, object]:
    row = {k: v for k, v in values.items() if k != "person_email"}
    row["person_id"] = ids.people[str(values["person_email"])]
    # Bulk writes pass the ORM by: the key goes with the title (an update may recase it).
    row["title_key"] = title_key(str(values["title"]))
    return row


WRITERS: Final[dict[str, Writer]] = {
    "programs": Writer(
        Program,
        _same,
        {"description": ""},
        {"categories": Link(program_categories, "program_id", "category_code")},
    ),
    "people": Writer(
        Person,
        _same,
        {"password_hash": None},
        {
            "programs": Link(
                person_programs, "person_id", "program_id", lambda ids, code: ids.programs[code]
            ),
            "villages": Link(person_villages, "person_id", "village_code"),
            "skills": Link(person_skills, "person_id", "skill_code"),
        },
    ),
    "interventions": Writer(Intervention, _intervention),
    "offers": Writer(
        Offer,
        _owned,
        {"status": ExchangeStatus.OPEN},
        {
            "skills": Link(offer_skills, "offer_id", "skill_code"),
            "villages": Link(offer_villages, "offer_id", "village_code"),
            "kecamatan": Link(offer_kecamatan, "offer_id", "kecamatan_code"),
        },
    ),
    "needs": Writer(
        Need,
        _owned,
        {"status": ExchangeStatus.OPEN},
        {"skills": Link(need_skills, "need_id", "skill_code")},
    ),
}


def write(session: Session, kind: str, changes: list[Change], ids: Ids) -> None:
    """Insert the new records of one kind, update the changed ones, then their link rows."""
    writer = WRITERS[kind]
    new = [c for c in changes if c.status == "new"]
    updated = [c for c in changes if c.status == "updated"]
    owners: list[tuple[int, Change]] = []
    if new:
        rows = [{**writer.new_defaults, **writer.to_db(ids, c.record.values)} for c in new]
        if _copies(session, rows):
            new_ids = _copy_new(session, writer.model.__table__, rows)
            owners.extend(zip(new_ids, new, strict=True))
        elif writer.links:
            statement = (
                sa.insert(writer.model)
                .returning(writer.model.id, sort_by_parameter_order=True)
                .execution_options(render_nulls=True)
            )
            returned = session.execute(statement, rows).scalars().all()
            owners.extend(zip(returned, new, strict=True))
        else:
            # render_nulls: one executemany, not a batch per run of rows with the same NULLs.
            session.execute(sa.insert(writer.model).execution_options(render_nulls=True), rows)
    if updated:
        now = utcnow()
        session.execute(
            sa.update(writer.model),
            [
                {**writer.to_db(ids, c.record.values), "id": c.current.id, "updated_at": now}
                for c in updated
                if c.current is not None
            ],
        )
        owners.extend((c.current.id, c) for c in updated if c.current is not None)
    for name, link in writer.links.items():
        _write_links(session, link, name, owners, ids)


def _write_links(
    session: Session, link: Link, name: str, owners: list[tuple[int, Change]], ids: Ids
) -> None:
    changed = [(oid, c) for oid, c in owners if name in c.changed_links]
    stale = [oid for oid, c in changed if c.status == "updated"]
    owner_column = link.table.c[link.owner]
    for batch in chunked(stale):
        session.execute(link.table.delete().where(owner_column.in_(batch)))
    rows = [
        {link.owner: oid, link.target: link.translate(ids, value)}
        for oid, change in changed
        for value in sorted(change.record.links[name])
    ]
    if _copies(session, rows):
        with _refusals(session):
            insert_all(session, link.table, rows)
        _changed_everywhere(session)
    elif rows:
        session.execute(link.table.insert(), rows)


def _copies(session: Session, rows: list[dict[str, object]]) -> bool:
    """Enough rows for ``COPY``, on PostgreSQL."""
    return len(rows) >= COPY_FROM and session.get_bind().dialect.name == "postgresql"


def _copy_new(session: Session, table: sa.Table, rows: list[dict[str, object]]) -> list[int]:
    """Insert ``rows`` by ``COPY`` with ids drawn from the table's sequence; the ids, in order.

    Rows may differ in the columns they give (a person without a regency keeps the column's
    default): each set of columns goes in its own ``COPY``.
    """
    sequence = sa.func.pg_get_serial_sequence(table.name, "id")
    new_ids = list(
        session.scalars(
            sa.select(sa.func.nextval(sequence)).select_from(sa.func.generate_series(1, len(rows)))
        )
    )
    shapes: dict[tuple[str, ...], list[dict[str, object]]] = {}
    for row, new_id in zip(rows, new_ids, strict=True):
        shapes.setdefault(tuple(row), []).append({**row, "id": new_id})
    with _refusals(session):
        for same in shapes.values():
            insert_all(session, table, same)
    _changed_everywhere(session)
    return new_ids


@contextmanager
def _refusals(session: Session) -> Iterator[None]:
    """``COPY`` runs on the driver's own cursor: a refusal (a constraint) comes as the driver's
    error, made SQLAlchemy's here as a statement's would be, so the import rejects the run."""
    driver_error = session.get_bind().dialect.loaded_dbapi.Error
    try:
        yield
    except driver_error as exc:
        raise sa.exc.DBAPIError.instance("COPY", None, exc, driver_error) from exc


def _changed_everywhere(session: Session) -> None:
    """What the ORM insert's statement event records for an import (every regency's inputs),
    bumped at commit like it."""
    note(session, [(EVERY_REGENCY, RELOAD, None)])
