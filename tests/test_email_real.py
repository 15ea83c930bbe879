"""The outbox sender against a real SMTP server (aiosmtpd on loopback), with real faults.

A sender process dies (``os._exit``) at each point of the send path, the server is down and comes
back, a recipient is refused for good. Each test compares three sets: the outbox rows committed
(the events), the rows marked sent, and the Message-IDs the server received.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections import Counter

import pytest
import sqlalchemy as sa
from flask import Flask

from harness.services import ROOT, SmtpServer, free_port, smtp_server, worker_env
from titiktemu.demo.seed import DEMO_COORDINATOR
from titiktemu.extensions import db
from titiktemu.mail.outbox import queue_email, render
from titiktemu.mail.sender import message_id, send_pending
from titiktemu.models import OutboxEmail, OutboxStatus, Person, Role
from titiktemu.models.base import utcnow
from titiktemu.settings import Settings

from .conftest import KLATEN
from .snapshot import seeded_demo

EMAILS = 6

#: The sender in a process of its own, dying with ``os._exit(1)`` at the named stage: no cleanup,
#: no rollback, no SMTP QUIT, as when the machine or the OOM killer ends it. The fault comes in at
#: the database seam, SQLAlchemy's transaction events, watched from outside the send path:
#: "claimed" right after the claim commits (the first commit, before any SMTP), "accepted" when
#: a commit is about to mark an email sent (the server has said 250 for it), "marked" right after
#: that commit.
CRASHING_SENDER = """
import os, sys
from sqlalchemy import event
from sqlalchemy.orm import Session
from titiktemu.app import create_core_app
from titiktemu.extensions import db
from titiktemu.mail.sender import send_pending
from titiktemu.models import OutboxEmail, OutboxStatus
from titiktemu.settings import Settings

stage = sys.argv[1]
settings = Settings.from_env()
app = create_core_app(settings)
marking = False

def before_commit(session: Session) -> None:
    global marking
    marking = any(
        isinstance(row, OutboxEmail) and row.status == OutboxStatus.SENT for row in session.dirty
    )
    if marking and stage == "accepted":
        os._exit(1)

def after_commit(session: Session) -> None:
    if stage == "claimed" or (marking and stage == "marked"):
        os._exit(1)

with app.app_context():
    event.listen(Session, "before_commit", before_commit)
    event.listen(Session, "after_commit", after_commit)
    send_pending(db.session(), settings)
"""


@pytest.fixture
def people(ctx: Flask) -> list[Person]:
    """Demo facilitators of Klaten (none a coordinator), to write to."""
    seeded_demo(db.session(), KLATEN)
    return list(
        db.session.scalars(
            sa.select(Person)
            .where(Person.regency_code == KLATEN, Person.role == Role.FACILITATOR)
            .order_by(Person.id)
            .limit(EMAILS)
        )
    )


def with_smtp(settings: Settings, url: str) -> Settings:
    return Settings(**{**settings.__dict__, "smtp_url": url})


def queue(settings: Settings, people: list[Person], event: str = "test") -> list[int]:
    """One committed email per person, as an event would queue them."""
    ids = []
    for person in people:
        row = queue_email(
            db.session(),
            settings,
            dedupe_key=f"{event}:{person.id}",
            person=person,
            template="need_expiring",
            context={"title": "Pelatihan pembukuan", "until": "2027-01-31", "url": "/needs/1"},
            regency_code=KLATEN,
        )
        assert row is not None
        ids.append(row.id)
    db.session.commit()
    return ids


def rows() -> list[OutboxEmail]:
    db.session.rollback()  # read what other processes committed
    return list(db.session.scalars(sa.select(OutboxEmail).order_by(OutboxEmail.id)))


def leases_run_out() -> None:
    """What five minutes do to a dead sender's claim (the lease is ``sender.LEASE``)."""
    db.session.execute(
        sa.update(OutboxEmail)
        .where(OutboxEmail.status == OutboxStatus.SENDING)
        .values(lease_until=utcnow() - dt.timedelta(seconds=1))
    )
    db.session.commit()


def backoffs_run_out() -> None:
    """What the retry delay does to a waiting email."""
    db.session.execute(
        sa.update(OutboxEmail)
        .where(OutboxEmail.status == OutboxStatus.PENDING)
        .values(next_attempt_at=utcnow() - dt.timedelta(seconds=1))
    )
    db.session.commit()


def the_three_sets(settings: Settings, smtp: SmtpServer) -> tuple[set[str], set[str], Counter[str]]:
    """Message-IDs of the rows committed, of the rows sent, and as received (with counts)."""
    every = rows()
    committed = {message_id(settings, r.id) for r in every}
    sent = {message_id(settings, r.id) for r in every if r.status == OutboxStatus.SENT}
    return committed, sent, smtp.message_ids()


@pytest.mark.parametrize("stage", ["claimed", "accepted", "marked"])
def test_a_sender_dying_anywhere_loses_nothing(
    people: list[Person], settings: Settings, stage: str
) -> None:
    with smtp_server() as smtp:
        ids = queue(settings, people)
        env = worker_env(settings, None, smtp.url)
        crash = subprocess.run(
            [sys.executable, "-c", CRASHING_SENDER, stage],
            env=env,
            cwd=ROOT,
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert crash.returncode == 1, crash.stderr.decode()
        first = message_id(settings, ids[0])
        # Where it died: nothing reached the server before its 250; one email after it.
        assert list(smtp.message_ids()) == ([] if stage == "claimed" else [first])
        assert all(r.status == OutboxStatus.SENDING for r in rows()[1:])
        assert rows()[0].status == (
            OutboxStatus.SENT if stage == "marked" else OutboxStatus.SENDING
        )

        leases_run_out()
        report = send_pending(db.session(), with_smtp(settings, smtp.url))
        committed, sent, received = the_three_sets(settings, smtp)
        assert committed == sent == set(received)  # 0 lost
        duplicates = {mid: n for mid, n in received.items() if n > 1}
        if stage == "accepted":  # the one the server took before the sender could mark it
            assert duplicates == {first: 2}
            copies = [r for r in smtp.received if r.message_id == first]
            assert copies[0].message["Subject"] == copies[1].message["Subject"]
        else:
            assert duplicates == {}
        assert report.sent == EMAILS - (stage == "marked")
        assert all(r.attempts == 2 for r in rows() if r.id != ids[0] or stage != "marked")


def test_the_server_down_for_a_while_then_up_delivers_each_once(
    people: list[Person], settings: Settings
) -> None:
    port = free_port()
    down = with_smtp(settings, f"smtp://127.0.0.1:{port}")
    ids = queue(settings, people)
    for attempt in (1, 2):  # nothing listens on the port
        report = send_pending(db.session(), down)
        assert (report.sent, report.retrying) == (0, EMAILS)
        waiting = rows()
        assert all(r.status == OutboxStatus.PENDING for r in waiting)
        assert all(r.attempts == attempt for r in waiting)
        assert all(r.next_attempt_at is not None and r.next_attempt_at > utcnow() for r in waiting)
        assert "ConnectionRefusedError" in waiting[0].last_error
        assert send_pending(db.session(), down).sent == 0  # backing off: not due yet
        backoffs_run_out()
    with smtp_server(port) as smtp:
        assert send_pending(db.session(), down).sent == EMAILS
        assert send_pending(db.session(), down).sent == 0
        committed, sent, received = the_three_sets(settings, smtp)
        assert committed == sent == set(received) == {message_id(settings, i) for i in ids}
        assert set(received.values()) == {1}
        assert all(r.attempts == 3 and r.last_error == "" for r in rows())


def test_a_refused_recipient_fails_after_one_attempt_and_coordinators_hear_of_it(
    people: list[Person], settings: Settings
) -> None:
    refused = people[1]
    with smtp_server(refuse=[refused.email]) as smtp:
        mailing = with_smtp(settings, smtp.url)
        ids = queue(settings, people)
        report = send_pending(db.session(), mailing)
        assert report.sent == EMAILS - 1 and report.failed == [ids[1]] and report.retrying == 0
        failed = next(r for r in rows() if r.id == ids[1])
        assert failed.status == OutboxStatus.FAILED and failed.attempts == 1
        assert failed.last_error.startswith("550")
        notices = [r for r in rows() if r.template == "delivery_failed"]
        assert [n.to_address for n in notices] == [DEMO_COORDINATOR]
        assert notices[0].status == OutboxStatus.PENDING

        assert send_pending(db.session(), mailing).sent == 1  # the notice; never the 550 again
        committed, sent, received = the_three_sets(settings, smtp)
        assert committed - sent == {message_id(settings, ids[1])}
        assert sent == set(received) and set(received.values()) == {1}
        assert all(refused.email not in r.recipients for r in smtp.received)
        notice = next(r for r in smtp.received if r.recipients == (DEMO_COORDINATOR,))
        body = notice.message.get_body(("plain",))
        assert body is not None and refused.email in body.get_content()
        failed = next(r for r in rows() if r.id == ids[1])
        assert failed.status == OutboxStatus.FAILED and failed.attempts == 1


def test_a_queued_email_is_sent_by_a_sender_started_after_it_as_it_read_when_queued(
    people: list[Person], settings: Settings
) -> None:
    """The outbox holds what to write, not a rendering in one process's memory: a sender started
    later (a worker restarted, another machine) writes each email as it read when queued."""
    context = {"title": "Pelatihan pembukuan", "until": dt.date(2027, 1, 31), "url": "/needs/1"}
    expected = {p.email: render(settings, "need_expiring", p, context) for p in people}
    for person in people:
        queue_email(
            db.session(),
            settings,
            dedupe_key=f"restart:{person.id}",
            person=person,
            template="need_expiring",
            context=context,
            regency_code=KLATEN,
        )
    db.session.commit()
    db.session.remove()
    db.engine.dispose()  # nothing of the queueing process is left for the sender to lean on
    with smtp_server() as smtp:
        sender = subprocess.run(
            [sys.executable, "-c", CRASHING_SENDER, "never"],
            env=worker_env(settings, None, smtp.url),
            cwd=ROOT,
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert sender.returncode == 0, sender.stderr.decode()
        assert len(smtp.received) == EMAILS
        for mail in smtp.received:
            (address,) = mail.recipients
            text = mail.message.get_body(("plain",))
            assert text is not None
            assert mail.subject == expected[address].subject
            # SMTP carries CRLF line ends: the same text, line for line
            assert text.get_content().replace("\r\n", "\n") == expected[address].text
    assert all(r.status == OutboxStatus.SENT for r in rows())
    assert {r.body_text for r in rows()} == {e.text for e in expected.values()}
