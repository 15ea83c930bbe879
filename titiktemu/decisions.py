"""Two people deciding the same thing at once: exactly one wins, the other is told who did.

Every decision (a proposal accepted, declined or convened; a flag acknowledged, resolved or
allowed; a need or an offer withdrawn, fulfilled or reopened) moves a row out of a status by a
conditional write, ``UPDATE ... WHERE id = :id AND status = :seen``. On PostgreSQL a second
writer waits for the first one's commit and then finds the status changed; on SQLite writers
take turns. Only the winner goes on to write its audit line and queue its emails.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.audit import record
from titiktemu.errors import Conflict, NotAllowed, NotFound
from titiktemu.models import AuditEntry, Need, Offer, OverlapFlag, Person, Proposal, Role
from titiktemu.models.base import utcnow

#: What a decision is taken on.
Decidable = Proposal | OverlapFlag | Need | Offer
#: What a coordinator decides on (it carries a reviewer, a decision time and a note).
Reviewed = TypeVar("Reviewed", Proposal, OverlapFlag)

#: How often to try again when someone moved the row to another status we may still leave
#: (a proposal convened meanwhile may still be accepted); statuses do not cycle faster.
ATTEMPTS = 3


@dataclass
class AlreadyDecided(Conflict):
    """The row is no longer in a status this decision may be taken from: someone decided first
    (or the engine retired it). Carries what it is now, who decided (None: the system or not
    known) and when, so the page and the API can say "already decided by Sri"."""

    what: str
    object_id: int
    status: str
    by_name: str | None = None
    at: dt.datetime | None = None

    def __str__(self) -> str:
        """'This proposal was already decided by Sri at 2026-12-06 10:02 UTC: its status is
        "accepted".' (the API's words; the pages say it in the reader's language)."""
        verb = "changed" if self.what in ("need", "offer") else "decided"
        by = f" by {self.by_name}" if self.by_name else ""
        when = f" at {self.at:%Y-%m-%d %H:%M} UTC" if self.at else ""
        return f'This {self.what} was already {verb}{by}{when}: its status is "{self.status}".'


def transition(
    session: Session, row: Decidable, allowed: Collection[object], values: Mapping[str, Any]
) -> object | None:
    """Set ``values`` on ``row`` if its status is still one of ``allowed``; the status it left,
    or None when another transaction moved it out of them first.

    Compare-and-set on the status last seen, so the status it left is exact; ``row`` is
    refreshed either way and shows what is now stored (the winner's decision when we lost).
    """
    model = type(row)
    for _ in range(ATTEMPTS):
        before = row.status
        if before not in allowed:
            return None
        result = session.execute(
            sa.update(model)
            .where(model.id == row.id, model.status == before)
            .values(dict(values))
            .execution_options(synchronize_session=False)
        )
        session.refresh(row)
        if cast(sa.CursorResult[Any], result).rowcount == 1:
            return before
    return None


def transition_all(
    session: Session,
    model: type[Decidable],
    ids: Collection[int],
    allowed: Collection[object],
    values: Mapping[str, Any],
) -> list[int]:
    """Set ``values`` on each of the rows ``ids`` whose status is still one of ``allowed``; the
    ids written, sorted. ``transition`` for a pass that moves many rows at once (a rebuild
    retiring proposals, clearing flags): the same conditional write, one statement per batch,
    and the rows someone moved out of ``allowed`` first are left as they are."""
    done: list[int] = []
    ordered = sorted(ids)
    for start in range(0, len(ordered), 5000):
        result = session.execute(
            sa.update(model)
            .where(model.id.in_(ordered[start : start + 5000]), model.status.in_(list(allowed)))
            .values(dict(values))
            .returning(model.id)
            .execution_options(synchronize_session=False)
        )
        done.extend(result.scalars())
    return sorted(done)


class NotReviewer(NotAllowed):
    """Only coordinators and admins decide on proposals and flags."""

    def __init__(self) -> None:
        super().__init__("Only coordinators and admins may use this.")


class NotInRegency(NotFound, LookupError):  # noqa: N818 - a refusal, as the reader hears it
    """No such proposal (flag), or one of a regency the person does not review."""

    def __init__(self, what: str) -> None:
        super().__init__(f"No such {what} in your regency.")


def may_review(person: Person, regency_code: str) -> bool:
    """A coordinator of the regency, or an admin of it (an admin without one: of every one)."""
    if person.role == Role.ADMIN:
        return person.regency_code in (None, regency_code)
    return person.role == Role.COORDINATOR and person.regency_code == regency_code


def reviewable(session: Session, person: Person, model: type[Reviewed], row_id: int) -> Reviewed:
    """The proposal or flag ``row_id`` if ``person`` may decide on it: ``NotReviewer`` for a
    facilitator, ``NotInRegency`` when it is missing or another regency's."""
    if person.role not in (Role.COORDINATOR, Role.ADMIN):
        raise NotReviewer()
    row = session.get(model, row_id)
    if row is None or not may_review(person, row.regency_code):
        raise NotInRegency("proposal" if model is Proposal else "overlap flag")
    return row


def decide_on(
    session: Session,
    reviewer: Person,
    row: Proposal | OverlapFlag,
    status: Any,
    note: str,
    allowed: Collection[object],
) -> object:
    """A reviewer's decision on a proposal or a flag: the conditional write (from ``allowed``),
    then the audit line; the status it left. ``AlreadyDecided`` (nothing written) when someone
    else decided first, so a later decision never overwrites an earlier one and its note."""
    note = note[:2000]
    values = {
        "status": status,
        "reviewer_id": reviewer.id,
        "decided_at": utcnow(),
        "decision_note": note,
    }
    before = transition(session, row, allowed, values)
    if before is None:
        raise already_decided(session, row)
    what, object_type = ("proposal", "proposal")
    if isinstance(row, OverlapFlag):
        what, object_type = ("flag", "overlap_flag")
    record(
        session,
        f"{what}.{status.value}",
        object_type,
        row.id,
        actor_id=reviewer.id,
        before=getattr(before, "value", before),
        note=note,
    )
    return before


def already_decided(session: Session, row: Proposal | OverlapFlag) -> AlreadyDecided:
    """The error for a proposal or flag someone decided first: its reviewer and decision time."""
    what = "proposal" if isinstance(row, Proposal) else "flag"
    reviewer = session.get(Person, row.reviewer_id) if row.reviewer_id is not None else None
    by = reviewer.name if reviewer is not None else None
    return AlreadyDecided(what, row.id, row.status.value, by, row.decided_at)


def already_changed(session: Session, row: Need | Offer) -> AlreadyDecided:
    """The error for a need or offer whose status someone changed first: who and when, from the
    audit line of that change (needs and offers keep no reviewer of their own)."""
    kind = "need" if isinstance(row, Need) else "offer"
    last = session.execute(
        sa.select(Person.name, AuditEntry.at)
        .select_from(AuditEntry)
        .outerjoin(Person, Person.id == AuditEntry.actor_id)
        .where(
            AuditEntry.object_type == kind,
            AuditEntry.object_id == str(row.id),
            AuditEntry.action == f"{kind}.{row.status.value}",
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).first()
    by, at = (last[0], last[1]) if last is not None else (None, None)
    return AlreadyDecided(kind, row.id, row.status.value, by, at)
