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
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.models import AuditEntry, Need, Offer, OverlapFlag, Person, Proposal

#: What a decision is taken on.
Decidable = Proposal | OverlapFlag | Need | Offer

#: How often to try again when someone moved the row to another status we may still leave
#: (a proposal convened meanwhile may still be accepted); statuses do not cycle faster.
ATTEMPTS = 3


@dataclass
class AlreadyDecided(Exception):  # noqa: N818 - says what happened, as a domain error should
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
