"""The regency sync report: counts per kecamatan and per program, then 3W, overlaps, proposals
and gaps, for the forum's "sinkronisasi data" meeting and for Bappeda.

The summary is counted from the very tables the report carries, so the two can never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.exports.tables import (
    Table,
    Value,
    flags_table,
    gaps_table,
    interventions_table,
    kecamatan_names,
    proposals_table,
)
from titiktemu.models import FlagStatus, Person, ProposalStatus, Regency, Village
from titiktemu.models.base import utcnow
from titiktemu.models.places import under
from titiktemu.overlaps.review import UNRESOLVED
from titiktemu.review.commands import OPEN_STATES

KECAMATAN_COLUMNS = (
    "kecamatan",
    "kecamatan_name",
    "villages",
    "villages_reached",
    "interventions",
    "programs",
    "households",
    "budget_idr",
    "open_overlaps",
    "open_proposals",
    "gaps",
)
PROGRAM_COLUMNS = (
    "program_code",
    "program_name",
    "agency",
    "interventions",
    "villages",
    "kecamatan",
    "households",
    "budget_idr",
    "open_overlaps",
    "open_proposals",
)
#: The report leaves out only what the engine itself no longer proposes.
REPORTED_PROPOSALS = tuple(s for s in ProposalStatus if s != ProposalStatus.OBSOLETE)
OPEN_FLAG_VALUES = {s.value for s in UNRESOLVED}
OPEN_PROPOSAL_VALUES = {s.value for s in OPEN_STATES}


@dataclass(frozen=True)
class SyncReport:
    regency_code: str
    regency_name: str
    generated_at: dt.datetime
    kecamatan: Table
    programs: Table
    interventions: Table
    overlaps: Table
    proposals: Table
    gaps: Table

    @property
    def details(self) -> tuple[Table, ...]:
        """The four detail tables, in the workbook's order."""
        return (self.interventions, self.overlaps, self.proposals, self.gaps)


def _records(table: Table) -> Iterable[dict[str, Value]]:
    for row in table.rows:
        yield dict(zip(table.columns, row, strict=True))


def _list(value: Value) -> list[str]:
    return value if isinstance(value, list) else []


def _int(value: Value) -> int:
    return value if isinstance(value, int) else 0


def _proposal_kecamatan(p: dict[str, Value]) -> set[str]:
    """Where a proposal is: its need's kecamatan, or every kecamatan a synergy names."""
    if p["kecamatan"]:
        return {str(p["kecamatan"])}
    return {entry[:8] for entry in _list(p["synergy_villages"])}


def _proposal_programs(p: dict[str, Value]) -> set[str]:
    named = {str(p["program_a"]), str(p["program_b"])} - {""}
    return named | set(_list(p["need_programs"])) | set(_list(p["helper_programs"]))


def build(session: Session, viewer: Person, regency_code: str, language: str = "id") -> SyncReport:
    """Everything the forum syncs on for one regency, as the viewer may see it."""
    interventions = interventions_table(session, viewer, regency_code, language=language)
    overlaps = flags_table(session, viewer, regency_code, tuple(FlagStatus), language)
    proposals = proposals_table(
        session, viewer, regency_code, statuses=REPORTED_PROPOSALS, language=language
    )
    gaps = gaps_table(session, viewer, regency_code, language=language)
    regency = session.get(Regency, regency_code)
    return SyncReport(
        regency_code=regency_code,
        regency_name=regency.name if regency else regency_code,
        generated_at=utcnow().replace(microsecond=0),
        kecamatan=_per_kecamatan(session, regency_code, interventions, overlaps, proposals, gaps),
        programs=_per_program(interventions, overlaps, proposals),
        interventions=interventions,
        overlaps=overlaps,
        proposals=proposals,
        gaps=gaps,
    )


def _per_kecamatan(
    session: Session,
    regency_code: str,
    interventions: Table,
    overlaps: Table,
    proposals: Table,
    gaps: Table,
) -> Table:
    villages = Counter(
        dict(
            session.execute(
                sa.select(Village.kecamatan_code, sa.func.count())
                .where(under(Village.code, regency_code))
                .group_by(Village.kecamatan_code)
            ).all()
        )
    )
    count: Counter[str] = Counter()
    households: Counter[str] = Counter()
    budget: Counter[str] = Counter()
    reached: dict[str, set[str]] = defaultdict(set)
    programs: dict[str, set[str]] = defaultdict(set)
    for i in _records(interventions):
        kec = str(i["kecamatan"])
        count[kec] += 1
        households[kec] += _int(i["households"])
        budget[kec] += _int(i["budget_idr"])
        reached[kec].add(str(i["village"]))
        programs[kec].add(str(i["program_code"]))
    open_flags = Counter(
        str(f["kecamatan"]) for f in _records(overlaps) if f["status"] in OPEN_FLAG_VALUES
    )
    open_proposals: Counter[str] = Counter()
    for p in _records(proposals):
        if p["status"] in OPEN_PROPOSAL_VALUES:
            open_proposals.update(_proposal_kecamatan(p))
    gap_count = Counter(str(g["kecamatan"]) for g in _records(gaps))
    rows: list[tuple[Value, ...]] = [
        (
            code,
            name,
            villages[code],
            len(reached[code]),
            count[code],
            len(programs[code]),
            households[code],
            budget[code],
            open_flags[code],
            open_proposals[code],
            gap_count[code],
        )
        for code, name in sorted(kecamatan_names(session, regency_code).items())
    ]
    return Table("summary_kecamatan", KECAMATAN_COLUMNS, rows)


def _per_program(interventions: Table, overlaps: Table, proposals: Table) -> Table:
    names: dict[str, tuple[str, str]] = {}
    count: Counter[str] = Counter()
    households: Counter[str] = Counter()
    budget: Counter[str] = Counter()
    villages: dict[str, set[str]] = defaultdict(set)
    kecamatan: dict[str, set[str]] = defaultdict(set)
    for i in _records(interventions):
        code = str(i["program_code"])
        names[code] = (str(i["program_name"]), str(i["agency"]))
        count[code] += 1
        households[code] += _int(i["households"])
        budget[code] += _int(i["budget_idr"])
        villages[code].add(str(i["village"]))
        kecamatan[code].add(str(i["kecamatan"]))
    open_flags: Counter[str] = Counter()
    for f in _records(overlaps):
        if f["status"] in OPEN_FLAG_VALUES:
            open_flags.update(set(_list(f["programs"])))
    open_proposals: Counter[str] = Counter()
    for p in _records(proposals):
        if p["status"] in OPEN_PROPOSAL_VALUES:
            open_proposals.update(_proposal_programs(p))
    rows: list[tuple[Value, ...]] = [
        (
            code,
            *names[code],
            count[code],
            len(villages[code]),
            len(kecamatan[code]),
            households[code],
            budget[code],
            open_flags[code],
            open_proposals[code],
        )
        for code in sorted(names)
    ]
    return Table("summary_programs", PROGRAM_COLUMNS, rows)
