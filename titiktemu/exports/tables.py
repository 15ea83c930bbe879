"""The registry tables people download: 3W, proposals, overlap flags and gaps, filtered like pages.

A :class:`Table` holds plain values (text, numbers, dates, lists) so every writer renders the
same rows. Reasons are written in the viewer's language with their weights, as the pages show them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from titiktemu import visibility
from titiktemu.imports.columns import COLUMNS
from titiktemu.matching.reason_text import Labels, labels_for, render_reason
from titiktemu.models import (
    ExchangeStatus,
    FlagStatus,
    Gap,
    Intervention,
    Kecamatan,
    Need,
    OverlapFlag,
    Person,
    Proposal,
    ProposalStatus,
    Village,
)
from titiktemu.models.places import under
from titiktemu.models.proposals import Reason
from titiktemu.overlaps.review import severity_level
from titiktemu.places.coverage import may_see_contact
from titiktemu.review import queue as review_queue

#: What a cell may hold; writers turn it into text, a number or a date.
Value = str | int | float | dt.date | dt.datetime | list[str] | None


@dataclass(frozen=True)
class Table:
    """A named table: ``name`` is stable (file and sheet names), ``columns`` its header."""

    name: str
    columns: tuple[str, ...]
    rows: list[tuple[Value, ...]]


def reason_texts(reasons: Sequence[Reason], language: str, labels: Labels) -> str:
    """The reasons in words, weighted ones with their weight, ``; ``-joined."""
    parts = []
    for r in reasons:
        text = render_reason(r, language, labels)
        if not text:
            continue
        weight = r.get("weight")
        parts.append(f"{text} ({weight:g})" if isinstance(weight, int | float) and weight else text)
    return "; ".join(str(p) for p in parts)


def kecamatan_names(session: Session, regency_code: str) -> dict[str, str]:
    return dict(
        session.execute(
            sa.select(Kecamatan.code, Kecamatan.name).where(Kecamatan.regency_code == regency_code)
        ).all()
    )


def village_names(session: Session, regency_code: str) -> dict[str, str]:
    return dict(
        session.execute(
            sa.select(Village.code, Village.name).where(under(Village.code, regency_code))
        ).all()
    )


# --- 3W -----------------------------------------------------------------------------------------

#: Read-only columns after the import contract: they help people read, the import ignores them.
INTERVENTION_EXTRA = (
    "id",
    "program_name",
    "agency",
    "village_name",
    "kecamatan",
    "kecamatan_name",
    "activity_label",
    "budget_year",
)


def interventions_query(
    viewer: Person, regency_code: str, kecamatan: str | None = None
) -> sa.Select[Any]:
    """The regency's (or one kecamatan's) interventions the viewer may see, with what a row
    shows, oldest id first."""
    return (
        sa.select(Intervention)
        .where(
            visibility.interventions(viewer),
            visibility.interventions_in(kecamatan or regency_code),
        )
        .options(
            selectinload(Intervention.program),
            selectinload(Intervention.village).selectinload(Village.kecamatan),
            selectinload(Intervention.category),
            selectinload(Intervention.facilitator),
        )
        .order_by(Intervention.id)
    )


def interventions_table(
    session: Session,
    viewer: Person,
    regency_code: str,
    kecamatan: str | None = None,
    language: str = "id",
) -> Table:
    """The 3W registry in the import's columns (an export imports back unchanged), then extras.

    A facilitator's email is written only where the viewer may see contacts, else left empty.
    """
    rows: list[tuple[Value, ...]] = []
    for i in session.scalars(interventions_query(viewer, regency_code, kecamatan)):
        who = i.facilitator
        email = who.email if who is not None and may_see_contact(viewer, who) else ""
        rows.append(
            (
                i.program.code,
                i.village_code,
                i.category_code,
                i.start_date,
                i.end_date,
                i.households,
                i.budget_idr,
                email,
                i.title,
                i.id,
                i.program.name,
                i.program.agency,
                i.village.name,
                i.village.kecamatan_code,
                i.village.kecamatan.name,
                i.category.label(language),
                i.budget_year,
            )
        )
    return Table("3w", COLUMNS["interventions"] + INTERVENTION_EXTRA, rows)


# --- Proposals ----------------------------------------------------------------------------------

PROPOSAL_COLUMNS = (
    "id",
    "kind",
    "rank",
    "status",
    "score",
    "need_id",
    "need_title",
    "need_person_id",
    "need_person",
    "need_programs",
    "offer_id",
    "offer_title",
    "helper_id",
    "helper",
    "helper_programs",
    "program_a_id",
    "program_a",
    "program_b_id",
    "program_b",
    "kecamatan",
    "kecamatan_name",
    "village",
    "village_name",
    "synergy_villages",
    "reasons",
    "reviewer",
    "decided_at",
    "decision_note",
    "created_at",
)


def _proposals_query(
    session: Session,
    viewer: Person,
    regency_code: str,
    filters: review_queue.QueueFilter,
    statuses: Sequence[ProposalStatus],
) -> sa.Select[Any]:
    """The queue's own filter for each status, united: the same rows the queue pages through."""
    cutoff = review_queue.overdue_cutoff(session, regency_code)
    ids = sa.union_all(
        *(
            review_queue.filtered(regency_code, replace(filters, status=s), cutoff)
            .with_only_columns(Proposal.id)
            .order_by(None)
            for s in statuses
        )
    ).subquery()
    return sa.select(Proposal).where(
        Proposal.id.in_(sa.select(ids.c[0])), visibility.proposals(viewer)
    )


def _codes(people: Person | None) -> list[str]:
    return [p.code for p in people.programs] if people is not None else []


def proposals_table(
    session: Session,
    viewer: Person,
    regency_code: str,
    filters: review_queue.QueueFilter | None = None,
    statuses: Sequence[ProposalStatus] | None = None,
    language: str = "id",
) -> Table:
    """Proposals as the review queue filters them (all of ``statuses``; by default the filter's
    own), best score first, both sides, reasons in words and the decision."""
    f = filters or review_queue.QueueFilter()
    query = _proposals_query(session, viewer, regency_code, f, statuses or (f.status,))
    found = session.scalars(
        query.options(*review_queue.card_loads(), selectinload(Proposal.reviewer)).order_by(
            Proposal.score.desc(), Proposal.id
        )
    ).all()
    villages = village_names(session, regency_code)
    kecamatan = kecamatan_names(session, regency_code)
    rows: list[tuple[Value, ...]] = []
    for p in found:
        need, offer = p.need, p.offer
        helper = offer.person if offer is not None else p.person
        need_owner = need.person if need is not None else None
        kec = need.kecamatan_code if need is not None else ""
        village = need.village_code if need is not None and need.village_code else ""
        rows.append(
            (
                p.id,
                p.kind.value,
                p.rank,
                p.status.value,
                round(p.score, 4),
                need.id if need else None,
                need.title if need else "",
                need_owner.id if need_owner else None,
                need_owner.name if need_owner else "",
                _codes(need_owner),
                offer.id if offer else None,
                offer.title if offer else "",
                helper.id if helper else None,
                helper.name if helper else "",
                _codes(helper),
                p.program_a_id,
                p.program_a.code if p.program_a else "",
                p.program_b_id,
                p.program_b.code if p.program_b else "",
                kec,
                kecamatan.get(kec, ""),
                village,
                villages.get(village, ""),
                [f"{c} {villages.get(c, '')}".strip() for c in p.village_codes],
                reason_texts(p.reasons, language, labels_for(session)),
                p.reviewer.name if p.reviewer else "",
                p.decided_at,
                p.decision_note,
                p.created_at,
            )
        )
    return Table("proposals", PROPOSAL_COLUMNS, rows)


# --- Overlap flags ------------------------------------------------------------------------------

FLAG_COLUMNS = (
    "id",
    "village",
    "village_name",
    "kecamatan",
    "kecamatan_name",
    "severity",
    "level",
    "status",
    "intervention_ids",
    "programs",
    "interventions",
    "reasons",
    "reviewer",
    "decided_at",
    "decision_note",
)


def flags_table(
    session: Session,
    viewer: Person,
    regency_code: str,
    statuses: Sequence[FlagStatus] = tuple(FlagStatus),
    language: str = "id",
) -> Table:
    """Overlap flags in these statuses, as the overlaps page orders them."""
    found = session.scalars(
        sa.select(OverlapFlag)
        .where(
            visibility.flags(viewer),
            OverlapFlag.regency_code == regency_code,
            OverlapFlag.status.in_(statuses),
        )
        .options(
            selectinload(OverlapFlag.interventions).selectinload(Intervention.program),
            selectinload(OverlapFlag.reviewer),
        )
        .order_by(
            sa.case(
                {FlagStatus.OPEN.value: 0, FlagStatus.ACKNOWLEDGED.value: 1},
                value=OverlapFlag.status,
                else_=2,
            ),
            OverlapFlag.severity.desc(),
            OverlapFlag.id,
        )
    ).all()
    villages = village_names(session, regency_code)
    kecamatan = kecamatan_names(session, regency_code)
    rows: list[tuple[Value, ...]] = []
    for flag in found:
        kec = flag.village_code[:8]
        rows.append(
            (
                flag.id,
                flag.village_code,
                villages.get(flag.village_code, ""),
                kec,
                kecamatan.get(kec, ""),
                round(flag.severity, 4),
                severity_level(flag.severity),
                flag.status.value,
                [str(i.id) for i in flag.interventions],
                sorted({i.program.code for i in flag.interventions}),
                [f"{i.program.code}: {i.title}" for i in flag.interventions],
                reason_texts(flag.reasons, language, labels_for(session)),
                flag.reviewer.name if flag.reviewer else "",
                flag.decided_at,
                flag.decision_note,
            )
        )
    return Table("overlaps", FLAG_COLUMNS, rows)


# --- Gaps ---------------------------------------------------------------------------------------

GAP_COLUMNS = (
    "need_id",
    "title",
    "owner_id",
    "owner",
    "owner_programs",
    "village",
    "village_name",
    "kecamatan",
    "kecamatan_name",
    "skills",
    "needed_from",
    "needed_until",
    "reasons",
)


def gaps_table(
    session: Session,
    viewer: Person,
    regency_code: str,
    kecamatan: str | None = None,
    language: str = "id",
) -> Table:
    """Open needs nobody can meet (as the coverage page counts them), with why."""
    query = (
        sa.select(Gap)
        .join(Need, Need.id == Gap.need_id)
        .where(
            visibility.gaps(viewer),
            Gap.regency_code == regency_code,
            Need.status == ExchangeStatus.OPEN,
        )
        .options(
            selectinload(Gap.need).selectinload(Need.person).selectinload(Person.programs),
            selectinload(Gap.need).selectinload(Need.skills),
            selectinload(Gap.need).selectinload(Need.village),
            selectinload(Gap.need).selectinload(Need.kecamatan),
        )
        .order_by(Need.kecamatan_code, Need.id)
    )
    if kecamatan:
        query = query.where(Need.kecamatan_code == kecamatan)
    rows: list[tuple[Value, ...]] = []
    for gap in session.scalars(query):
        need = gap.need
        rows.append(
            (
                need.id,
                need.title,
                need.person_id,
                need.person.name,
                _codes(need.person),
                need.village_code or "",
                need.village.name if need.village else "",
                need.kecamatan_code,
                need.kecamatan.name,
                [s.code for s in need.skills],
                need.needed_from,
                need.needed_until,
                reason_texts(gap.reasons, language, labels_for(session)),
            )
        )
    return Table("gaps", GAP_COLUMNS, rows)
