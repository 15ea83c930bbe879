"""A person's follow-ups from the forum, not done yet, and whom each one is about.

They wait on the person's home page and in their daily digest until marked done. A follow-up on
a collaboration a coordinator accepted names the people on its other side with their email, phone
and WhatsApp link, so the one who follows up can reach them at once (the same rule as the match's
page: ``visibility.contact_visible``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from titiktemu.models import AgendaItem, Person, Proposal
from titiktemu.visibility import contact_visible


@dataclass(frozen=True)
class FollowUp:
    item: AgendaItem
    #: The other side of an accepted collaboration (never the person themself); else empty.
    contacts: tuple[Person, ...]
    overdue: bool


def follow_ups_of(session: Session, person: Person) -> list[AgendaItem]:
    """The person's follow-ups not done yet, soonest first."""
    return list(
        session.scalars(
            sa.select(AgendaItem)
            .where(AgendaItem.follow_up_by == person.id, AgendaItem.follow_up_done_at.is_(None))
            .options(selectinload(AgendaItem.meeting), selectinload(AgendaItem.proposal))
            .order_by(AgendaItem.follow_up_due, AgendaItem.id)
        )
    )


def open_follow_ups(session: Session, person: Person, today: dt.date) -> list[FollowUp]:
    """:func:`follow_ups_of` with whom to call about each, and whether it is past its date."""
    return [
        FollowUp(
            item,
            _contacts(item.proposal, person),
            item.follow_up_due is not None and item.follow_up_due < today,
        )
        for item in follow_ups_of(session, person)
    ]


def _contacts(proposal: Proposal | None, person: Person) -> tuple[Person, ...]:
    if proposal is None or not contact_visible(proposal):
        return ()
    sides = (
        proposal.need.person if proposal.need else None,
        proposal.offer.person if proposal.offer else proposal.person,
    )
    return tuple(p for p in sides if p is not None and p.id != person.id)


def has_open_follow_ups() -> sa.ColumnElement[bool]:
    """People with a follow-up not done yet (who gets a digest for them)."""
    return Person.id.in_(
        sa.select(AgendaItem.follow_up_by).where(
            AgendaItem.follow_up_by.is_not(None), AgendaItem.follow_up_done_at.is_(None)
        )
    )
