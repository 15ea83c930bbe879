"""Coordinators' decisions on proposals: accept, decline with a reason, or convene.

Plain functions that take the acting person; the web and the API call them, the audit log and
the introduction emails are written in the same transaction as the decision, and only by the
decision that won when two were taken at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.decisions import (
    AlreadyDecided,
    NotInRegency,
    NotReviewer,
    decide_on,
    reviewable,
)
from titiktemu.decisions import may_review as may_review
from titiktemu.errors import Invalid
from titiktemu.jobs import kick
from titiktemu.jobs.names import TaskName
from titiktemu.mail.notifications import introduce
from titiktemu.models import Person, Proposal, ProposalStatus
from titiktemu.settings import Settings

DECISIONS = (ProposalStatus.ACCEPTED, ProposalStatus.DECLINED, ProposalStatus.CONVENE)
#: Still waiting for a decision (accepted and declined are final).
OPEN_STATES = (ProposalStatus.PROPOSED, ProposalStatus.CONVENE)
#: From which states each decision may be taken: convening twice would be two decisions.
FROM_STATES = {
    ProposalStatus.ACCEPTED: OPEN_STATES,
    ProposalStatus.DECLINED: OPEN_STATES,
    ProposalStatus.CONVENE: (ProposalStatus.PROPOSED,),
}


class ReviewError(Invalid, ValueError):
    """A decision that cannot be taken, with a message for the person who tried."""


def visible_proposal(session: Session, person: Person, proposal_id: int) -> Proposal | None:
    """The proposal if this person may decide on it, else None (the caller answers 404)."""
    try:
        return reviewable_proposal(session, person, proposal_id)
    except (NotInRegency, NotReviewer):
        return None


def reviewable_proposal(session: Session, person: Person, proposal_id: int) -> Proposal:
    """The proposal if ``person`` may decide on it; ``NotReviewer`` for a facilitator,
    ``NotInRegency`` when it is missing or another regency's."""
    return reviewable(session, person, Proposal, proposal_id)


def decide(
    session: Session,
    settings: Settings,
    reviewer: Person,
    proposal_id: int,
    decision: ProposalStatus,
    note: str = "",
) -> Proposal:
    """Record the decision; on acceptance queue the two introductions. The caller commits.

    ``NotReviewer`` / ``NotInRegency`` (``reviewable_proposal``) when the reviewer may not;
    ``ReviewError`` under "reason" for a decline without one. A conditional write
    (``titiktemu.decisions``): when someone else decided first, ``AlreadyDecided`` says who,
    and nothing is written, audited or mailed.
    """
    proposal = reviewable_proposal(session, reviewer, proposal_id)
    if decision not in DECISIONS:
        raise ReviewError(f"unknown decision {decision!r}")
    note = note.strip()
    if decision == ProposalStatus.DECLINED and not note:
        raise ReviewError("A decline needs a reason.", {"reason": "a decline needs a reason"})
    decide_on(session, reviewer, proposal, decision, note, FROM_STATES[decision])
    if decision == ProposalStatus.ACCEPTED:
        introduce(session, settings, proposal)
        kick(session, TaskName.SEND_PENDING_EMAIL)
    return proposal


@dataclass
class BulkAccepted:
    """What a bulk accept did: the proposals it accepted, and those someone decided first."""

    accepted: list[int] = field(default_factory=list)
    already: list[AlreadyDecided] = field(default_factory=list)


def accept_many(
    session: Session, settings: Settings, reviewer: Person, proposal_ids: list[int]
) -> BulkAccepted:
    """Bulk accept: every proposal the reviewer may decide and that this accept wins; the ones
    someone else decided first (even a moment ago) are reported, not overwritten. In id order,
    so two bulk accepts lock their rows in the same order and never deadlock."""
    done = BulkAccepted()
    for proposal_id in sorted(set(proposal_ids)):
        try:
            decide(session, settings, reviewer, proposal_id, ProposalStatus.ACCEPTED)
        except NotInRegency:
            continue
        except AlreadyDecided as exc:
            done.already.append(exc)
        else:
            done.accepted.append(proposal_id)
    return done


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
