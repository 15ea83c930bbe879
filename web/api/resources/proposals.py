"""Proposals: a coordinator reads the regency's and decides (through the review service, so the
audit and the introductions happen as on the page); a facilitator reads those involving them."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from titiktemu import visibility
from titiktemu.app import settings_of
from titiktemu.exchange.facilitator import contact_visible, my_proposal, sides
from titiktemu.extensions import db
from titiktemu.models import Person, Proposal, ProposalKind, ProposalStatus
from titiktemu.review.commands import decide, reviewable_proposal, visible_proposal
from titiktemu.review.queue import in_kecamatan, touching_program
from web.api.auth import caller
from web.api.etags import check_if_match, etag_of
from web.api.pagination import page_of
from web.api.problems import ApiProblem
from web.api.schemas.common import IdPath, Ref, reasons_of
from web.api.schemas.proposals import (
    Contact,
    DecisionIn,
    DeclineIn,
    ProposalOut,
    ProposalPage,
    ProposalQuery,
)
from web.api.spec import operation


def sides_of(row: Proposal) -> list[Ref]:
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


def proposal_out(row: Proposal, viewer: Person, involved: bool | None = None) -> ProposalOut:
    return ProposalOut(
        id=row.id,
        kind=row.kind,
        rank=row.rank,
        score=row.score,
        status=row.status,
        regency_code=row.regency_code,
        sides=sides_of(row),
        village_codes=list(row.village_codes),
        reasons=reasons_of(row.reasons),
        reviewer_id=row.reviewer_id,
        decided_at=row.decided_at,
        decision_note=row.decision_note,
        contact=contact_of(row, viewer, involved),
        created_at=row.created_at,
    )


def _filtered(select: sa.Select[Proposal], query: ProposalQuery) -> sa.Select[Proposal]:
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
    select = _filtered(sa.select(Proposal).where(visibility.proposals(viewer)), query).options(
        *_loads()
    )
    rows, cursor = page_of(db.session(), select, Proposal.id, query)
    mine = _involving(viewer, [r.id for r in rows if contact_visible(r)])
    held = _people_to_contact([r for r in rows if r.id in mine])  # noqa: F841 - kept in session
    return ProposalPage(
        items=[proposal_out(r, viewer, r.id in mine) for r in rows], next_cursor=cursor
    )


def _loads() -> list[LoaderOption]:
    """What the items show besides the proposal: the person and the programs joined in (a row
    each at most, from small tables), each side in one statement more. The sides' people only
    for a contact (:func:`_people_to_contact`): a coordinator's page shows none, and loading
    a hundred people for nothing took a tenth of its time."""
    return [
        selectinload(Proposal.need),
        selectinload(Proposal.offer),
        joinedload(Proposal.person),
        joinedload(Proposal.program_a),
        joinedload(Proposal.program_b),
    ]


def _people_to_contact(rows: list[Proposal]) -> list[Person]:
    """The people on the sides of these proposals, in one statement, into the session: their
    contacts then read them from there instead of one query each (the session holds loaded
    objects weakly: the caller keeps the list until the page is written)."""
    ids = {side.person_id for r in rows for side in (r.need, r.offer) if side is not None}
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Person).where(Person.id.in_(sorted(ids)))))


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
