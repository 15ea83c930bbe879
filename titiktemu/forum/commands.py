"""The forum's meetings: schedule one (its agenda builds itself), order and add to the agenda,
record the minutes (a decision on a proposal or a flag goes through the review's own service),
and follow up until done.

What waits for the forum, and so opens a new meeting's agenda: proposals a coordinator marked
*convene*, open overlap flags of high severity, and the open obstacles of the villages those
concern. Invitations are emailed to every invitee in their language with the meeting as an
iCalendar event (``titiktemu.forum.calendar``); a follow-up shows on its person's home page until
they mark it done.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from graph.overlaps import severity_level
from titiktemu.audit import record
from titiktemu.decisions import may_review
from titiktemu.errors import Conflict, Invalid, NotAllowed, NotFound
from titiktemu.forum.calendar import to_local
from titiktemu.mail.outbox import queue_email
from titiktemu.models import (
    AgendaItem,
    FlagStatus,
    ForumMeeting,
    Obstacle,
    ObstacleStatus,
    OverlapFlag,
    Person,
    Proposal,
    ProposalStatus,
    Role,
)
from titiktemu.models.base import utcnow
from titiktemu.models.people import person_programs
from titiktemu.overlaps import review as overlap_review
from titiktemu.review.commands import decide
from titiktemu.settings import Settings

KINDS: Final = ("proposal", "flag", "obstacle", "other")
#: What a minute may do to the proposal or flag it is about.
PROPOSAL_OUTCOMES: Final = {"accept": ProposalStatus.ACCEPTED, "decline": ProposalStatus.DECLINED}
FLAG_OUTCOMES: Final = ("resolve", "allow")


@dataclass(frozen=True)
class MeetingInput:
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str = ""
    online_link: str = ""
    program_ids: tuple[int, ...] = ()
    person_ids: tuple[int, ...] = ()


def _reviewer(person: Person, regency: str) -> None:
    if not may_review(person, regency):
        raise NotAllowed("only the regency's coordinators run the forum's meetings")


def schedule_meeting(
    session: Session, settings: Settings, actor: Person, data: MeetingInput, *, regency: str
) -> ForumMeeting:
    """A new meeting with its agenda and its invitations queued; audited. Not committed."""
    _reviewer(actor, regency)
    errors: dict[str, str] = {}
    title = " ".join(data.title.split())
    if not title:
        errors["title"] = "give the meeting a name"
    if data.ends_at <= data.starts_at:
        errors["ends_at"] = "the meeting ends after it starts"
    if not data.place.strip() and not data.online_link.strip():
        errors["place"] = "give a place or an online link"
    link = data.online_link.strip()
    if link and not link.startswith(("https://", "http://")):
        errors["online_link"] = "an online link starts with https://"
    if errors:
        raise Invalid(errors=errors)
    meeting = ForumMeeting(
        regency_code=regency,
        title=title[:200],
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        place=data.place.strip()[:300],
        online_link=link[:500],
        created_by=actor.id,
    )
    meeting.invitees = _invitees(session, regency, data, actor)
    session.add(meeting)
    session.flush()
    for position, item in enumerate(waiting_items(session, regency), start=1):
        item.meeting_id, item.position = meeting.id, position
        session.add(item)
    session.flush()
    record(
        session,
        "forum.schedule",
        "forum_meeting",
        meeting.id,
        actor.id,
        invitees=len(meeting.invitees),
        items=len(meeting.items),
    )
    invite(session, settings, meeting)
    return meeting


def _invitees(session: Session, regency: str, data: MeetingInput, actor: Person) -> list[Person]:
    """The people named, the people of the programs named, the regency's coordinators; never a
    partner (a donor or CSR member of a program): the agenda holds the facilitators' own notes
    (obstacles, overlaps), and a partner's pages stop at the prospectus."""
    members = sa.select(person_programs.c.person_id).where(
        person_programs.c.program_id.in_(data.program_ids)
    )
    people = session.scalars(
        sa.select(Person).where(
            Person.active.is_(True),
            Person.role != Role.PARTNER,
            sa.or_(
                Person.id.in_(data.person_ids),
                Person.id.in_(members),
                Person.role == Role.COORDINATOR,
            ),
            sa.or_(Person.regency_code == regency, Person.id.in_(data.person_ids)),
        )
    ).all()
    found = {p.id: p for p in people}
    found.setdefault(actor.id, actor)
    return sorted(found.values(), key=lambda p: (p.name, p.id))


def waiting_items(session: Session, regency: str) -> list[AgendaItem]:
    """What waits for the forum: convened proposals, open high flags, and the open obstacles of
    the villages they concern (not yet on a meeting's agenda), in that order."""
    on_agenda = sa.select(AgendaItem.proposal_id).where(AgendaItem.proposal_id.is_not(None))
    proposals = session.scalars(
        sa.select(Proposal)
        .where(
            Proposal.regency_code == regency,
            Proposal.status == ProposalStatus.CONVENE,
            Proposal.id.not_in(on_agenda),
        )
        .order_by(Proposal.score.desc(), Proposal.id)
    ).all()
    flags_on = sa.select(AgendaItem.flag_id).where(AgendaItem.flag_id.is_not(None))
    flags = [
        f
        for f in session.scalars(
            sa.select(OverlapFlag)
            .where(
                OverlapFlag.regency_code == regency,
                OverlapFlag.status.in_(overlap_review.UNRESOLVED),
                OverlapFlag.id.not_in(flags_on),
            )
            .order_by(OverlapFlag.severity.desc(), OverlapFlag.id)
        )
        if severity_level(f.severity) == "high"
    ]
    villages = {f.village_code for f in flags}
    for p in proposals:
        if p.need is not None and p.need.village_code:
            villages.add(p.need.village_code)
        villages.update(p.village_codes or [])
    obstacles_on = sa.select(AgendaItem.obstacle_id).where(AgendaItem.obstacle_id.is_not(None))
    obstacles = session.scalars(
        sa.select(Obstacle)
        .where(
            Obstacle.regency_code == regency,
            Obstacle.status == ObstacleStatus.OPEN,
            Obstacle.village_code.in_(sorted(villages)),
            Obstacle.id.not_in(obstacles_on),
        )
        .order_by(Obstacle.happened_on, Obstacle.id)
    ).all()
    return [
        *(AgendaItem(kind="proposal", proposal_id=p.id, title="") for p in proposals),
        *(AgendaItem(kind="flag", flag_id=f.id, title="") for f in flags),
        *(AgendaItem(kind="obstacle", obstacle_id=o.id, title="") for o in obstacles),
    ]


def invite(session: Session, settings: Settings, meeting: ForumMeeting) -> int:
    """Queue the invitation (or, after a change, its update) to every invitee, each in their
    language, carrying the meeting as an iCalendar event; how many were queued."""
    queued = 0
    for person in meeting.invitees:
        row = queue_email(
            session,
            settings,
            dedupe_key=f"forum:{meeting.id}:{meeting.sequence}:{person.id}",
            person=person,
            template="forum_invitation",
            context={
                "meeting": {
                    "title": meeting.title,
                    "day": to_local(meeting.starts_at).date().isoformat(),
                    "time": f"{to_local(meeting.starts_at):%H.%M}–"
                    f"{to_local(meeting.ends_at):%H.%M} WIB",
                    "place": meeting.place,
                    "online_link": meeting.online_link,
                    "items": len(meeting.items),
                    "url": f"{settings.base_url}/forum/{meeting.id}",
                },
                "calendar": calendar_context(settings, meeting),
            },
            regency_code=meeting.regency_code,
            essential=True,
        )
        queued += row is not None
    return queued


def calendar_context(settings: Settings, meeting: ForumMeeting) -> dict[str, object]:
    """What the invitation's .ics is made of when the email is sent (stored with it)."""
    host = settings.base_url.split("://", 1)[-1].split("/", 1)[0]
    return {
        "uid": f"forum-{meeting.id}@{host}",
        "sequence": meeting.sequence,
        "title": meeting.title,
        "starts_at": meeting.starts_at.isoformat(),
        "ends_at": meeting.ends_at.isoformat(),
        "location": meeting.place or meeting.online_link,
        "url": meeting.online_link or f"{settings.base_url}/forum/{meeting.id}",
        "organizer": settings.mail_from,
    }


def visible_meeting(session: Session, viewer: Person, meeting_id: int) -> ForumMeeting:
    """A meeting of the viewer's regency (its coordinators, or anyone invited)."""
    meeting = session.get(ForumMeeting, meeting_id)
    if meeting is None:
        raise NotFound(f"no meeting {meeting_id}")
    if may_review(viewer, meeting.regency_code) or viewer in meeting.invitees:
        return meeting
    raise NotFound(f"no meeting {meeting_id}")


def _editable_item(session: Session, actor: Person, item_id: int) -> AgendaItem:
    item = session.get(AgendaItem, item_id)
    if item is None:
        raise NotFound(f"no agenda item {item_id}")
    _reviewer(actor, item.meeting.regency_code)
    return item


def move_item(session: Session, actor: Person, item_id: int, step: int) -> None:
    """Move an item up (-1) or down (+1) the agenda by swapping it with its neighbour."""
    item = _editable_item(session, actor, item_id)
    items = list(item.meeting.items)
    at = items.index(item)
    other = at + (1 if step > 0 else -1)
    if 0 <= other < len(items):
        items[at].position, items[other].position = items[other].position, items[at].position
        session.flush()
        session.expire(item.meeting, ["items"])


def add_item(session: Session, actor: Person, meeting_id: int, title: str) -> AgendaItem:
    """An item of the coordinator's own at the end of the agenda."""
    meeting = session.get(ForumMeeting, meeting_id)
    if meeting is None:
        raise NotFound(f"no meeting {meeting_id}")
    _reviewer(actor, meeting.regency_code)
    title = " ".join(title.split())
    if not title:
        raise Invalid(errors={"title": "say what the item is about"})
    last = max((i.position for i in meeting.items), default=0)
    item = AgendaItem(meeting_id=meeting.id, position=last + 1, kind="other", title=title[:300])
    session.add(item)
    session.flush()
    session.expire(meeting, ["items"])
    return item


@dataclass(frozen=True)
class Minutes:
    decision: str
    follow_up_by: int | None = None
    follow_up_due: dt.date | None = None
    #: For a proposal "accept" or "decline"; for a flag "resolve" or "allow"; else "".
    outcome: str = ""


@dataclass
class Minuted:
    item: AgendaItem
    effects: list[str] = field(default_factory=list)


def record_minutes(
    session: Session, settings: Settings, actor: Person, item_id: int, minutes: Minutes
) -> Minuted:
    """The item's decision, who follows up and by when; a decision on its proposal or flag goes
    through the review's own service (conditional, audited, introductions emailed). Not
    committed."""
    item = _editable_item(session, actor, item_id)
    decision = minutes.decision.strip()
    errors: dict[str, str] = {}
    if not decision:
        errors["decision"] = "write what the forum decided"
    if (minutes.follow_up_by is None) != (minutes.follow_up_due is None):
        errors["follow_up_due"] = "a follow-up needs both a person and a date"
    if errors:
        raise Invalid(errors=errors)
    done = Minuted(item)
    if minutes.outcome:
        if item.kind == "proposal" and item.proposal_id and minutes.outcome in PROPOSAL_OUTCOMES:
            decide(
                session,
                settings,
                actor,
                item.proposal_id,
                PROPOSAL_OUTCOMES[minutes.outcome],
                note=decision,
            )
            done.effects.append(f"proposal.{minutes.outcome}")
        elif item.kind == "flag" and item.flag_id and minutes.outcome in FLAG_OUTCOMES:
            if minutes.outcome == "resolve":
                overlap_review.resolve(session, actor, item.flag_id, decision)
            else:
                overlap_review.allow(session, actor, item.flag_id, decision)
            done.effects.append(f"flag.{minutes.outcome}")
        else:
            raise Invalid(errors={"outcome": "this decision does not fit this item"})
    item.decision = decision
    item.follow_up_by = minutes.follow_up_by
    item.follow_up_due = minutes.follow_up_due
    item.follow_up_done_at = None
    item.minuted_at = utcnow()
    record(
        session,
        "forum.minutes",
        "agenda_item",
        item.id,
        actor.id,
        outcome=minutes.outcome,
        follow_up_by=minutes.follow_up_by,
    )
    return done


def complete_follow_up(session: Session, actor: Person, item_id: int) -> AgendaItem:
    """Mark a follow-up done, once: its person or a coordinator; audited. Not committed."""
    item = session.get(AgendaItem, item_id)
    if item is None or item.follow_up_by is None:
        raise NotFound(f"no follow-up {item_id}")
    if actor.id != item.follow_up_by and not may_review(actor, item.meeting.regency_code):
        raise NotAllowed("only its person or a coordinator marks a follow-up done")
    moved = session.execute(
        sa.update(AgendaItem)
        .where(AgendaItem.id == item_id, AgendaItem.follow_up_done_at.is_(None))
        .values(follow_up_done_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("this follow-up is already done")
    record(session, "forum.follow_up_done", "agenda_item", item_id, actor.id)
    session.refresh(item)
    return item


def meetings_of(session: Session, viewer: Person, regency: str) -> list[ForumMeeting]:
    """The regency's meetings, newest first: all for coordinators, those one is invited to else."""
    query = (
        sa.select(ForumMeeting)
        .where(ForumMeeting.regency_code == regency)
        .order_by(ForumMeeting.starts_at.desc())
    )
    meetings = list(session.scalars(query))
    if may_review(viewer, regency):
        return meetings
    return [m for m in meetings if viewer in m.invitees]


__all__ = ["FlagStatus"]
