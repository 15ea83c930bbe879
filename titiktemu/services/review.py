"""Coordinators' decisions on proposals: accept, decline with a reason, or convene.

Plain functions that take the acting person; the web and the API call them, the audit log and
the introduction emails are written in the same transaction as the decision.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.jobs import kick
from titiktemu.models import Person, Proposal, ProposalStatus, Role
from titiktemu.models.base import utcnow
from titiktemu.services.audit import record
from titiktemu.services.notifications import introduce
from titiktemu.settings import Settings

DECISIONS = (ProposalStatus.ACCEPTED, ProposalStatus.DECLINED, ProposalStatus.CONVENE)
#: From which states each decision may be taken (accepted and declined are final).
OPEN_STATES = (ProposalStatus.PROPOSED, ProposalStatus.CONVENE)


class ReviewError(ValueError):
    """A decision that cannot be taken, with a message for the person who tried."""


def may_review(person: Person, regency_code: str) -> bool:
    if person.role == Role.ADMIN:
        return person.regency_code in (None, regency_code)
    return person.role == Role.COORDINATOR and person.regency_code == regency_code


def visible_proposal(session: Session, person: Person, proposal_id: int) -> Proposal | None:
    """The proposal if this person may decide on it, else None (the caller answers 404)."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or not may_review(person, proposal.regency_code):
        return None
    return proposal


def decide(
    session: Session,
    settings: Settings,
    reviewer: Person,
    proposal_id: int,
    decision: ProposalStatus,
    note: str = "",
) -> Proposal:
    """Record the decision; on acceptance queue the two introductions. The caller commits."""
    proposal = visible_proposal(session, reviewer, proposal_id)
    if proposal is None:
        raise LookupError(proposal_id)
    if decision not in DECISIONS:
        raise ReviewError(f"unknown decision {decision!r}")
    if proposal.status not in OPEN_STATES:
        raise ReviewError(f"this proposal is already {proposal.status.value}")
    note = note.strip()
    if decision == ProposalStatus.DECLINED and not note:
        raise ReviewError("a decline needs a reason")
    before = proposal.status
    proposal.status = decision
    proposal.reviewer_id = reviewer.id
    proposal.decided_at = utcnow()
    proposal.decision_note = note[:2000]
    record(
        session,
        f"proposal.{decision.value}",
        "proposal",
        proposal.id,
        actor_id=reviewer.id,
        before=before.value,
        note=note[:2000],
    )
    if decision == ProposalStatus.ACCEPTED:
        introduce(session, settings, proposal)
        kick(session, "titiktemu.send_pending_email")
    return proposal


def accept_many(
    session: Session, settings: Settings, reviewer: Person, proposal_ids: list[int]
) -> list[int]:
    """Bulk accept: every proposal the reviewer may decide and that is still open."""
    accepted = []
    for proposal_id in sorted(set(proposal_ids)):
        proposal = visible_proposal(session, reviewer, proposal_id)
        if proposal is not None and proposal.status in OPEN_STATES:
            decide(session, settings, reviewer, proposal_id, ProposalStatus.ACCEPTED)
            accepted.append(proposal_id)
    return accepted


def awaiting(session: Session, regency_code: str) -> list[Proposal]:
    return list(
        session.scalars(
            sa.select(Proposal)
            .where(
                Proposal.regency_code == regency_code, Proposal.status == ProposalStatus.PROPOSED
            )
            .order_by(Proposal.score.desc(), Proposal.id)
        )
    )
