"""The forum's meetings on Klaten's demo: the agenda builds itself from what waits for the forum,
invitations carry a calendar event, minutes decide through the review's own services, and
follow-ups wait on their person's home page until done."""

from __future__ import annotations

import datetime as dt
import email
import re
from email.message import Message

import pytest
import sqlalchemy as sa
from flask import Flask
from icalendar import Calendar

from titiktemu.app import settings_of
from titiktemu.demo.seed import DEMO_COORDINATOR, DEMO_FACILITATOR
from titiktemu.errors import Conflict, Invalid, NotAllowed
from titiktemu.extensions import db
from titiktemu.forum import commands
from titiktemu.forum.calendar import meeting_ics, to_utc
from titiktemu.forum.follow_ups import follow_ups_of
from titiktemu.mail.notifications import digest_recipients, send_digest
from titiktemu.mail.sender import build_message
from titiktemu.models import (
    AgendaItem,
    AuditEntry,
    FlagStatus,
    ForumMeeting,
    Obstacle,
    ObstacleKind,
    OutboxEmail,
    OverlapFlag,
    Person,
    Proposal,
    ProposalStatus,
)

from .conftest import csrf_token
from .test_exports_web import seeded, signed_in

KLATEN = "33.10"
STARTS = dt.datetime(2026, 12, 18, 9, 0)  # WIB, as the coordinator types it


def _waiting(app: Flask) -> dict[str, int]:
    """A proposal marked for the forum, an open high flag, an open obstacle in its village."""
    with app.app_context():
        session = db.session()
        proposal = session.scalars(
            sa.select(Proposal)
            .where(Proposal.regency_code == KLATEN, Proposal.status == ProposalStatus.PROPOSED)
            .where(Proposal.need_id.is_not(None), Proposal.offer_id.is_not(None))
            .order_by(Proposal.id)
        ).first()
        flag = session.scalars(
            sa.select(OverlapFlag)
            .where(OverlapFlag.status == FlagStatus.OPEN)
            .order_by(OverlapFlag.id)
        ).first()
        assert proposal is not None and flag is not None
        proposal.status = ProposalStatus.CONVENE
        flag.severity = 0.8
        obstacle = Obstacle(
            regency_code=KLATEN,
            village_code=flag.village_code,
            kind=ObstacleKind.VILLAGE_STAKEHOLDERS,
            happened_on=dt.date(2026, 6, 1),
            description="Kepala desa dan BPD berbeda pendapat soal lokasi.",
        )
        session.add(obstacle)
        session.commit()
        return {"proposal": proposal.id, "flag": flag.id, "obstacle": obstacle.id}


def _schedule(app: Flask) -> int:
    with app.app_context():
        coordinator = db.session.scalars(
            sa.select(Person).where(Person.email == DEMO_COORDINATOR)
        ).one()
        meeting = commands.schedule_meeting(
            db.session(),
            settings_of(app),
            coordinator,
            commands.MeetingInput(
                title="Forum Pendamping Klaten, Desember",
                starts_at=to_utc(STARTS),
                ends_at=to_utc(STARTS + dt.timedelta(hours=3)),
                place="Aula Bappeda Klaten",
            ),
            regency=KLATEN,
        )
        db.session.commit()
        return meeting.id


def test_the_agenda_builds_itself_and_invitations_carry_the_event(app: Flask) -> None:
    seeded(app)
    waiting = _waiting(app)
    meeting_id = _schedule(app)
    with app.app_context():
        meeting = db.session.get(ForumMeeting, meeting_id)
        assert meeting is not None
        agenda = [(i.kind, i.proposal_id or i.flag_id or i.obstacle_id) for i in meeting.items]
        kinds = [kind for kind, _id in agenda]
        assert kinds == sorted(kinds, key=("proposal", "flag", "obstacle").index)
        assert agenda[0] == ("proposal", waiting["proposal"])
        assert ("flag", waiting["flag"]) in agenda and ("obstacle", waiting["obstacle"]) in agenda
        high = {
            f.id
            for f in db.session.scalars(sa.select(OverlapFlag))
            if f.severity >= 0.6 and f.status in (FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED)
        }
        assert {i for kind, i in agenda if kind == "flag"} == high
        assert DEMO_COORDINATOR in {p.email for p in meeting.invitees}
        assert commands.waiting_items(db.session(), KLATEN) == []  # on an agenda: not again
        rows = db.session.scalars(
            sa.select(OutboxEmail).where(OutboxEmail.template == "forum_invitation")
        ).all()
        assert len(rows) == len(meeting.invitees)
        message = email.message_from_bytes(build_message(settings_of(app), rows[0]).as_bytes())
        parts = {part.get_content_type(): part for part in message.walk()}
        assert "text/calendar" in parts
        event = Calendar.from_ical(_payload(parts["text/calendar"])).walk("VEVENT")[0]
        assert str(event["SUMMARY"]) == "Forum Pendamping Klaten, Desember"
        assert event.decoded("DTSTART") == STARTS.replace(tzinfo=dt.UTC) - dt.timedelta(hours=7)
        assert str(event["LOCATION"]) == "Aula Bappeda Klaten"
        assert "Forum" in str(message["Subject"])


def _payload(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    assert isinstance(data, bytes)
    return data


def test_the_ics_download_round_trips_through_a_calendar_library(app: Flask) -> None:
    seeded(app)
    meeting_id = _schedule(app)
    client = signed_in(app, DEMO_COORDINATOR)
    answer = client.get(f"/forum/{meeting_id}.ics")
    assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    calendar = Calendar.from_ical(answer.data)
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(hours=3)
    assert str(event["UID"]).startswith(f"forum-{meeting_id}@")
    again = Calendar.from_ical(calendar.to_ical())
    assert again.walk("VEVENT")[0]["UID"] == event["UID"]
    assert meeting_ics(
        {
            "uid": "x",
            "sequence": 1,
            "title": "t",
            "starts_at": "2026-12-18T02:00:00",
            "ends_at": "2026-12-18T05:00:00",
        }
    ).startswith(b"BEGIN:VCALENDAR")


def test_minutes_decide_through_the_review_and_follow_ups_wait_until_done(app: Flask) -> None:
    seeded(app)
    waiting = _waiting(app)
    meeting_id = _schedule(app)
    with app.app_context():
        session = db.session()
        coordinator = session.scalars(
            sa.select(Person).where(Person.email == DEMO_COORDINATOR)
        ).one()
        facilitator = session.scalars(
            sa.select(Person).where(Person.email == DEMO_FACILITATOR)
        ).one()
        meeting = session.get(ForumMeeting, meeting_id)
        assert meeting is not None
        first, second, third, *rest = (i.id for i in meeting.items)
        commands.move_item(session, coordinator, third, -1)
        moved = [i.id for i in session.get(ForumMeeting, meeting_id).items]  # type: ignore[union-attr]
        assert moved == [first, third, second, *rest]
        commands.add_item(session, coordinator, meeting_id, "Rencana sarasehan akhir tahun")
        with pytest.raises(NotAllowed):
            commands.add_item(session, facilitator, meeting_id, "Usulan saya")
        with pytest.raises(Invalid):
            commands.record_minutes(
                session,
                settings_of(app),
                coordinator,
                first,
                commands.Minutes(decision="", outcome="accept"),
            )
        commands.record_minutes(
            session,
            settings_of(app),
            coordinator,
            first,
            commands.Minutes(
                decision="Disepakati: pelatihan pembukuan bersama bulan Januari.",
                follow_up_by=facilitator.id,
                follow_up_due=dt.date(2027, 1, 15),
                outcome="accept",
            ),
        )
        session.commit()
        proposal = session.get(Proposal, waiting["proposal"])
        assert proposal is not None and proposal.status == ProposalStatus.ACCEPTED
        assert proposal.reviewer_id == coordinator.id
        assert [i.id for i in follow_ups_of(session, facilitator)] == [first]
        actions = set(session.scalars(sa.select(AuditEntry.action)))
        assert {"forum.schedule", "forum.minutes"} <= actions
        # The follow-up is about an accepted collaboration: whom to call, with WhatsApp.
        assert proposal.need is not None
        proposal.need.person.phone = "0812-2600-7788"
        session.commit()
        today = dt.date(2027, 1, 20)  # past its date
        assert facilitator in digest_recipients(session)
        assert send_digest(session, settings_of(app), facilitator, today)
        assert not send_digest(session, settings_of(app), facilitator, today)  # once a day
        session.commit()
        digest = session.scalars(
            sa.select(OutboxEmail).where(
                OutboxEmail.person_id == facilitator.id, OutboxEmail.template == "digest"
            )
        ).one()
        text = build_message(settings_of(app), digest).get_body(preferencelist=("plain",))
        assert text is not None
        words = " ".join(text.get_content().split())
        assert "pelatihan pembukuan bersama" in words and "https://wa.me/6281226007788" in words
        assert "lewat tenggat" in words  # overdue, in the facilitator's language
    client = signed_in(app, DEMO_FACILITATOR)
    home = client.get("/").get_data(as_text=True)
    assert "pelatihan pembukuan bersama" in home
    assert 'href="https://wa.me/6281226007788"' in home
    done = client.post(
        f"/forum/follow-ups/{first}/done", data={"csrf_token": csrf_token(client, "/")}
    )
    assert done.status_code == 302
    assert "pelatihan pembukuan bersama" not in client.get("/").get_data(as_text=True)
    with app.app_context():
        facilitator = db.session.scalars(
            sa.select(Person).where(Person.email == DEMO_FACILITATOR)
        ).one()
        with pytest.raises(Conflict):
            commands.complete_follow_up(db.session(), facilitator, first)
        item = db.session.get(AgendaItem, first)
        assert item is not None and item.follow_up_done_at is not None
        assert facilitator not in digest_recipients(db.session())  # done: no more reminders
        assert not send_digest(db.session(), settings_of(app), facilitator, dt.date(2027, 1, 21))


def test_a_meeting_is_for_its_regencys_coordinators_and_its_invitees(app: Flask) -> None:
    seeded(app)
    meeting_id = _schedule(app)
    coordinator = signed_in(app, DEMO_COORDINATOR)
    page = coordinator.get(f"/forum/{meeting_id}")
    assert page.status_code == 200 and len(page.data) < 60_000
    assert "minutes-form" in page.get_data(as_text=True)
    printable = coordinator.get(f"/forum/{meeting_id}/print")
    assert (
        printable.status_code == 200
        and "<form" not in printable.get_data(as_text=True).split("<main")[1]
    )
    with app.app_context():
        invited = {p.email for p in db.session.get(ForumMeeting, meeting_id).invitees}  # type: ignore[union-attr]
    assert DEMO_FACILITATOR not in invited
    assert signed_in(app, DEMO_FACILITATOR).get(f"/forum/{meeting_id}").status_code == 404


def test_the_schedule_form_sent_twice_makes_one_meeting(app: Flask) -> None:
    """A double tap on "Schedule and invite" (the same form, its one-time key) makes one
    meeting and one round of invitations; the second answer leads to the same meeting."""
    seeded(app)
    client = signed_in(app, DEMO_COORDINATOR)
    page = client.get("/forum").get_data(as_text=True)
    found = re.search(r'name="submission_key"[^>]*value="([^"]+)"', page)
    assert found is not None
    form = {
        "csrf_token": csrf_token(client, "/forum"),
        "submission_key": found.group(1),
        "title": "Forum Desember",
        "day": "2026-12-18",
        "starts": "09:00",
        "ends": "12:00",
        "place": "Aula Bappeda Klaten",
    }
    first, second = client.post("/forum", data=form), client.post("/forum", data=form)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ForumMeeting)) == 1
        invited = len(db.session.scalars(sa.select(ForumMeeting)).one().invitees)
        sent = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxEmail)
            .where(OutboxEmail.template == "forum_invitation")
        )
        assert sent == invited
