"""Proposals: a coordinator reads the regency's and decides (through the review service, so the
audit and the introductions happen as on the page); a facilitator reads those involving them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased, joinedload, selectinload

from titiktemu import visibility
from titiktemu.app import settings_of
from titiktemu.exchange.facilitator import contact_visible, my_proposal, sides
from titiktemu.extensions import db
from titiktemu.models import Need, Offer, Person, Program, Proposal, ProposalKind, ProposalStatus
from titiktemu.review.commands import decide, reviewable_proposal, visible_proposal
from titiktemu.review.queue import in_kecamatan, touching_program
from web.api.auth import caller
from web.api.etags import check_if_match, etag_of
from web.api.pagination import page_of
from web.api.problems import ApiProblem
from web.api.schemas.common import IdPath, Ref, reasons_in_text, reasons_of
from web.api.schemas.proposals import (
    Contact,
    DecisionIn,
    DeclineIn,
    ProposalOut,
    ProposalPage,
    ProposalQuery,
)
from web.api.spec import operation


def sides_of(row: Proposal | _Listed) -> list[Ref]:
    """The need first, then the offer or the person; or the two programs of a synergy."""
    if row.kind == ProposalKind.PROGRAM_SYNERGY:
        return [
            Ref(type="program", id=p.id, title=p.name)
            for p in (row.program_a, row.program_b)
            if p is not None
        ]
    sides = []
    if row.need is not None:
        sides.append(Ref(type="need", id=row.need.id, title=row.need.title))
    if row.kind == ProposalKind.NEED_OFFER and row.offer is not None:
        sides.append(Ref(type="offer", id=row.offer.id, title=row.offer.title))
    if row.kind == ProposalKind.NEED_PERSON and row.person is not None:
        sides.append(Ref(type="person", id=row.person.id, title=row.person.name))
    return sides


def contact_of(row: Proposal, viewer: Person, involved: bool | None = None) -> Contact | None:
    """The other side's contact, once accepted, for someone in the proposal. ``involved``:
    whether the viewer is in it, when the caller already asked (a list asks once a page)."""
    if not contact_visible(row):
        return None
    if involved is None:
        involved = my_proposal(db.session(), viewer, row.id) is not None
    if not involved:
        return None
    other = sides(row, viewer).other
    if other is None:
        return None
    return Contact(id=other.id, name=other.name, email=other.email, phone=other.phone)


@dataclass(frozen=True)
class _Named:
    id: int
    title: str

    @property
    def name(self) -> str:
        return self.title


@dataclass(frozen=True)
class _Listed:
    """A proposal as the list reads it, in plain values: what :func:`proposal_out` and
    :func:`sides_of` ask of a mapped one, its sides as ids and titles only."""

    id: int
    kind: ProposalKind
    rank: int | None
    score: float
    status: ProposalStatus
    regency_code: str
    village_codes: list[str]
    #: The stored reasons as JSON text (``reasons_in_text`` keeps what it builds by it).
    reasons_text: str | None
    reviewer_id: int | None
    decided_at: dt.datetime | None
    decision_note: str
    created_at: dt.datetime
    need: _Named | None
    offer: _Named | None
    person: _Named | None
    program_a: _Named | None
    program_b: _Named | None


def proposal_out(
    row: Proposal | _Listed,
    viewer: Person,
    involved: bool | None = None,
    contact: Contact | None = None,
) -> ProposalOut:
    """The proposal as the API shows it; ``contact`` given for a listed row (which carries no
    people), else read from the mapped proposal."""
    return ProposalOut(
        id=row.id,
        kind=row.kind,
        rank=row.rank,
        score=row.score,
        status=row.status,
        regency_code=row.regency_code,
        sides=sides_of(row),
        village_codes=list(row.village_codes),
        reasons=(
            reasons_in_text(row.reasons_text)
            if isinstance(row, _Listed)
            else reasons_of(row.reasons)
        ),
        reviewer_id=row.reviewer_id,
        decided_at=row.decided_at,
        decision_note=row.decision_note,
        contact=contact if isinstance(row, _Listed) else contact_of(row, viewer, involved),
        created_at=row.created_at,
    )


def _filtered(select: sa.Select[Any], query: ProposalQuery) -> sa.Select[Any]:
    """The review queue's filters (``titiktemu.review.queue``), any status."""
    if query.status is not None:
        select = select.where(Proposal.status == query.status)
    if query.kind is not None:
        select = select.where(Proposal.kind == query.kind)
    if query.min_score > 0:
        select = select.where(Proposal.score >= query.min_score)
    if query.kecamatan is not None:
        select = select.where(in_kecamatan(query.kecamatan))
    if query.program is not None:
        select = select.where(touching_program(query.program))
    return select


def _visible(proposal_id: int) -> Proposal:
    viewer = caller()
    found = visible_proposal(db.session(), viewer, proposal_id) or my_proposal(
        db.session(), viewer, proposal_id
    )
    if found is None:
        raise ApiProblem(404, "No such proposal.")
    return found


@operation(
    "GET",
    "/proposals",
    tag="Proposals",
    summary="List proposals",
    query=ProposalQuery,
    response=ProposalPage,
)
def list_proposals(query: ProposalQuery) -> ProposalPage:
    """A coordinator: every proposal of the regency. A facilitator: the live ones where they
    own the need or the offer or are the person proposed."""
    viewer = caller()
    select = _filtered(sa.select(Proposal.id).where(visibility.proposals(viewer)), query)
    found, cursor = page_of(db.session(), select, Proposal.id, query, then=_listed_page)
    rows = [_listed(row) for row in found]
    mine = _involving(viewer, [r.id for r in rows if contact_visible(r)])
    contacts = _contacts(viewer, mine)
    return ProposalPage(
        items=[proposal_out(r, viewer, contact=contacts.get(r.id)) for r in rows],
        next_cursor=cursor,
    )


# The list's columns and joins: each side's id and title in the page's one statement (a
# mapped proposal with its need, offer, person and programs took a third of the request).
_need, _offer, _person = aliased(Need), aliased(Offer), aliased(Person)
_program_a, _program_b = aliased(Program), aliased(Program)
_LISTED = (
    Proposal.id,
    Proposal.kind,
    Proposal.rank,
    Proposal.score,
    Proposal.status,
    Proposal.regency_code,
    Proposal.village_codes,
    sa.cast(Proposal.reasons, sa.Text),
    Proposal.reviewer_id,
    Proposal.decided_at,
    Proposal.decision_note,
    Proposal.created_at,
    _need.id,
    _need.title,
    _offer.id,
    _offer.title,
    _person.id,
    _person.name,
    _program_a.id,
    _program_a.name,
    _program_b.id,
    _program_b.name,
)


def _listed_page(page: sa.Subquery) -> sa.Select[Any]:
    """The page's proposals, in order, each joined to its sides' ids and titles: written from
    the page, PostgreSQL joins its fifty rows (more joins than join_collapse_limit keep their
    order), not every proposal of a kecamatan before keeping fifty."""
    joined = (
        page.join(Proposal, Proposal.id == page.c.id)
        .outerjoin(_need, _need.id == Proposal.need_id)
        .outerjoin(_offer, _offer.id == Proposal.offer_id)
        .outerjoin(_person, _person.id == Proposal.person_id)
        .outerjoin(_program_a, _program_a.id == Proposal.program_a_id)
        .outerjoin(_program_b, _program_b.id == Proposal.program_b_id)
    )
    statement = sa.select(*_LISTED).select_from(joined).order_by(page.c.id)
    return cast("sa.Select[Any]", statement)  # 22 columns: rows of Any


def _listed(row: sa.Row[Any]) -> _Listed:
    (
        ident, kind, rank, score, status, regency_code, village_codes, reasons_text, reviewer_id,
        decided_at, decision_note, created_at,
        need_id, need_title, offer_id, offer_title, person_id, person_name,
        a_id, a_name, b_id, b_name,
    ) = tuple(row)  # fmt: skip

    def named(key: int | None, title: str | None) -> _Named | None:
        return None if key is None else _Named(key, title or "")

    return _Listed(
        id=ident,
        kind=kind,
        rank=rank,
        score=score,
        status=status,
        regency_code=regency_code,
        village_codes=list(village_codes or ()),
        reasons_text=reasons_text,
        reviewer_id=reviewer_id,
        decided_at=decided_at,
        decision_note=decision_note,
        created_at=created_at,
        need=named(need_id, need_title),
        offer=named(offer_id, offer_title),
        person=named(person_id, person_name),
        program_a=named(a_id, a_name),
        program_b=named(b_id, b_name),
    )


def _contacts(viewer: Person, ids: set[int]) -> dict[int, Contact]:
    """The other side's contact for each of these accepted proposals the viewer is in: the
    mapped proposals with their sides' people, in two statements for the page."""
    if not ids:
        return {}
    proposals = db.session.scalars(
        sa.select(Proposal)
        .where(Proposal.id.in_(sorted(ids)))
        .options(
            selectinload(Proposal.need).joinedload(Need.person),
            selectinload(Proposal.offer).joinedload(Offer.person),
            joinedload(Proposal.person),
        )
    ).all()
    found = {p.id: contact_of(p, viewer, True) for p in proposals}
    return {key: contact for key, contact in found.items() if contact is not None}


def _involving(viewer: Person, ids: list[int]) -> set[int]:
    """Which of these proposals the viewer is part of, in one query (not one per row)."""
    if not ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(Proposal.id).where(
                Proposal.id.in_(ids), visibility.proposals_involving(viewer.id)
            )
        )
    )


@operation(
    "GET",
    "/proposals/{id}",
    tag="Proposals",
    summary="One proposal",
    path_params=IdPath,
    response=ProposalOut,
    errors=(404,),
)
def get_proposal(id: int) -> ProposalOut:
    """Both sides, the rank, the score and its reasons, and what was decided."""
    return proposal_out(_visible(id), caller())


def _decide(proposal_id: int, decision: ProposalStatus, note: str) -> ProposalOut:
    """Through the command the page calls; its refusals answer by kind (403 not a coordinator,
    404 not of their regency, 422 a decline without a reason, 409 someone decided first: who,
    what and when)."""
    reviewer = caller()
    proposal = reviewable_proposal(db.session(), reviewer, proposal_id)
    check_if_match(etag_of(proposal_out(proposal, reviewer).model_dump_json().encode()))
    decide(db.session(), settings_of(current_app), reviewer, proposal.id, decision, note)
    db.session.commit()  # the introductions go out once this commits
    return proposal_out(proposal, reviewer)


DECISION_ERRORS = (403, 404, 409, 412)


@operation(
    "POST",
    "/proposals/{id}/accept",
    tag="Proposals",
    summary="Accept a proposal (coordinators)",
    path_params=IdPath,
    body=DecisionIn,
    body_required=False,
    response=ProposalOut,
    errors=DECISION_ERRORS,
)
def accept_proposal(id: int, body: DecisionIn) -> ProposalOut:
    """Both sides get an introduction by email. 409 once decided; 412 when `If-Match` names an
    older version."""
    return _decide(id, ProposalStatus.ACCEPTED, body.note)


@operation(
    "POST",
    "/proposals/{id}/decline",
    tag="Proposals",
    summary="Decline a proposal with a reason (coordinators)",
    path_params=IdPath,
    body=DeclineIn,
    response=ProposalOut,
    errors=DECISION_ERRORS,
)
def decline_proposal(id: int, body: DeclineIn) -> ProposalOut:
    """The reason is required, as on the page."""
    return _decide(id, ProposalStatus.DECLINED, body.reason)


@operation(
    "POST",
    "/proposals/{id}/convene",
    tag="Proposals",
    summary="Mark a proposal for the forum meeting (coordinators)",
    path_params=IdPath,
    body=DecisionIn,
    body_required=False,
    response=ProposalOut,
    errors=DECISION_ERRORS,
)
def convene_proposal(id: int, body: DecisionIn) -> ProposalOut:
    """To be discussed at the next forum; it can still be accepted or declined later."""
    return _decide(id, ProposalStatus.CONVENE, body.note)
