"""What one facilitator sees: their needs, offers, interventions and matches, and who else may look.

The rule: the owner sees and edits; a coordinator (or admin) of the object's regency may look,
read-only; everyone else is told it does not exist.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, QueryableAttribute, Session, selectinload

from graph.overlaps import severity_level as severity_level
from titiktemu import visibility
from titiktemu.models import (
    ExchangeStatus,
    Gap,
    Intervention,
    Need,
    Offer,
    OverlapFlag,
    Person,
    Proposal,
    ProposalStatus,
)
from titiktemu.models.overlaps import overlap_flag_interventions
from titiktemu.review.commands import may_review
from titiktemu.visibility import contact_visible as contact_visible

#: Proposals that no longer say anything to the people in them.
HIDDEN = visibility.HIDDEN

Item = TypeVar("Item", Need, Offer)


class Access(enum.IntEnum):
    NONE = 0
    READ = 1
    EDIT = 2


def access_to(person: Person, owner_id: int | None, regency_code: str | None) -> Access:
    """The owner edits; a coordinator or admin of the regency reads; the rest see nothing."""
    if owner_id is not None and owner_id == person.id:
        return Access.EDIT
    if regency_code is not None and may_review(person, regency_code):
        return Access.READ
    return Access.NONE


# Needs and offers ------------------------------------------------------------------------------


def _mine(
    session: Session, model: type[Item], person: Person, *shown: QueryableAttribute[Any]
) -> list[Item]:
    """Someone's needs or offers, open ones first, newest first, with the relations the list
    shows (``shown``) loaded up front rather than one query a row."""
    return list(
        session.scalars(
            sa.select(model)
            .where(model.person_id == person.id)
            .options(*(selectinload(relation) for relation in shown))
            .order_by((model.status != ExchangeStatus.OPEN), model.id.desc())
        )
    )


def my_needs(session: Session, person: Person) -> list[Need]:
    """My needs, open ones first, newest first."""
    return _mine(session, Need, person, Need.skills, Need.village, Need.kecamatan)


def my_offers(session: Session, person: Person) -> list[Offer]:
    """My offers, open ones first, newest first."""
    return _mine(session, Offer, person, Offer.skills, Offer.villages, Offer.kecamatan)


def match_counts(session: Session, column: InstrumentedAttribute[int | None]) -> dict[int, int]:
    """Live proposals per need (``Proposal.need_id``) or per offer (``Proposal.offer_id``)."""
    rows = session.execute(
        sa.select(column, sa.func.count())
        .where(column.is_not(None), Proposal.status.not_in(HIDDEN))
        .group_by(column)
    )
    return {int(key): int(n) for key, n in rows if key is not None}


def gap_of(session: Session, need_id: int) -> Gap | None:
    """Why nobody can meet this need yet, when the engine found nobody."""
    return session.scalars(sa.select(Gap).where(Gap.need_id == need_id)).first()


def proposals_of(
    session: Session, *, need_id: int | None = None, offer_id: int | None = None
) -> list[Proposal]:
    """The live proposals of one need or one offer, best first."""
    query = sa.select(Proposal).where(Proposal.status.not_in(HIDDEN))
    if need_id is not None:
        query = query.where(Proposal.need_id == need_id)
    if offer_id is not None:
        query = query.where(Proposal.offer_id == offer_id)
    return list(session.scalars(query.order_by(Proposal.score.desc(), Proposal.id)))


# Matches ---------------------------------------------------------------------------------------


def my_proposals(session: Session, person: Person) -> list[Proposal]:
    """Proposals where I own the need or the offer, or am the person proposed; accepted first."""
    order = sa.case(
        (Proposal.status == ProposalStatus.ACCEPTED, 0),
        (Proposal.status.in_([ProposalStatus.PROPOSED, ProposalStatus.CONVENE]), 1),
        else_=2,
    )
    return list(
        session.scalars(
            sa.select(Proposal)
            .where(visibility.proposals_involving(person.id), Proposal.status.not_in(HIDDEN))
            .options(
                selectinload(Proposal.need).selectinload(Need.person),
                selectinload(Proposal.offer).selectinload(Offer.person),
                selectinload(Proposal.person),
            )
            .order_by(order, Proposal.score.desc(), Proposal.id)
        )
    )


def my_proposal(session: Session, person: Person, proposal_id: int) -> Proposal | None:
    """The proposal if it involves me (obsolete ones too: an old email may link to it)."""
    return session.scalars(
        sa.select(Proposal).where(
            Proposal.id == proposal_id, visibility.proposals_involving(person.id)
        )
    ).first()


@dataclass(frozen=True)
class Sides:
    """A proposal seen by one of its people: what is needed, what meets it, and who is across."""

    need: Need | None
    offer: Offer | None
    other: Person | None
    i_need: bool  # I own the need (else I am the one who can help)


def sides(proposal: Proposal, person: Person) -> Sides:
    need_owner = proposal.need.person if proposal.need else None
    helper = proposal.offer.person if proposal.offer else proposal.person
    i_need = need_owner is not None and need_owner.id == person.id
    return Sides(proposal.need, proposal.offer, helper if i_need else need_owner, i_need)


# Interventions ---------------------------------------------------------------------------------


def _interventions(where: sa.ColumnElement[bool]) -> sa.Select[Intervention]:
    """Interventions for a list: the latest start first, with what the list shows loaded."""
    return (
        sa.select(Intervention)
        .where(where)
        .options(
            selectinload(Intervention.program),
            selectinload(Intervention.village),
            selectinload(Intervention.category),
        )
        .order_by(Intervention.start_date.desc(), Intervention.id.desc())
    )


def my_interventions(session: Session, person: Person) -> list[Intervention]:
    """Interventions I record, the latest start first."""
    return list(session.scalars(_interventions(visibility.interventions(person, mine=True))))


def regency_interventions(
    session: Session,
    viewer: Person,
    regency_code: str,
    kecamatan_code: str | None,
    page: int,
    per_page: int,
) -> tuple[list[Intervention], int]:
    """One page of the regency's interventions (or one kecamatan's) the viewer may see, and how
    many there are."""
    where = sa.and_(
        visibility.interventions(viewer),
        visibility.interventions_in(kecamatan_code or regency_code),
    )
    total = session.scalar(sa.select(sa.func.count()).select_from(Intervention).where(where)) or 0
    rows = session.scalars(
        _interventions(where).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(rows), total


def flag_counts(session: Session, intervention_ids: list[int]) -> dict[int, int]:
    """Overlap flags touching each intervention, for the badges of a list."""
    if not intervention_ids:
        return {}
    link = overlap_flag_interventions
    rows = session.execute(
        sa.select(link.c.intervention_id, sa.func.count())
        .where(link.c.intervention_id.in_(intervention_ids))
        .group_by(link.c.intervention_id)
    )
    return {int(i): int(n) for i, n in rows}


def flags_touching(session: Session, intervention_id: int) -> list[OverlapFlag]:
    """The overlap flags an intervention is part of, most severe first."""
    link = overlap_flag_interventions
    return list(
        session.scalars(
            sa.select(OverlapFlag)
            .join(link, link.c.flag_id == OverlapFlag.id)
            .where(link.c.intervention_id == intervention_id)
            .options(
                selectinload(OverlapFlag.interventions).selectinload(Intervention.program),
                selectinload(OverlapFlag.interventions).selectinload(Intervention.village),
                selectinload(OverlapFlag.interventions).selectinload(Intervention.facilitator),
            )
            .order_by(OverlapFlag.severity.desc(), OverlapFlag.id)
        )
    )
