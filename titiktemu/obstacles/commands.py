"""Record an obstacle, mark it resolved with its lesson, and find what a new plan should know.

Everyone of a regency sees its obstacles: they are its shared memory ("in Desa X, RTLH met
community refusal in 2021"), and they name no beneficiary. The person who recorded one, the
people of its program and the regency's coordinators may write its lesson and resolve it; the
status moves by a conditional write, so two people resolving at once resolve it once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from titiktemu.audit import record
from titiktemu.errors import Conflict, Invalid, NotAllowed, NotFound
from titiktemu.i18n import N_
from titiktemu.models import (
    Intervention,
    Obstacle,
    ObstacleKind,
    ObstacleStatus,
    Person,
    Program,
    Role,
    Village,
)
from titiktemu.models.base import utcnow
from titiktemu.models.places import regency_of, under
from titiktemu.visibility import works_for

#: The kinds as their headings say them (msgids of the one catalog; pages and reports share them).
KIND_NAMES: Final = {
    "community_refusal": N_("Community refusal"),
    "village_stakeholders": N_("Village stakeholders at odds"),
    "regency_politics": N_("Regency level or political pressure"),
    "data": N_("Data (lists, targeting)"),
    "budget": N_("Budget or disbursement"),
    "weather_disaster": N_("Weather or disaster"),
    "other": N_("Other"),
}
MIN_DESCRIPTION: Final = 10
MAX_TEXT: Final = 2000
#: Obstacles of the same activity elsewhere a form shows at most.
ELSEWHERE: Final = 3


@dataclass(frozen=True)
class ObstacleInput:
    kind: str
    description: str
    village_code: str = ""
    intervention_id: int | None = None
    happened_on: dt.date | None = None


def record_obstacle(
    session: Session, actor: Person, data: ObstacleInput, *, regency: str, today: dt.date
) -> Obstacle:
    """A new obstacle, on an intervention (its village, program and activity) or a village;
    audited. Not committed."""
    errors: dict[str, str] = {}
    try:
        kind = ObstacleKind(data.kind)
    except ValueError:
        kind = ObstacleKind.OTHER
        errors["kind"] = "choose what kind of obstacle it was"
    description = data.description.strip()
    if len(description) < MIN_DESCRIPTION:
        errors["description"] = f"say what happened, at least {MIN_DESCRIPTION} characters"
    elif len(description) > MAX_TEXT:
        errors["description"] = f"at most {MAX_TEXT} characters"
    happened = data.happened_on or today
    if happened > today:
        errors["happened_on"] = "an obstacle already met: not a date in the future"
    intervention = None
    if data.intervention_id is not None:
        intervention = session.get(Intervention, data.intervention_id)
        if intervention is None or intervention.regency_code != regency:
            raise NotFound(f"no intervention {data.intervention_id} in {regency}")
        village_code = intervention.village_code
    else:
        village_code = data.village_code
        if (
            not village_code
            or regency_of(village_code) != regency
            or session.get(Village, village_code) is None
        ):
            errors["village_code"] = "choose a village of the regency"
    if errors:
        raise Invalid(errors=errors)
    obstacle = Obstacle(
        regency_code=regency,
        village_code=village_code,
        intervention_id=intervention.id if intervention else None,
        program_id=intervention.program_id if intervention else None,
        category_code=intervention.category_code if intervention else None,
        kind=kind,
        happened_on=happened,
        description=description,
        reported_by=actor.id,
    )
    session.add(obstacle)
    session.flush()
    record(session, "obstacle.record", "obstacle", obstacle.id, actor.id, kind=kind.value)
    return obstacle


def may_update(session: Session, person: Person, obstacle: Obstacle) -> bool:
    """The reporter, the people of its program, the coordinators and admins of its regency."""
    if person.regency_code not in (None, obstacle.regency_code):
        return False
    if person.role in (Role.COORDINATOR, Role.ADMIN) or obstacle.reported_by == person.id:
        return True
    if obstacle.program_id is None:
        return False
    return works_for(session, person, obstacle.program_id)


def update_obstacle(
    session: Session,
    actor: Person,
    obstacle_id: int,
    *,
    lesson: str,
    resolve: bool,
    seen_status: ObstacleStatus,
) -> Obstacle:
    """Write the lesson, and resolve the obstacle (or open it again) if it is still as the
    person saw it; audited. Not committed."""
    obstacle = visible_obstacle(session, actor, obstacle_id)
    if not may_update(session, actor, obstacle):
        raise NotAllowed("only its reporter, its program's people and coordinators update it")
    lesson = lesson.strip()
    if len(lesson) > MAX_TEXT:
        raise Invalid(errors={"lesson": f"at most {MAX_TEXT} characters"})
    status = ObstacleStatus.RESOLVED if resolve else ObstacleStatus.OPEN
    moved = session.execute(
        sa.update(Obstacle)
        .where(Obstacle.id == obstacle_id, Obstacle.status == seen_status)
        .values(
            status=status,
            lesson=lesson,
            resolved_at=utcnow() if resolve else None,
        )
        .execution_options(synchronize_session="fetch")
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("someone changed this obstacle meanwhile: look at it again")
    record(
        session,
        "obstacle.update",
        "obstacle",
        obstacle_id,
        actor.id,
        status=status.value,
        lesson=bool(lesson),
    )
    session.refresh(obstacle)
    return obstacle


def visible_obstacle(session: Session, viewer: Person, obstacle_id: int) -> Obstacle:
    obstacle = session.get(Obstacle, obstacle_id)
    if obstacle is None or viewer.regency_code not in (None, obstacle.regency_code):
        raise NotFound(f"no obstacle {obstacle_id}")
    return obstacle


@dataclass(frozen=True)
class Warning:
    """What a form says before saving: an obstacle here, or of this activity elsewhere."""

    obstacle: Obstacle
    here: bool  # in the same village (else: the same activity elsewhere in the regency)


def warnings_for(
    session: Session,
    regency: str,
    village_code: str | None,
    category_code: str | None = None,
    kecamatan_code: str | None = None,
) -> list[Warning]:
    """The obstacles a plan in ``village_code`` (or anywhere in ``kecamatan_code``) should know
    of: every open one there, and the resolved ones there with a lesson; then, for an activity,
    the obstacles of that activity elsewhere in the regency that have a lesson (newest first)."""
    if village_code:
        place = Obstacle.village_code == village_code
    elif kecamatan_code:
        place = under(Obstacle.village_code, kecamatan_code)
    else:
        return []
    options = (joinedload(Obstacle.village), joinedload(Obstacle.program))
    here = session.scalars(
        sa.select(Obstacle)
        .options(*options)
        .where(
            Obstacle.regency_code == regency,
            place,
            sa.or_(Obstacle.status == ObstacleStatus.OPEN, Obstacle.lesson != ""),
        )
        .order_by(Obstacle.happened_on.desc(), Obstacle.id.desc())
        .limit(5)
    ).all()
    found = [Warning(o, here=True) for o in here]
    if category_code:
        elsewhere = session.scalars(
            sa.select(Obstacle)
            .options(*options)
            .where(
                Obstacle.regency_code == regency,
                Obstacle.category_code == category_code,
                Obstacle.lesson != "",
                Obstacle.id.not_in([o.id for o in here]),
            )
            .order_by(Obstacle.happened_on.desc(), Obstacle.id.desc())
            .limit(ELSEWHERE)
        ).all()
        found += [Warning(o, here=False) for o in elsewhere]
    return found


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    kecamatan: str | None = None
    program_id: int | None = None
    status: str | None = None


def obstacles_of(session: Session, regency: str, filters: Filters) -> list[Obstacle]:
    """The regency's obstacles, newest first, filtered by kind, kecamatan, program, status."""
    query = (
        sa.select(Obstacle)
        .options(joinedload(Obstacle.village), joinedload(Obstacle.program))
        .where(Obstacle.regency_code == regency)
        .order_by(Obstacle.happened_on.desc(), Obstacle.id.desc())
        .limit(200)
    )
    if filters.kind:
        query = query.where(Obstacle.kind == filters.kind)
    if filters.kecamatan:
        query = query.where(under(Obstacle.village_code, filters.kecamatan))
    if filters.program_id:
        query = query.where(Obstacle.program_id == filters.program_id)
    if filters.status:
        query = query.where(Obstacle.status == filters.status)
    return list(session.scalars(query).unique())


@dataclass(frozen=True)
class Tally:
    """Obstacles of the regency counted one way (by kind, kecamatan or program): open / all."""

    key: str
    label: str
    open: int
    total: int


def tallies(session: Session, regency: str) -> dict[str, list[Tally]]:
    """Counts by kind, by kecamatan and by program, for coordinators."""
    from titiktemu.models import Kecamatan

    open_ = sa.func.sum(sa.case((Obstacle.status == ObstacleStatus.OPEN, 1), else_=0))
    total = sa.func.count(Obstacle.id)
    where = Obstacle.regency_code == regency
    by_kind = [
        Tally(str(kind), str(kind), int(o or 0), int(t))
        for kind, o, t in session.execute(
            sa.select(Obstacle.kind, open_, total).where(where).group_by(Obstacle.kind)
        )
    ]
    kecamatan = sa.func.substr(Obstacle.village_code, 1, 8)
    names = dict(
        session.execute(
            sa.select(Kecamatan.code, Kecamatan.name).where(Kecamatan.regency_code == regency)
        ).all()
    )
    by_kecamatan = [
        Tally(str(code), names.get(str(code), str(code)), int(o or 0), int(t))
        for code, o, t in session.execute(
            sa.select(kecamatan, open_, total).where(where).group_by(kecamatan)
        )
    ]
    by_program = [
        Tally(str(pid or ""), code or "—", int(o or 0), int(t))
        for pid, code, o, t in session.execute(
            sa.select(Obstacle.program_id, Program.code, open_, total)
            .outerjoin(Program, Program.id == Obstacle.program_id)
            .where(where)
            .group_by(Obstacle.program_id, Program.code)
        )
    ]
    return {
        "kind": sorted(by_kind, key=lambda t: (-t.total, t.key)),
        "kecamatan": sorted(by_kecamatan, key=lambda t: t.label),
        "program": sorted(by_program, key=lambda t: t.label),
    }
