"""The year's reflection, for the forum's year-end *sarasehan*: what was planned and carried out,
overlaps raised and settled, collaborations proposed and decided, gaps still open, obstacles and
their lessons, per program and per kecamatan.

Definitions (the page says them too):

- an intervention is *of the year* when its dates touch the year; it is *carried out* when it
  ended by the year's end (or by today, for the current year);
- an overlap or a proposal is *of the year* when it was raised in the year; a proposal's
  outcome is its status now, and "needs met" counts the accepted ones whose need is fulfilled;
- gaps are the needs that nothing nearby can meet, as they stand today;
- obstacles are those met in the year.

Every figure is counted in Python from the rows read here, and the page, its charts and the
workbook all show these same ``Table`` objects, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.exports.tables import Table, Value, kecamatan_names
from titiktemu.i18n import N_, gettext
from titiktemu.models import (
    ExchangeStatus,
    FlagStatus,
    Gap,
    Intervention,
    Need,
    Obstacle,
    OverlapFlag,
    Program,
    Proposal,
    ProposalStatus,
    Village,
)
from titiktemu.models.interventions import running_in_year
from titiktemu.models.overlaps import overlap_flag_interventions
from titiktemu.obstacles.commands import KIND_NAMES

PROGRAM_COLUMNS = (
    "program_code",
    "program_name",
    "planned",
    "carried_out",
    "households_planned",
    "households_carried_out",
    "budget_planned_idr",
    "budget_carried_out_idr",
    "overlaps_raised",
    "overlaps_settled",
    "obstacles",
)
KECAMATAN_COLUMNS = (
    "kecamatan",
    "kecamatan_name",
    "planned",
    "carried_out",
    "households_planned",
    "households_carried_out",
    "budget_planned_idr",
    "budget_carried_out_idr",
    "overlaps_raised",
    "gaps_open",
    "obstacles",
)
OUTCOME_COLUMNS = ("what", "count")
#: The outcome rows in the reader's words (msgids of the one catalog).
OUTCOMES = {
    "raised": N_("Raised"),
    "resolved": N_("Resolved"),
    "allowed": N_("Allowed for the regency"),
    "still_open": N_("Still open"),
    "proposed": N_("Proposed"),
    "accepted": N_("Accepted"),
    "declined": N_("Declined"),
    "convene": N_("Marked for the forum"),
    "proposed_waiting": N_("Still waiting for review"),
    "needs_met": N_("Accepted, and the need is now met"),
}
STATUSES = {"open": N_("Open"), "resolved": N_("Resolved")}
OBSTACLE_COLUMNS = ("date", "village", "program_code", "kind", "status", "lesson")


@dataclass(frozen=True)
class Reflection:
    regency_code: str
    year: int
    programs: Table
    kecamatan: Table
    overlaps: Table
    collaborations: Table
    obstacles: Table

    @property
    def tables(self) -> tuple[Table, ...]:
        return (self.programs, self.kecamatan, self.overlaps, self.collaborations, self.obstacles)


@dataclass
class _Tally:
    planned: int = 0
    carried_out: int = 0
    households_planned: int = 0
    households_carried_out: int = 0
    budget_planned: int = 0
    budget_carried_out: int = 0
    overlaps_raised: int = 0
    overlaps_settled: int = 0
    gaps_open: int = 0
    obstacles: int = 0

    def add(self, item: Intervention, done: bool) -> None:
        self.planned += 1
        self.households_planned += item.households or 0
        self.budget_planned += item.budget_idr or 0
        if done:
            self.carried_out += 1
            self.households_carried_out += item.households or 0
            self.budget_carried_out += item.budget_idr or 0


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    return dt.datetime(year, 1, 1), dt.datetime(year + 1, 1, 1)


def build(
    session: Session, regency_code: str, year: int, today: dt.date, language: str = "id"
) -> Reflection:
    """The reflection of ``year`` in the regency, its words in ``language``."""

    def say(message: str) -> str:
        return gettext(message, language)

    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    done_by = min(last, today)
    programs = {p.id: p for p in session.scalars(sa.select(Program))}
    kecamatan = kecamatan_names(session, regency_code)
    per_program: dict[int, _Tally] = defaultdict(_Tally)
    per_kecamatan: dict[str, _Tally] = defaultdict(_Tally)
    interventions = session.scalars(
        sa.select(Intervention).where(running_in_year(regency_code, year))
    ).all()
    for item in interventions:
        done = item.end_date <= done_by
        per_program[item.program_id].add(item, done)
        per_kecamatan[item.village_code[:8]].add(item, done)

    start, end = _year_bounds(year)
    flags = session.execute(
        sa.select(OverlapFlag.id, OverlapFlag.status, OverlapFlag.village_code).where(
            OverlapFlag.regency_code == regency_code,
            OverlapFlag.created_at >= start,
            OverlapFlag.created_at < end,
        )
    ).all()
    flag_programs: dict[int, set[int]] = defaultdict(set)
    for flag_id, program_id in session.execute(
        sa.select(overlap_flag_interventions.c.flag_id, Intervention.program_id)
        .join(Intervention, Intervention.id == overlap_flag_interventions.c.intervention_id)
        .where(overlap_flag_interventions.c.flag_id.in_([f.id for f in flags]))
    ):
        flag_programs[flag_id].add(program_id)
    settled = (FlagStatus.RESOLVED, FlagStatus.ALLOWED)
    by_status: dict[FlagStatus, int] = defaultdict(int)
    for flag_id, status, village in flags:
        by_status[status] += 1
        per_kecamatan[village[:8]].overlaps_raised += 1
        for program_id in flag_programs[flag_id]:
            per_program[program_id].overlaps_raised += 1
            if status in settled:
                per_program[program_id].overlaps_settled += 1

    for (kecamatan_code,) in session.execute(
        sa.select(Need.kecamatan_code)
        .join(Gap, Gap.need_id == Need.id)
        .where(Gap.regency_code == regency_code, Need.status == ExchangeStatus.OPEN)
    ):
        per_kecamatan[kecamatan_code].gaps_open += 1

    obstacles = session.execute(
        sa.select(Obstacle, Village.name)
        .join(Village, Village.code == Obstacle.village_code)
        .where(
            Obstacle.regency_code == regency_code,
            Obstacle.happened_on >= first,
            Obstacle.happened_on <= last,
        )
        .order_by(Obstacle.happened_on, Obstacle.id)
    ).all()
    for obstacle, _village in obstacles:
        per_kecamatan[obstacle.village_code[:8]].obstacles += 1
        if obstacle.program_id is not None:
            per_program[obstacle.program_id].obstacles += 1

    return Reflection(
        regency_code=regency_code,
        year=year,
        programs=Table(
            "programs",
            PROGRAM_COLUMNS,
            [
                (
                    programs[pid].code,
                    programs[pid].name,
                    t.planned,
                    t.carried_out,
                    t.households_planned,
                    t.households_carried_out,
                    t.budget_planned,
                    t.budget_carried_out,
                    t.overlaps_raised,
                    t.overlaps_settled,
                    t.obstacles,
                )
                for pid, t in sorted(per_program.items(), key=lambda i: programs[i[0]].code)
            ],
        ),
        kecamatan=Table(
            "kecamatan",
            KECAMATAN_COLUMNS,
            [
                (
                    code,
                    kecamatan.get(code, code),
                    t.planned,
                    t.carried_out,
                    t.households_planned,
                    t.households_carried_out,
                    t.budget_planned,
                    t.budget_carried_out,
                    t.overlaps_raised,
                    t.gaps_open,
                    t.obstacles,
                )
                for code, t in sorted(per_kecamatan.items())
            ],
        ),
        overlaps=Table(
            "overlaps",
            OUTCOME_COLUMNS,
            [
                (say(OUTCOMES["raised"]), len(flags)),
                (say(OUTCOMES["resolved"]), by_status[FlagStatus.RESOLVED]),
                (say(OUTCOMES["allowed"]), by_status[FlagStatus.ALLOWED]),
                (
                    say(OUTCOMES["still_open"]),
                    by_status[FlagStatus.OPEN] + by_status[FlagStatus.ACKNOWLEDGED],
                ),
            ],
        ),
        collaborations=_collaborations(session, regency_code, start, end, say),
        obstacles=Table(
            "obstacles",
            OBSTACLE_COLUMNS,
            [
                (
                    o.happened_on,
                    village,
                    programs[o.program_id].code if o.program_id in programs else "",
                    say(KIND_NAMES[o.kind.value]),
                    say(STATUSES[o.status.value]),
                    o.lesson,
                )
                for o, village in obstacles
            ],
        ),
    )


def _collaborations(
    session: Session,
    regency_code: str,
    start: dt.datetime,
    end: dt.datetime,
    say: Callable[[str], str],
) -> Table:
    """Proposals raised in the year by their outcome now, and the accepted ones that met a need."""
    rows = session.execute(
        sa.select(Proposal.status, Need.status)
        .outerjoin(Need, Need.id == Proposal.need_id)
        .where(
            Proposal.regency_code == regency_code,
            Proposal.created_at >= start,
            Proposal.created_at < end,
            Proposal.status != ProposalStatus.OBSOLETE,
        )
    ).all()
    count: dict[str, int] = defaultdict(int)
    for status, need_status in rows:
        count[status.value] += 1
        if status == ProposalStatus.ACCEPTED and need_status == ExchangeStatus.FULFILLED:
            count["needs_met"] += 1
    outcomes: list[tuple[Value, ...]] = [(say(OUTCOMES["proposed"]), len(rows))]
    for what in ("accepted", "declined", "convene", "proposed_waiting", "needs_met"):
        key = "proposed" if what == "proposed_waiting" else what
        outcomes.append((say(OUTCOMES[what]), count[key]))
    return Table("collaborations", OUTCOME_COLUMNS, outcomes)
