"""What people see of the links, each view audited: never another program's rows.

- A program's people (its members: facilitators, or a coordinator who works for it) see
  **their own** rows (by their ``ref``) that also appear in other
  programs' lists, and which programs (code, year, how sure): ``own_rows_elsewhere``.
- Coordinators see counts per village and program pair (``pair_counts``), a count under
  ``SMALL`` shown as "< 3", so a count never points at one family.
- An overlap flag of two interventions gains the household evidence (``household_evidence``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from titiktemu.audit import record
from titiktemu.beneficiaries.commands import is_member, may_manage
from titiktemu.errors import NotAllowed, NotFound
from titiktemu.models import (
    BeneficiaryLink,
    BeneficiaryList,
    BeneficiaryRow,
    OverlapFlag,
    Person,
    Program,
    Role,
    Village,
)

#: Counts below this are shown as "< 3".
SMALL: Final = 3


def small(count: int) -> str:
    """A count as shown: "< 3" for 1 and 2, so no one reads a single household out of it."""
    return f"< {SMALL}" if 0 < count < SMALL else str(count)


@dataclass(frozen=True)
class ListSummary:
    id: int
    program_code: str
    program_name: str
    year: int
    rows: int
    route: str
    legal_basis: str
    purpose: str
    created_at: str
    expires_at: str
    manageable: bool
    #: The viewer works for the program: they may see its rows found in other lists.
    member: bool


def lists_for(session: Session, viewer: Person, regency: str) -> list[ListSummary]:
    """The lists of the regency the viewer may see: all for coordinators and admins, their
    programs' for facilitators."""
    rows = session.execute(
        sa.select(BeneficiaryList, Program)
        .join(Program, Program.id == BeneficiaryList.program_id)
        .where(BeneficiaryList.regency_code == regency)
        .order_by(BeneficiaryList.year.desc(), Program.code)
    )
    found = []
    for item, program in rows:
        manageable = may_manage(session, viewer, program, regency)
        if viewer.role == Role.FACILITATOR and not manageable:
            continue
        found.append(
            ListSummary(
                item.id,
                program.code,
                program.name,
                item.year,
                item.rows,
                item.route,
                item.legal_basis.value,
                item.purpose,
                item.created_at.date().isoformat(),
                item.expires_at.isoformat(),
                manageable,
                is_member(session, viewer, program),
            )
        )
    return found


@dataclass
class OwnRow:
    """One of the viewer's program's rows found in other lists."""

    ref: str
    village: str
    #: (program code, year, strength) of each other list the row is in
    elsewhere: list[tuple[str, int, str]] = field(default_factory=list)


def own_rows_elsewhere(session: Session, viewer: Person, list_id: int) -> list[OwnRow]:
    """The rows of list ``list_id`` that other programs' lists also hold (audited view)."""
    found_list = session.get(BeneficiaryList, list_id)
    if found_list is None:
        raise NotFound(f"no beneficiary list {list_id}")
    if viewer.regency_code not in (None, found_list.regency_code) or not is_member(
        session, viewer, found_list.program
    ):
        raise NotAllowed("only the program's own people see its rows")
    mine, other = aliased(BeneficiaryRow), aliased(BeneficiaryRow)
    other_list = aliased(BeneficiaryList)
    links: list[tuple[str, str, str, int, str]] = []
    for own_column, other_column in (
        (BeneficiaryLink.row_a, BeneficiaryLink.row_b),
        (BeneficiaryLink.row_b, BeneficiaryLink.row_a),
    ):
        links += session.execute(
            sa.select(
                mine.ref, Village.name, Program.code, other_list.year, BeneficiaryLink.strength
            )
            .join(mine, mine.id == own_column)
            .join(other, other.id == other_column)
            .join(other_list, other_list.id == other.list_id)
            .join(Program, Program.id == other_list.program_id)
            .join(Village, Village.code == mine.village_code)
            .where(mine.list_id == list_id)
        ).all()
    by_ref: dict[str, OwnRow] = {}
    for ref, village, program, year, strength in sorted(links):
        row = by_ref.setdefault(ref, OwnRow(ref, village))
        entry = (program, year, strength)
        if entry not in row.elsewhere:
            row.elsewhere.append(entry)
    record(
        session,
        "beneficiaries.view_own",
        "beneficiary_list",
        list_id,
        viewer.id,
        rows=len(by_ref),
    )
    return sorted(by_ref.values(), key=lambda r: r.ref)


@dataclass(frozen=True)
class PairCount:
    """Households of list ``a`` also in list ``b``, in one village."""

    kecamatan: str
    village: str
    program_a: str
    year_a: int
    program_b: str
    year_b: int
    households: int

    @property
    def shown(self) -> str:
        return small(self.households)


@dataclass(frozen=True)
class _Pair:
    """One link seen from its two lists, the list of the program coded first on the left."""

    row: int  # the left row: the household counted
    village: str  # its village
    program: str
    year: int
    other_program: str
    other_year: int


def _linked_pairs(
    session: Session,
    regency: str,
    program_ids: Sequence[int] = (),
    village_code: str | None = None,
) -> list[_Pair]:
    """The regency's links as pairs of lists (only between ``program_ids``, only touching
    ``village_code``, when given): what the counts and a flag's evidence both count."""
    row_a, row_b = aliased(BeneficiaryRow), aliased(BeneficiaryRow)
    list_a, list_b = aliased(BeneficiaryList), aliased(BeneficiaryList)
    program_a, program_b = aliased(Program), aliased(Program)
    query = (
        sa.select(
            row_a.id,
            row_a.village_code,
            program_a.code,
            list_a.year,
            row_b.id,
            row_b.village_code,
            program_b.code,
            list_b.year,
        )
        .select_from(BeneficiaryLink)
        .join(row_a, row_a.id == BeneficiaryLink.row_a)
        .join(row_b, row_b.id == BeneficiaryLink.row_b)
        .join(list_a, list_a.id == row_a.list_id)
        .join(list_b, list_b.id == row_b.list_id)
        .join(program_a, program_a.id == list_a.program_id)
        .join(program_b, program_b.id == list_b.program_id)
        .where(BeneficiaryLink.regency_code == regency)
    )
    if program_ids:
        query = query.where(list_a.program_id.in_(program_ids), list_b.program_id.in_(program_ids))
    if village_code is not None:
        query = query.where(
            sa.or_(row_a.village_code == village_code, row_b.village_code == village_code)
        )
    pairs = []
    for a, va, pa, ya, b, vb, pb, yb in session.execute(query):
        if (pa, ya) > (pb, yb):  # count on the side coded first
            a, va, pa, ya, vb, pb, yb = b, vb, pb, yb, va, pa, ya
        pairs.append(_Pair(a, va, pa, ya, pb, yb))
    return pairs


def pair_counts(session: Session, viewer: Person, regency: str) -> list[PairCount]:
    """Per village and program pair: how many households of one list the other also holds
    (counted on the side of the program coded first). Coordinators and admins; audited."""
    if viewer.role == Role.FACILITATOR:
        raise NotAllowed("counts per village are for coordinators")
    households: dict[tuple[str, str, int, str, int], set[int]] = defaultdict(set)
    for p in _linked_pairs(session, regency):
        households[(p.village, p.program, p.year, p.other_program, p.other_year)].add(p.row)
    places = {
        code: (kecamatan, name)
        for code, kecamatan, name in session.execute(
            sa.select(Village.code, Village.kecamatan_code, Village.name).where(
                Village.code.in_(sorted({key[0] for key in households}))
            )
        )
    }
    counts = sorted(
        (
            PairCount(*places[village], pa, ya, pb, yb, len(rows))
            for (village, pa, ya, pb, yb), rows in households.items()
        ),
        key=lambda c: (c.kecamatan, c.village, c.program_a, c.year_a, c.program_b, c.year_b),
    )
    record(session, "beneficiaries.view_counts", "regency", regency, viewer.id, pairs=len(counts))
    return counts


@dataclass(frozen=True)
class Evidence:
    """Households of one program's list that another program's list also holds, in a village."""

    program: str
    year: int
    other_program: str
    other_year: int
    households: int

    @property
    def shown(self) -> str:
        return small(self.households)


def household_evidence(session: Session, viewer: Person, flag: OverlapFlag) -> list[Evidence]:
    """For an overlap flag: of each pair of its programs' lists, how many households in the
    flag's village both hold (counted on the side of the program coded first). Audited when
    there is something to show."""
    program_ids = sorted({i.program_id for i in flag.interventions})
    if len(program_ids) < 2:
        return []
    grouped: dict[tuple[str, int, str, int], set[int]] = defaultdict(set)
    for p in _linked_pairs(session, flag.regency_code, program_ids, flag.village_code):
        grouped[(p.program, p.year, p.other_program, p.other_year)].add(p.row)
    evidence = [Evidence(*key, len(rows)) for key, rows in sorted(grouped.items())]
    if evidence:
        record(
            session,
            "beneficiaries.view_flag",
            "overlap_flag",
            flag.id,
            viewer.id,
            pairs=len(evidence),
        )
    return evidence
