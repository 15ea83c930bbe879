"""Short jobs (``run_short_job``): claimed by their done mark, in their work's transaction.

A copy delivered while the first still works waits for it and keeps nothing of its own work; a
copy delivered after it is done does nothing; a failed attempt is counted, backs off, and the
last one gives up; nothing is ever half done. Real commits, and real threads for the race
(PostgreSQL: the second writer waits at the job's row for the first one's commit).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from titiktemu.extensions import db
from titiktemu.jobs import enqueue, run_short_job
from titiktemu.jobs.names import TaskName
from titiktemu.models import AuditEntry, JobRun, JobStatus

from .conftest import KLATEN


def a_job(app: Flask, max_attempts: int = 5) -> int:
    with app.app_context():
        job = enqueue(
            db.session(),
            TaskName.MATCH_NEED,
            0,
            regency_code=KLATEN,
            max_attempts=max_attempts,
            send=False,
        )
        db.session.commit()
        return job.id


def writes(mark: str) -> Callable[[], None]:
    """Work that leaves an audit line ``mark`` (uncommitted: the job commits it)."""

    def work() -> None:
        db.session().add(AuditEntry(action=mark, object_type="job", object_id="0"))

    return work


def stored(app: Flask, job_id: int) -> tuple[JobStatus, int, list[str]]:
    with app.app_context():
        session = db.session()
        job = session.get_one(JobRun, job_id)
        marks = session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.action.like("work.%"))
            .order_by(AuditEntry.id)
        ).all()
        found = (job.status, job.attempts, list(marks))
        db.session.remove()
        return found


def test_a_short_job_commits_its_work_with_its_claim_and_done_mark(app: Flask) -> None:
    job_id = a_job(app)
    with app.app_context():
        assert run_short_job(job_id, writes("work.first"))
        db.session.remove()
    assert stored(app, job_id) == (JobStatus.DONE, 1, ["work.first"])
    with app.app_context():  # delivered again (a worker lost before its acknowledgement)
        assert not run_short_job(job_id, writes("work.again"))
        db.session.remove()
    assert stored(app, job_id) == (JobStatus.DONE, 1, ["work.first"])


def test_a_failed_short_job_keeps_nothing_counts_the_attempt_and_the_last_gives_up(
    app: Flask,
) -> None:
    job_id = a_job(app, max_attempts=2)

    def fails() -> None:
        writes("work.half")()
        db.session().flush()
        raise RuntimeError("boom")

    with app.app_context():
        assert run_short_job(job_id, fails)
        db.session.remove()
    assert stored(app, job_id) == (JobStatus.RETRYING, 1, [])
    with app.app_context():
        assert "boom" in db.session.get_one(JobRun, job_id).last_error
        assert run_short_job(job_id, fails)
        db.session.remove()
    assert stored(app, job_id) == (JobStatus.DEAD, 2, [])
    with app.app_context():  # a dead job sent again by hand does nothing
        assert not run_short_job(job_id, writes("work.late"))
        db.session.remove()
    assert stored(app, job_id) == (JobStatus.DEAD, 2, [])


def test_two_copies_at_once_one_does_the_work_the_other_keeps_nothing(app: Flask) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the race needs PostgreSQL (SQLite has one writer at a time)")
    job_id = a_job(app)
    first_marked = threading.Event()
    second_waits = threading.Event()
    outcomes: dict[str, bool] = {}

    def hold_before_commit(session: Session) -> None:
        """The first copy, its done mark written, waits to commit until the second copy's done
        mark has been sent (and so waits on the job's row)."""
        if threading.current_thread().name == "first":
            first_marked.set()
            assert second_waits.wait(10)

    def copy(name: str, ready: threading.Event | None) -> None:
        with app.app_context():

            def work() -> None:
                writes(f"work.{name}")()
                if ready is not None:
                    assert ready.wait(10)  # the first holds its mark
                    threading.Timer(0.3, second_waits.set).start()

            outcomes[name] = run_short_job(job_id, work)
            db.session.remove()

    sa.event.listen(Session, "before_commit", hold_before_commit)
    try:
        first = threading.Thread(target=copy, args=("first", None), name="first")
        second = threading.Thread(target=copy, args=("second", first_marked), name="second")
        first.start()
        second.start()
        first.join(20)
        second.join(20)
    finally:
        sa.event.remove(Session, "before_commit", hold_before_commit)
    assert outcomes == {"first": True, "second": False}
    assert stored(app, job_id) == (JobStatus.DONE, 1, ["work.first"])
