"""Coordinators' decisions on overlap flags: acknowledge, resolve with a note, or allow the mix.

Plain functions that take the acting person, check the regency, write the audit line in the
caller's transaction and never commit. Each decision is a conditional write: of two taken at
once, one wins and the other gets ``AlreadyDecided``. Allowing a combination also queues a
rebuild of the regency, so other flags of the same program pair clear once the engine has looked
again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from graph.overlaps import HIGH as HIGH
from graph.overlaps import MEDIUM as MEDIUM
from graph.overlaps import severity_level as severity_level
from titiktemu.audit import record
from titiktemu.decisions import NotInRegency, NotReviewer, decide_on, reviewable
from titiktemu.errors import Invalid
from titiktemu.jobs import enqueue
from titiktemu.jobs.housekeeping import REBUILD_TASK
from titiktemu.models import (
    AllowedCombination,
    FlagStatus,
    Intervention,
    JobRun,
    OverlapFlag,
    Person,
    Program,
    Village,
)
from titiktemu.models.overlaps import overlap_flag_interventions

#: A flag still waiting for someone to act on it.
UNRESOLVED = (FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED)
#: Flags per page of the list: twenty cards stay well under a phone's 60 KB.
PER_PAGE = 20


class FlagError(Invalid, ValueError):
    """A decision on a flag that cannot be taken, with a message for the person who tried."""


@dataclass
class Allowed:
    flag: OverlapFlag
    #: The combinations this decision added (pairs already allowed are not repeated).
    added: list[AllowedCombination]
    job: JobRun


def visible_flag(session: Session, person: Person, flag_id: int) -> OverlapFlag | None:
    """The flag if this person may decide on it, else None (the caller answers 404)."""
    try:
        return reviewable_flag(session, person, flag_id)
    except (NotInRegency, NotReviewer):
        return None


@dataclass(frozen=True)
class ListedProgram:
    code: str


@dataclass(frozen=True)
class ListedIntervention:
    """What a flag's card shows of one of its interventions."""

    id: int
    title: str
    start_date: dt.date
    end_date: dt.date
    program: ListedProgram


@dataclass(frozen=True)
class ListedFlag:
    """A flag as the list shows it (its reasons and notes are on its own page)."""

    id: int
    village_code: str
    severity: float
    status: FlagStatus
    interventions: tuple[ListedIntervention, ...]


@dataclass
class FlagPage:
    """One page of a regency's flags, and how many there are in all."""

    items: list[ListedFlag]
    total: int
    page: int
    pages: int
    #: The names of the villages of the flags on the page, by code.
    villages: dict[str, str] = field(default_factory=dict)


def flags_of(
    session: Session,
    regency_code: str,
    statuses: tuple[FlagStatus, ...] = UNRESOLVED,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> FlagPage:
    """A regency's flags in these statuses, open first, most severe first, a page at a time: a
    busy regency holds thousands, and a page of them all would be megabytes on a phone.

    Plain values in two statements: the page (its ids from an index, with the total as a
    window count, then those flags with their villages), and the page's interventions."""
    where = (OverlapFlag.regency_code == regency_code, OverlapFlag.status.in_(statuses))
    page = max(1, page)
    rows = _listed(session, where, page, per_page)
    if not rows and page > 1:  # past the last page (an old link): show the last one
        total = session.scalar(sa.select(sa.func.count()).select_from(OverlapFlag).where(*where))
        page = max(1, -(-(total or 0) // per_page))
        rows = _listed(session, where, page, per_page)
    total = rows[0].total if rows else 0
    held = _interventions_of(session, [row.id for row in rows])
    return FlagPage(
        items=[
            ListedFlag(row.id, row.village_code, row.severity, row.status, held.get(row.id, ()))
            for row in rows
        ],
        total=total,
        page=page,
        pages=max(1, -(-total // per_page)),
        villages={row.village_code: row.name for row in rows if row.name is not None},
    )


def _listed(
    session: Session, where: tuple[sa.ColumnElement[bool], ...], page: int, per_page: int
) -> Sequence[sa.Row[Any]]:
    order = sa.case(
        {FlagStatus.OPEN.value: 0, FlagStatus.ACKNOWLEDGED.value: 1},
        value=OverlapFlag.status,
        else_=2,
    )
    # Joined before the limit, every flag of the regency met its village: 3 -> 1 ms.
    ids = (
        sa.select(
            OverlapFlag.id,
            order.label("rank"),
            OverlapFlag.severity,
            sa.func.count().over().label("total"),
        )
        .where(*where)
        .order_by(order, OverlapFlag.severity.desc(), OverlapFlag.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
        .subquery()
    )
    return session.execute(
        sa.select(
            ids.c.id,
            OverlapFlag.village_code,
            ids.c.severity,
            OverlapFlag.status,
            Village.name,
            ids.c.total,
        )
        .select_from(ids)
        .join(OverlapFlag, OverlapFlag.id == ids.c.id)
        .outerjoin(Village, Village.code == OverlapFlag.village_code)
        .order_by(ids.c.rank, ids.c.severity.desc(), ids.c.id)
    ).all()


def _interventions_of(
    session: Session, flag_ids: list[int]
) -> dict[int, tuple[ListedIntervention, ...]]:
    found: dict[int, list[ListedIntervention]] = {}
    if flag_ids:
        link = overlap_flag_interventions
        for flag_id, ident, title, start, end, program in session.execute(
            sa.select(
                link.c.flag_id,
                Intervention.id,
                Intervention.title,
                Intervention.start_date,
                Intervention.end_date,
                Program.code,
            )
            .join(Intervention, Intervention.id == link.c.intervention_id)
            .join(Program, Program.id == Intervention.program_id)
            .where(link.c.flag_id.in_(flag_ids))
            .order_by(link.c.flag_id, Intervention.id)
        ):
            found.setdefault(flag_id, []).append(
                ListedIntervention(ident, title, start, end, ListedProgram(program))
            )
    return {flag_id: tuple(listed) for flag_id, listed in found.items()}


def program_pairs(flag: OverlapFlag) -> list[tuple[int, int]]:
    """Every pair of different programs among the flag's interventions, smaller id first."""
    ids = sorted({i.program_id for i in flag.interventions})
    return list(combinations(ids, 2))


def reviewable_flag(session: Session, person: Person, flag_id: int) -> OverlapFlag:
    """The flag if ``person`` may decide on it; ``NotReviewer`` for a facilitator,
    ``NotInRegency`` when it is missing or another regency's."""
    return reviewable(session, person, OverlapFlag, flag_id)


def acknowledge(session: Session, person: Person, flag_id: int, note: str = "") -> OverlapFlag:
    """Seen, being looked into: the flag stays on the list but no longer reads as new (only an
    open flag: acknowledging never undoes a decision)."""
    flag = reviewable_flag(session, person, flag_id)
    decide_on(session, person, flag, FlagStatus.ACKNOWLEDGED, note.strip(), (FlagStatus.OPEN,))
    return flag


def resolve(session: Session, person: Person, flag_id: int, note: str) -> OverlapFlag:
    """Sorted out on the ground (lists merged, one program moved); the note says how."""
    note = note.strip()
    if not note:
        raise FlagError("resolving needs a note", {"note": "resolving needs a note"})
    flag = reviewable_flag(session, person, flag_id)
    decide_on(session, person, flag, FlagStatus.RESOLVED, note, UNRESOLVED)
    return flag


def allow(session: Session, person: Person, flag_id: int, note: str = "") -> Allowed:
    """These programs may work together here: allow every pair for the regency and rebuild."""
    flag = reviewable_flag(session, person, flag_id)
    note = note.strip()
    decide_on(session, person, flag, FlagStatus.ALLOWED, note, UNRESOLVED)  # only the winner allows
    existing = set(
        session.execute(
            sa.select(AllowedCombination.program_a_id, AllowedCombination.program_b_id).where(
                AllowedCombination.regency_code == flag.regency_code
            )
        )
    )
    added = []
    for a, b in program_pairs(flag):
        if (a, b) in existing:
            continue
        row = AllowedCombination(
            regency_code=flag.regency_code,
            program_a_id=a,
            program_b_id=b,
            note=note[:2000],
            created_by=person.id,
        )
        session.add(row)
        added.append(row)
    session.flush()
    for row in added:
        record(
            session,
            "combination.allowed",
            "allowed_combination",
            row.id,
            actor_id=person.id,
            regency=row.regency_code,
            programs=[row.program_a_id, row.program_b_id],
            flag=flag.id,
        )
    job = enqueue(session, REBUILD_TASK, flag.regency_code, regency_code=flag.regency_code)
    return Allowed(flag=flag, added=added, job=job)
