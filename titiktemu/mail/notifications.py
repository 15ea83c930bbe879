"""Who hears about what: the emails each event queues, written with the event itself.

Every function adds outbox rows to the caller's transaction and never commits; links are
absolute, from TITIKTEMU_BASE_URL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from titiktemu.bulk import batches
from titiktemu.forum.follow_ups import FollowUp, has_open_follow_ups, open_follow_ups
from titiktemu.mail.outbox import Queued, queue_email, queue_emails
from titiktemu.models import (
    ExchangeStatus,
    Intervention,
    Need,
    NotifyPreference,
    OutboxEmail,
    OverlapFlag,
    Person,
    Program,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Regency,
    Role,
    Village,
)
from titiktemu.models.overlaps import overlap_flag_interventions
from titiktemu.settings import Settings

EXPIRY_NOTICE = dt.timedelta(days=7)
#: Proposals gone out of date a digest names at most; the rest are counted.
DIGEST_RETIRED_LISTED = 30


def coordinators(
    session: Session, regency_code: str | None, *, immediate: bool = False
) -> list[Person]:
    """The regency's active coordinators (``immediate``: only those who want each email at
    once, asked in SQL: every match that makes proposals asks, and most coordinators take the
    digest, so most matches load nobody)."""
    if regency_code is None:
        return []
    return list(session.scalars(_COORDINATORS[immediate], {"regency": regency_code}))


def _coordinators_statement(immediate: bool) -> sa.Select[Person]:
    statement = sa.select(Person).where(
        Person.regency_code == sa.bindparam("regency", type_=Person.regency_code.type),
        Person.role == Role.COORDINATOR,
        Person.active.is_(True),
    )
    if immediate:
        statement = statement.where(Person.notify == NotifyPreference.IMMEDIATE)
    return statement.order_by(Person.id)


#: Built once: every match that makes proposals asks who coordinates its regency.
_COORDINATORS = {immediate: _coordinators_statement(immediate) for immediate in (False, True)}


def proposal_title(p: Proposal) -> str:
    """How a proposal is named in lists: what is needed and what or who meets it."""
    if p.kind == ProposalKind.PROGRAM_SYNERGY:
        a = p.program_a.code if p.program_a else "?"
        b = p.program_b.code if p.program_b else "?"
        return f"{a} + {b}"
    need = p.need.title if p.need else "?"
    other = p.offer.title if p.offer else (p.person.name if p.person else "?")
    return f"{need} ← {other}"


#: What ``proposal_title`` reads of a proposal: loaded with it, not one query per proposal.
TITLED_BY = (
    Proposal.need,
    Proposal.offer,
    Proposal.person,
    Proposal.program_a,
    Proposal.program_b,
)


def _proposal_item(settings: Settings, p: Proposal) -> dict[str, Any]:
    return {
        "title": proposal_title(p),
        "score": p.score,
        "reasons": p.reasons,
        "url": f"{settings.base_url}/review/{p.id}",
    }


def _regency_name(session: Session, code: str) -> str:
    regency = session.get(Regency, code)
    return regency.name if regency else code


def announce_new_proposals(
    session: Session, settings: Settings, regency_code: str, proposal_ids: Iterable[int]
) -> int:
    """Coordinators who want it immediately get one email listing the new proposals."""
    ids = sorted(proposal_ids)
    if not ids:
        return 0
    # Who wants it first: most jobs of a regency whose coordinators chose the digest (or have
    # none) then read no proposal at all.
    recipients = coordinators(session, regency_code, immediate=True)
    if not recipients:
        return 0
    proposals = session.scalars(
        sa.select(Proposal)
        .where(Proposal.id.in_(ids), Proposal.status == ProposalStatus.PROPOSED)
        .order_by(Proposal.score.desc(), Proposal.id)
        .options(*(joinedload(side) for side in TITLED_BY))
    ).all()
    if not proposals:
        return 0
    context = {
        "proposals": [_proposal_item(settings, p) for p in proposals],
        "regency_name": _regency_name(session, regency_code),
        "review_url": f"{settings.base_url}/review",
    }
    queued = 0
    for person in recipients:
        row = queue_email(
            session,
            settings,
            dedupe_key=f"proposals-new:{person.id}:{ids[0]}-{ids[-1]}:{len(ids)}",
            person=person,
            template="proposals_new",
            context=context,
            regency_code=regency_code,
        )
        queued += row is not None
    return queued


def digest_recipients(session: Session) -> list[Person]:
    """Who may get a digest today: coordinators who chose the daily digest, and anyone with a
    forum follow-up not done yet (unless they turned email off). :func:`send_digest` decides
    whether there is anything to say."""
    return list(
        session.scalars(
            sa.select(Person)
            .where(
                Person.active.is_(True),
                Person.regency_code.is_not(None),
                Person.notify != NotifyPreference.OFF,
                sa.or_(
                    sa.and_(
                        Person.role == Role.COORDINATOR,
                        Person.notify == NotifyPreference.DAILY,
                    ),
                    has_open_follow_ups(),
                ),
            )
            .order_by(Person.id)
        )
    )


def send_digest(session: Session, settings: Settings, person: Person, day: dt.date) -> bool:
    """The daily digest: the person's forum follow-ups not done yet (with whom to call about
    each), and for a coordinator who chose it, the proposals awaiting review and those that went
    out of date since the previous digest day, each with why. Sent once a person and day, only
    when there is something to say."""
    if person.regency_code is None or person.notify == NotifyPreference.OFF:
        return False
    follow_ups = [_follow_up_item(settings, f) for f in open_follow_ups(session, person, day)]
    proposals: list[Proposal] = []
    retired: list[Proposal] = []
    retired_total = 0
    if person.notify == NotifyPreference.DAILY and person.role == Role.COORDINATOR:
        proposals, retired, retired_total = _review_news(session, person.regency_code, day)
    if not proposals and not retired and not follow_ups:
        return False
    row = queue_email(
        session,
        settings,
        dedupe_key=f"digest:{person.id}:{day.isoformat()}",
        person=person,
        template="digest",
        context={
            "proposals": [_proposal_item(settings, p) for p in proposals],
            "retired": [_retired_item(settings, p) for p in retired],
            "retired_total": retired_total,
            "follow_ups": follow_ups,
            "regency_name": _regency_name(session, person.regency_code),
            "review_url": f"{settings.base_url}/review",
        },
        regency_code=person.regency_code,
    )
    return row is not None


def _review_news(
    session: Session, regency_code: str, day: dt.date
) -> tuple[list[Proposal], list[Proposal], int]:
    """Proposals awaiting review made since the previous digest day, and those retired since
    (the first ``DIGEST_RETIRED_LISTED``, and how many in all)."""
    since = dt.datetime.combine(day, dt.time()) - dt.timedelta(days=1)
    proposals = session.scalars(
        sa.select(Proposal)
        .where(
            Proposal.regency_code == regency_code,
            Proposal.status == ProposalStatus.PROPOSED,
            Proposal.created_at >= since,
        )
        .order_by(Proposal.score.desc(), Proposal.id)
    ).all()
    # Retiring a proposal is its last change (the engine leaves an obsolete one alone unless it
    # proposes it again), so its ``updated_at`` is when it went out of date.
    retired_since = sa.and_(
        Proposal.regency_code == regency_code,
        Proposal.status == ProposalStatus.OBSOLETE,
        Proposal.updated_at >= since,
    )
    retired_total = (
        session.scalar(sa.select(sa.func.count()).select_from(Proposal).where(retired_since)) or 0
    )
    retired = session.scalars(
        sa.select(Proposal)
        .where(retired_since)
        .order_by(Proposal.updated_at.desc(), Proposal.id)
        .limit(DIGEST_RETIRED_LISTED)
    ).all()
    return list(proposals), list(retired), retired_total


def _follow_up_item(settings: Settings, follow_up: FollowUp) -> dict[str, Any]:
    item = follow_up.item
    return {
        "decision": item.decision,
        "due": item.follow_up_due,
        "overdue": follow_up.overdue,
        "meeting": item.meeting.title,
        "url": f"{settings.base_url}/forum/{item.meeting_id}#item-{item.id}",
        "contacts": [_contact(p) for p in follow_up.contacts],
    }


def _retired_item(settings: Settings, p: Proposal) -> dict[str, Any]:
    return {
        "title": proposal_title(p),
        "reason": p.retired_reason or {},
        "url": f"{settings.base_url}/review/{p.id}",
    }


def _contact(person: Person | None) -> dict[str, str]:
    if person is None:
        return {"name": "?", "first_name": "?", "email": "", "phone": "", "programs": ""}
    return {
        "name": person.name,
        "first_name": person.name.split()[0],
        "email": person.email,
        "phone": person.phone,
        "programs": ", ".join(p.code for p in person.programs),
    }


def introduce(session: Session, settings: Settings, proposal: Proposal) -> int:
    """On acceptance, both sides get a warm introduction to the other, with the reasons."""
    need_owner = proposal.need.person if proposal.need else None
    other = proposal.offer.person if proposal.offer else proposal.person
    if need_owner is None or other is None:
        return 0
    title = proposal_title(proposal)
    queued = 0
    for person, counterpart in ((need_owner, other), (other, need_owner)):
        row = queue_email(
            session,
            settings,
            dedupe_key=f"intro:{proposal.id}:to:{person.id}",
            person=person,
            template="introduction",
            context={
                "other": _contact(counterpart),
                "title": title,
                "reasons": proposal.reasons,
                "url": f"{settings.base_url}/matches/{proposal.id}",
            },
            regency_code=proposal.regency_code,
        )
        queued += row is not None
    return queued


#: Beyond this many new flags for one person in one pass, they get one summary instead of an
#: email each: an import or a regency's first rebuild can raise hundreds of flags at once.
FLAGS_ONE_BY_ONE = 3
#: A summary names the most severe flags; the overlaps page has the rest.
SUMMARY_LISTS = 20


def announce_new_flags(
    session: Session, settings: Settings, regency_code: str, flag_ids: Iterable[int]
) -> int:
    """Coordinators and the facilitators of the interventions involved hear of new flags: an
    email a flag, or one summary when a pass gives them more than ``FLAGS_ONE_BY_ONE``."""
    flags = _new_flags(session, flag_ids)
    if not flags:
        return 0
    # Read once for every email of the pass: the program codes and the villages' names.
    programs: dict[int, str] = {
        i: c for i, c in session.execute(sa.select(Program.id, Program.code))
    }
    in_flags = Village.code.in_({f.village_code for f in flags})
    villages: dict[str, str] = {
        c: n for c, n in session.execute(sa.select(Village.code, Village.name).where(in_flags))
    }
    watching = coordinators(session, regency_code, immediate=True)
    # person id -> (person, is a coordinator, the flags they hear of)
    audience: dict[int, tuple[Person, bool, list[_NewFlag]]] = {
        c.id: (c, True, list(flags)) for c in watching
    }
    for flag in flags:
        for item in flag.interventions:
            person = item.facilitator
            if person is None:
                continue
            entry = audience.setdefault(person.id, (person, False, []))
            if flag not in entry[2]:
                entry[2].append(flag)
    words = _FlagWords(
        settings, regency_code, _regency_name(session, regency_code), programs, villages
    )
    # Only a flag emailed on its own shows its reasons: read them for those flags alone.
    alone = [
        f for _p, _c, theirs in audience.values() if len(theirs) <= FLAGS_ONE_BY_ONE for f in theirs
    ]
    _read_reasons(session, alone)
    emails: list[Queued] = []
    for person, is_coordinator, theirs in audience.values():
        if len(theirs) <= FLAGS_ONE_BY_ONE:
            emails.extend(words.flag(flag, person, is_coordinator) for flag in theirs)
        else:
            emails.append(words.summary(theirs, person))
    # One statement for the pass, however many flags: each key already queued is skipped.
    return queue_emails(session, settings, emails)


@dataclass(frozen=True)
class _Member:
    """An intervention of a new flag, as the flag's emails name it."""

    program_id: int
    title: str
    start_date: dt.date
    end_date: dt.date
    households: int | None
    budget_idr: int | None
    facilitator: Person | None


@dataclass(eq=False)  # one flag is one object: a person's list holds it once
class _NewFlag:
    id: int
    village_code: str
    severity: float
    interventions: list[_Member] = field(default_factory=list)
    reasons: list[Any] = field(default_factory=list)


def _read_reasons(session: Session, flags: Iterable[_NewFlag]) -> None:
    """Fill in the reasons of ``flags`` (JSON: costly to read for every flag of a first pass)."""
    by_id = {f.id: f for f in flags}
    for chunk in batches(sorted(by_id)):
        query = sa.select(OverlapFlag.id, OverlapFlag.reasons).where(OverlapFlag.id.in_(chunk))
        for fid, reasons in session.execute(query):
            by_id[fid].reasons = reasons


def _new_flags(session: Session, flag_ids: Iterable[int]) -> list[_NewFlag]:
    """The flags by id with their interventions (by id) and facilitators, not yet their reasons
    (:func:`_read_reasons`), read as plain values:
    a first rebuild raises a flag on most of the regency's interventions, and an ORM object for
    each of them cost more than the emails."""
    ids = sorted(set(flag_ids))
    flags: dict[int, _NewFlag] = {}
    members: list[sa.Row[Any]] = []
    link = overlap_flag_interventions
    for chunk in batches(ids):
        columns = (OverlapFlag.id, OverlapFlag.village_code, OverlapFlag.severity)
        for fid, village, severity in session.execute(
            sa.select(*columns).where(OverlapFlag.id.in_(chunk))
        ):
            flags[fid] = _NewFlag(fid, village, severity)
        members += session.execute(
            sa.select(
                link.c.flag_id,
                Intervention.id,
                Intervention.program_id,
                Intervention.title,
                Intervention.start_date,
                Intervention.end_date,
                Intervention.households,
                Intervention.budget_idr,
                Intervention.facilitator_id,
            )
            .join(link, link.c.intervention_id == Intervention.id)
            .where(link.c.flag_id.in_(chunk))
        ).all()
    wanted = sorted({m.facilitator_id for m in members if m.facilitator_id is not None})
    people: dict[int, Person] = {}
    for chunk in batches(wanted):
        people.update(
            (p.id, p) for p in session.scalars(sa.select(Person).where(Person.id.in_(chunk)))
        )
    for m in sorted(members, key=lambda m: (m.flag_id, m.id)):
        facilitator = people.get(m.facilitator_id) if m.facilitator_id is not None else None
        flags[m.flag_id].interventions.append(
            _Member(
                m.program_id,
                m.title,
                m.start_date,
                m.end_date,
                m.households,
                m.budget_idr,
                facilitator,
            )
        )
    return [flags[i] for i in sorted(flags)]


@dataclass(frozen=True)
class _FlagWords:
    """What the flag emails of one pass say, from lookups read once for the pass."""

    settings: Settings
    regency_code: str
    regency_name: str
    programs: dict[int, str]
    villages: dict[str, str]

    def _village(self, flag: _NewFlag) -> str:
        return self.villages.get(flag.village_code, flag.village_code)

    def flag(self, flag: _NewFlag, person: Person, is_coordinator: bool) -> Queued:
        return Queued(
            dedupe_key=f"flag:{flag.id}:to:{person.id}",
            person=person,
            template="flag_overlap",
            context={
                "interventions": _flag_items(self.programs, flag.interventions),
                "reasons": flag.reasons,
                "village_name": self._village(flag),
                "regency_name": self.regency_name,
                "url": f"{self.settings.base_url}/overlaps/{flag.id}",
                "coordinator": is_coordinator,
            },
            regency_code=self.regency_code,
        )

    def summary(self, flags: list[_NewFlag], person: Person) -> Queued:
        """One email naming the most severe of many new flags; keyed by the whole set, so a pass
        that runs twice sends it once."""
        ids = sorted(f.id for f in flags)
        digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:16]
        worst = sorted(flags, key=lambda f: (-f.severity, f.id))[:SUMMARY_LISTS]
        base = self.settings.base_url
        listed = [
            {
                "village_name": self._village(flag),
                "programs": sorted(
                    {self.programs.get(i.program_id, "?") for i in flag.interventions}
                ),
                "severity": flag.severity,
                "url": f"{base}/overlaps/{flag.id}",
            }
            for flag in worst
        ]
        return Queued(
            dedupe_key=f"flags:{digest}:{len(ids)}:to:{person.id}",
            person=person,
            template="flags_new",
            context={
                "count": len(ids),
                "flags": listed,
                "regency_name": self.regency_name,
                "url": f"{base}/overlaps" if is_reviewer(person) else f"{base}/interventions",
            },
            regency_code=self.regency_code,
        )


def is_reviewer(person: Person) -> bool:
    return person.role in (Role.COORDINATOR, Role.ADMIN)


def _flag_items(programs: dict[int, str], interventions: Iterable[_Member]) -> list[dict[str, Any]]:
    out = []
    for i in interventions:
        contact = ""
        if i.facilitator is not None:
            contact = f"{i.facilitator.name} ({i.facilitator.email}"
            contact += f", {i.facilitator.phone})" if i.facilitator.phone else ")"
        out.append(
            {
                "program": programs.get(i.program_id, "?"),
                "title": i.title,
                "start": i.start_date,
                "end": i.end_date,
                "households": i.households,
                "budget": i.budget_idr,
                "contact": contact,
            }
        )
    return out


def remind_expiring_needs(session: Session, settings: Settings, today: dt.date) -> int:
    """Facilitators whose open need ends within a week with nothing accepted get a reminder."""
    accepted = sa.select(Proposal.need_id).where(
        Proposal.status == ProposalStatus.ACCEPTED, Proposal.need_id.is_not(None)
    )
    needs = session.scalars(
        sa.select(Need)
        .where(
            Need.status == ExchangeStatus.OPEN,
            Need.needed_until.is_not(None),
            Need.needed_until >= today,
            Need.needed_until <= today + EXPIRY_NOTICE,
            Need.id.not_in(accepted),
        )
        .order_by(Need.id)
    ).all()
    queued = 0
    for need in needs:
        row = queue_email(
            session,
            settings,
            dedupe_key=f"need-expiring:{need.id}:{need.needed_until}",
            person=need.person,
            template="need_expiring",
            context={
                "title": need.title,
                "until": need.needed_until,
                "url": f"{settings.base_url}/needs/{need.id}",
            },
            regency_code=need.regency_code,
        )
        queued += row is not None
    return queued


def announce_failed_delivery(session: Session, settings: Settings, failed: OutboxEmail) -> int:
    """Coordinators learn that an email could not be delivered (never about such a notice)."""
    if failed.template == "delivery_failed":
        return 0
    queued = 0
    for person in coordinators(session, failed.regency_code):
        if person.email == failed.to_address:
            continue
        row = queue_email(
            session,
            settings,
            dedupe_key=f"failed:{failed.id}:to:{person.id}",
            person=person,
            template="delivery_failed",
            context={
                "failed_to": failed.to_address,
                "failed_subject": failed.subject,
                "error": failed.last_error[:300],
                "url": f"{settings.base_url}/outbox",
            },
            regency_code=failed.regency_code,
        )
        queued += row is not None
    return queued
