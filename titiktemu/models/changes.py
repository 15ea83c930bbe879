"""Bump a regency's counter in the same transaction as any change the engine reads of it.

The one place the rule lives, so no command can forget it: listeners on every ``Session``.

- ``after_flush`` reads what the flush wrote through the ORM (new, changed and deleted rows, with
  their old values), keeping only changes to what ``titiktemu.matching.inputs`` and
  ``config`` read;
- ``do_orm_execute`` sees the bulk statements (``session.execute(sa.update(Proposal)...)``,
  imports' executemany): proposals are told apart by their rows (read before the statement
  runs); any other bulk write to a table the engine reads bumps every regency (``*``);
- ``before_commit`` flushes (when a row the engine reads is pending), then bumps each changed regency's counter once and logs what
  changed under the new value, so the counter and the change commit together or not at all.

A need (kind ``need``) and a need's pending proposals (kind ``proposal``, id: the need) are
logged row by row: a warm engine catches up by re-reading just them. Anything else is
``reload`` for its regencies; what every regency reads (the taxonomy, programs, people, an
acceptance, which uses up capacity wherever the offer or person reaches) bumps ``*``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from titiktemu.models.base import run
from titiktemu.models.exchange import Need, Offer, offer_kecamatan, offer_villages
from titiktemu.models.interventions import Intervention
from titiktemu.models.people import Person
from titiktemu.models.places import Kecamatan, Village, regency_of
from titiktemu.models.programs import Program
from titiktemu.models.proposals import Proposal, ProposalStatus
from titiktemu.models.regency_settings import (
    AllowedCombination,
    KecamatanAdjacency,
    RegencySettings,
)
from titiktemu.models.synonyms import RegencySynonym
from titiktemu.models.taxonomy import ActivityCategory, Skill
from titiktemu.models.versions import EVERY_REGENCY, RegencyChange, RegencyVersion

NEED = "need"
PROPOSAL = "proposal"
RELOAD = "reload"
#: Versions of a regency's log kept: a state further behind reloads.
KEEP = 1000
#: The log is pruned at every this many versions (one statement less on the others).
PRUNE_EVERY = 100

#: (regency, kind, item id)
Change = tuple[str, str, int | None]
#: Execution option of a bulk write whose caller passes its changes to ``note`` itself (from
#: the rows its RETURNING gives, say), so the listener need not read the rows before it runs.
NOTED = "titiktemu.changes_noted"
_PENDING = "titiktemu.regency_changes"

#: What the engine reads of each model (a change elsewhere, a password, is not its business).
READ: dict[type[Any], tuple[str, ...]] = {
    Need: (
        "person_id",
        "title",
        "description",
        "kecamatan_code",
        "village_code",
        "needed_from",
        "needed_until",
        "status",
        "skills",
    ),
    Offer: (
        "person_id",
        "title",
        "description",
        "available_from",
        "available_until",
        "capacity",
        "status",
        "skills",
        "villages",
        "kecamatan",
    ),
    Person: (
        "name",
        "regency_code",
        "home_village_code",
        "active",
        "villages",
        "skills",
        "programs",
    ),
    Proposal: ("regency_code", "need_id", "offer_id", "person_id", "rank", "score", "status"),
    Intervention: (
        "program_id",
        "village_code",
        "category_code",
        "title",
        "start_date",
        "end_date",
        "households",
        "budget_idr",
        "facilitator_id",
    ),
    Village: ("name",),
    Kecamatan: ("name", "lat", "lon"),
    KecamatanAdjacency: ("kecamatan_a", "kecamatan_b"),
    RegencySettings: ("engine_overrides",),
    AllowedCombination: ("regency_code", "program_a_id", "program_b_id"),
    RegencySynonym: ("regency_code", "kind", "phrase", "code"),
    Skill: ("parent_code", "label_id", "label_en", "synonyms_id", "synonyms_en", "kind"),
    ActivityCategory: ("parent_code", "label_id", "label_en", "synonyms_id", "synonyms_en"),
    Program: ("code", "name", "categories"),
}
#: Tables the engine reads (a bulk write to one that is not ``proposals`` bumps ``*``).
READ_TABLES = frozenset(
    {model.__tablename__ for model in READ}
    | {
        "need_skills",
        "offer_skills",
        "offer_villages",
        "offer_kecamatan",
        "person_villages",
        "person_skills",
        "person_programs",
        "program_categories",
    }
)
ACCEPTED = ProposalStatus.ACCEPTED


def _values(obj: object, name: str) -> Iterator[Any]:
    """The attribute's value now and, when this flush changes it, before (read if expired)."""
    history = sa.inspect(obj).attrs[name].load_history()
    yield from (*history.added, *history.unchanged, *history.deleted)


def _codes(obj: object, name: str) -> set[str]:
    return {v if isinstance(v, str) else v.code for v in _values(obj, name) if v is not None}


def _changed(obj: object, names: Iterable[str]) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _of(codes: Iterable[str], kind: str, item: int | None = None) -> list[Change]:
    """In each regency of ``codes``; a change that names none is taken as every regency's."""
    found = [(regency_of(c), kind, item) for c in codes]
    return found or [(EVERY_REGENCY, RELOAD, None)]


def changes_of(obj: object, changed: bool) -> list[Change]:
    """What a row the flush writes changes for the engine (``changed``: an update, where only
    a change to what the engine reads counts; else an insert or a delete)."""
    names = READ.get(type(obj))
    if names is None or (changed and not _changed(obj, names)):
        return []
    if isinstance(obj, Need):
        return _of(_codes(obj, "kecamatan_code"), NEED, obj.id)
    if isinstance(obj, Proposal):
        if ACCEPTED in set(_values(obj, "status")):
            return [(EVERY_REGENCY, RELOAD, None)]
        codes = _codes(obj, "regency_code")
        return [(c, PROPOSAL, obj.need_id) for c in codes] or [(EVERY_REGENCY, RELOAD, None)]
    if isinstance(obj, Offer):
        return _of(_codes(obj, "villages") | _codes(obj, "kecamatan"), RELOAD)
    if isinstance(obj, Intervention):
        return _of(_codes(obj, "village_code"), RELOAD)
    if isinstance(obj, Village | Kecamatan):
        return _of([obj.code], RELOAD)
    if isinstance(obj, KecamatanAdjacency):
        return _of(_codes(obj, "kecamatan_a") | _codes(obj, "kecamatan_b"), RELOAD)
    if isinstance(obj, RegencySettings | AllowedCombination | RegencySynonym):
        return [(c, RELOAD, None) for c in _codes(obj, "regency_code")]
    return [(EVERY_REGENCY, RELOAD, None)]  # people, the taxonomy, programs


def _pending(session: Session) -> set[Change]:
    found: set[Change] = session.info.setdefault(_PENDING, set())
    return found


def note(session: Session, changes: Iterable[Change]) -> None:
    """Changes written past the session's events (``COPY`` on the driver's cursor, as a large
    import does, or a statement run with ``NOTED``), bumped at commit with the others."""
    _pending(session).update(changes)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: UOWTransaction, _instances: object) -> None:
    """Updates and deletes, read while their rows (and old values) are still there."""
    pending = _pending(session)
    for obj in session.dirty:
        pending.update(changes_of(obj, changed=True))
    for obj in session.deleted:
        pending.update(changes_of(obj, changed=False))


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: UOWTransaction) -> None:
    """Inserts, once they have their ids."""
    pending = _pending(session)
    for obj in session.new:
        pending.update(changes_of(obj, changed=False))


@event.listens_for(Session, "do_orm_execute")
def _bulk(state: ORMExecuteState) -> None:
    """A bulk write through the session: needs, offers and proposals by the rows it writes,
    read before it runs; any other table the engine reads, every regency."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    if state.execution_options.get(NOTED):
        return  # the caller notes what it wrote (see NOTED)
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name not in READ_TABLES:
        return
    handler = _BULK.get(str(name))
    found = handler(state) if handler is not None else None
    # None: which regencies cannot be told; an empty list: the statement writes no row.
    _pending(state.session).update([(EVERY_REGENCY, RELOAD, None)] if found is None else found)


def _rows(state: ORMExecuteState) -> list[dict[str, Any]]:
    params: Any = state.parameters
    if isinstance(params, list):
        return [dict(p) for p in params]
    return [dict(params)] if params else []


def _affected(state: ORMExecuteState, *columns: Any) -> list[sa.Row[Any]] | None:
    """``columns`` of the rows an update or delete will write (None: cannot tell)."""
    model = columns[0].class_
    rows = _rows(state)
    # By primary key: ``id``, or ``b_id`` as ``titiktemu.bulk.update_rows`` binds it.
    ids = [row.get("id", row.get("b_id")) for row in rows]
    ids = [i for i in ids if i is not None]
    where = getattr(state.statement, "whereclause", None)
    query = sa.select(*columns)
    if rows and len(ids) == len(rows):
        query = query.where(model.id.in_(ids))
    elif where is not None and not rows:
        query = query.where(where)
    else:
        return None
    return list(state.session.execute(query).all())


def _sets(state: ORMExecuteState) -> list[dict[str, Any]]:
    """The values a statement writes: its executemany rows, or those in the statement."""
    statement: Any = state.statement
    return _rows(state) or [dict(statement.compile().params)]


def _bulk_proposals(state: ORMExecuteState) -> list[Change] | None:
    sets = _sets(state)
    if any(row.get("status") == ACCEPTED for row in sets):
        return None  # an acceptance uses up capacity wherever its offer or person reaches
    if state.is_insert:
        if any("regency_code" not in row for row in sets):
            return None
        return [(str(row["regency_code"]), PROPOSAL, row.get("need_id")) for row in sets]
    found = _affected(state, Proposal.regency_code, Proposal.need_id, Proposal.status)
    if found is None or any(row.status == ACCEPTED for row in found):
        return None
    return [(row.regency_code, PROPOSAL, row.need_id) for row in found]


def _bulk_needs(state: ORMExecuteState) -> list[Change] | None:
    if state.is_insert:
        return None  # an import: ids not known before it runs
    found = _affected(state, Need.id, Need.kecamatan_code)
    moved = {row.get("kecamatan_code") for row in _sets(state)} - {None}
    if found is None or moved:
        return None
    return [(regency_of(row.kecamatan_code), NEED, row.id) for row in found]


def _bulk_offers(state: ORMExecuteState) -> list[Change] | None:
    if state.is_insert:
        return None
    found = _affected(state, Offer.id)
    if found is None:
        return None
    ids = [row.id for row in found]
    villages = sa.select(offer_villages.c.village_code).where(offer_villages.c.offer_id.in_(ids))
    kecamatan = sa.select(offer_kecamatan.c.kecamatan_code).where(
        offer_kecamatan.c.offer_id.in_(ids)
    )
    codes = set(state.session.scalars(villages)) | set(state.session.scalars(kecamatan))
    return [(regency_of(c), RELOAD, None) for c in codes]


_BULK = {"proposals": _bulk_proposals, "needs": _bulk_needs, "offers": _bulk_offers}


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    # Flush early only what the engine reads: other pending rows (an email marked sent) stay
    # pending for the commit's own flush, as every other before_commit listener expects.
    if any(type(row) in READ for row in (*session.new, *session.dirty, *session.deleted)):
        session.flush()
    pending: set[Change] = session.info.pop(_PENDING, set())
    if pending:
        bump(session, pending)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)


def bump(session: Session, changes: Iterable[Change]) -> dict[str, int]:
    """Add one to each changed regency's counter and log its changes under the new value;
    regencies in code order, so two transactions never wait for each other in a circle.
    Returns the new values."""
    by_regency: dict[str, set[tuple[str, int | None]]] = {}
    for code, kind, item in changes:
        entry = by_regency.setdefault(code, set())
        entry.add((kind, None if kind == RELOAD else item))
    versions: dict[str, int] = {}
    table: sa.Table = RegencyVersion.__table__  # type: ignore[assignment]
    log: sa.Table = RegencyChange.__table__  # type: ignore[assignment]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for code in sorted(by_regency):
        entries = sorted(by_regency[code], key=lambda c: (c[0], c[1] or 0))
        if dialect == "postgresql" and code != EVERY_REGENCY:
            version = _bump_and_log(session, code, entries)
        else:
            statement = (
                insert(table)
                .values(regency_code=code, version=1)
                .on_conflict_do_update(
                    index_elements=[table.c.regency_code], set_={"version": table.c.version + 1}
                )
                .returning(table.c.version)
            )
            if code == EVERY_REGENCY:
                versions[code] = int(session.execute(statement).scalar_one())
                continue
            version = int(session.execute(statement).scalar_one())
            session.execute(
                log.insert(),
                [
                    {"regency_code": code, "version": version, "kind": kind, "item_id": item}
                    for kind, item in entries
                ],
            )
        versions[code] = version
        if version > KEEP and version % PRUNE_EVERY == 0:
            session.execute(
                log.delete().where(log.c.regency_code == code, log.c.version <= version - KEEP)
            )
    return versions


def _bump_and_log(session: Session, code: str, entries: list[tuple[str, int | None]]) -> int:
    """PostgreSQL: the counter's upsert and the log of its changes in one statement (the log
    rows take the new value from the upsert's RETURNING); the new value."""
    values = {
        "code": code,
        "kinds": [kind for kind, _item in entries],
        "items": [item for _kind, item in entries],
    }
    return int(run(session, _BUMP_AND_LOG, values).scalar_one())


def _bump_and_log_statement() -> sa.Select[Any]:
    """The statement of ``_bump_and_log``, built once (every commit of the live path runs it):
    its regency and changes are bound parameters."""
    table: sa.Table = RegencyVersion.__table__  # type: ignore[assignment]
    log: sa.Table = RegencyChange.__table__  # type: ignore[assignment]
    code = sa.bindparam("code", type_=table.c.regency_code.type)
    bumped = (
        postgresql.insert(table)
        .values(regency_code=code, version=1)
        .on_conflict_do_update(
            index_elements=[table.c.regency_code], set_={"version": table.c.version + 1}
        )
        .returning(table.c.version)
        .cte("bumped")
    )
    changes = (
        sa.func.unnest(
            sa.bindparam("kinds", type_=postgresql.ARRAY(sa.Text)),
            sa.bindparam("items", type_=postgresql.ARRAY(sa.BigInteger)),
        )
        .table_valued("kind", "item_id")
        .render_derived(name="changes")
    )
    logged = (
        log.insert()
        .from_select(
            ["regency_code", "version", "kind", "item_id"],
            sa.select(code, bumped.c.version, changes.c.kind, changes.c.item_id).select_from(
                bumped.join(changes, sa.true())
            ),
        )
        .cte("logged")
    )
    return sa.select(bumped.c.version).add_cte(logged)


_BUMP_AND_LOG = _bump_and_log_statement()
