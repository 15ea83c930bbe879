"""The one lease protocol of jobs and the outbox (titiktemu.jobs.lease), on the real database.

Each rule is checked on both tables, so a copy drifting back into one of them shows here: a claim
is won once until its lease ends, a waiting row is due at its time, a failed attempt backs off
and the last one gives up.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask

from titiktemu.extensions import db
from titiktemu.jobs import JOBS, enqueue
from titiktemu.jobs.lease import DurableQueue
from titiktemu.jobs.names import TaskName
from titiktemu.mail.sender import OUTBOX
from titiktemu.models import OutboxEmail, OutboxStatus
from titiktemu.models.base import utcnow

from .conftest import KLATEN

LEASE = dt.timedelta(minutes=2)
SECOND = dt.timedelta(seconds=1)


def a_job() -> int:
    job = enqueue(db.session(), TaskName.REBUILD_REGENCY, KLATEN, regency_code=KLATEN, send=False)
    db.session.commit()
    return job.id


def an_email(n: int, **values: object) -> int:
    row = OutboxEmail(
        dedupe_key=f"lease-test:{n}",
        to_address=f"p{n}@example.org",
        template="need_expiring",
        subject="s",
        body_text="t",
        **values,
    )
    db.session.add(row)
    db.session.commit()
    return row.id


def test_backoff_doubles_and_is_capped() -> None:
    seconds = [int(JOBS.backoff.after(n).total_seconds()) for n in range(0, 10)]
    assert seconds == [15, 15, 30, 60, 120, 240, 480, 960, 1920, 3600]
    assert OUTBOX.backoff.after(1) == dt.timedelta(seconds=30)
    assert OUTBOX.backoff.after(30) == dt.timedelta(hours=2)


@pytest.mark.parametrize("queue", [JOBS, OUTBOX], ids=["jobs", "outbox"])
def test_a_claim_is_won_once_until_its_lease_ends(ctx: Flask, queue: DurableQueue[Any]) -> None:
    row_id = a_job() if queue is JOBS else an_email(1)
    now = utcnow()
    session = db.session()

    def claim(at: dt.datetime) -> bool:
        return queue.claim(session, row_id, now=at, lease=LEASE, when=queue.ready(at))

    assert claim(now)
    assert not claim(now)  # running, its lease not over
    assert not claim(now + LEASE - SECOND)
    assert claim(now + LEASE + SECOND)  # taken as lost: its worker went silent
    session.commit()
    row = session.get(queue.model, row_id)
    assert row is not None
    assert getattr(row, queue.attempts.key) == 2
    assert getattr(row, queue.status.key) == queue.running


def test_a_waiting_row_is_due_at_its_time_and_a_batch_takes_due_and_lost(ctx: Flask) -> None:
    now = utcnow()
    later = an_email(1, next_attempt_at=now + dt.timedelta(minutes=1))
    at_once = an_email(2)  # no time: due now
    lost = an_email(3, status=OutboxStatus.SENDING, attempts=1, lease_until=now - SECOND)
    alive = an_email(4, status=OutboxStatus.SENDING, attempts=1, lease_until=now + LEASE)
    assert OUTBOX.claim_due(db.session(), 10, now=now, lease=LEASE) == [at_once, lost]
    db.session.commit()
    assert OUTBOX.claim_due(db.session(), 10, now=now, lease=LEASE) == []
    db.session.commit()
    taken = OUTBOX.claim_due(db.session(), 10, now=now + LEASE + SECOND, lease=LEASE)
    assert taken == [later, at_once, lost, alive]


def test_the_job_sweep_finds_due_jobs_and_postpones_them(ctx: Flask) -> None:
    job_id = a_job()  # queued, to be sent again a minute from now
    now = utcnow()
    session = db.session()
    assert JOBS.due_ids(session, now, 10) == []
    soon = now + dt.timedelta(minutes=2)
    assert JOBS.due_ids(session, soon, 10) == [job_id]
    JOBS.postpone(session, [job_id], soon + dt.timedelta(minutes=1))
    session.commit()
    assert JOBS.due_ids(session, soon, 10) == []
    # A job handed to a worker runs at once, before its resend time.
    assert JOBS.claim(session, job_id, now=now, lease=LEASE, when=JOBS.ready(now))


@pytest.mark.parametrize("queue", [JOBS, OUTBOX], ids=["jobs", "outbox"])
def test_a_failed_attempt_backs_off_and_the_last_gives_up(
    ctx: Flask, queue: DurableQueue[Any]
) -> None:
    row_id = a_job() if queue is JOBS else an_email(1)
    session = db.session()
    now = utcnow()
    for attempt in (1, 2):
        assert queue.claim(session, row_id, now=now, lease=LEASE, when=queue.ready(now))
        session.commit()
        row = session.get(queue.model, row_id)
        again = queue.retry_or_give_up(row, "boom " * 1000, max_attempts=2, now=now)
        session.commit()
        assert again == (attempt == 1)
        if again:  # waits its backoff: not due now, due after it
            assert getattr(row, queue.status.key) == queue.retrying
            assert queue.due_ids(session, now, 10) == []
            assert queue.due_ids(session, now + queue.backoff.after(1) + SECOND, 10) == [row_id]
    row = session.get(queue.model, row_id)
    assert getattr(row, queue.status.key) == queue.given_up
    assert len(getattr(row, queue.last_error.key)) == 2000
    assert queue.due_ids(session, now + dt.timedelta(days=1), 10) == []
