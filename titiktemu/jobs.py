"""Jobs: written with the change that needs them, sent after commit, run once, retried from the DB.

``enqueue`` adds a ``JobRun`` row to the caller's transaction; only when that transaction
commits is the job sent (a rolled-back submission never runs a task). ``run_job`` claims the row
with a conditional update, so a job delivered twice runs once; a failure is retried later by the
sweep (``requeue_due``) with capped exponential backoff, and after ``max_attempts`` it is dead.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from titiktemu.app import settings_of
from titiktemu.extensions import db
from titiktemu.models import JobRun, JobStatus
from titiktemu.models.base import utcnow
from titiktemu.queue import celery_of

log = logging.getLogger(__name__)

#: A queued job not picked up within this time is sent again (broker restarted, message lost).
RESEND_AFTER = dt.timedelta(seconds=60)
MAX_BACKOFF = dt.timedelta(hours=1)
BASE_BACKOFF = dt.timedelta(seconds=15)

_PENDING = "titiktemu.jobs_after_commit"
_KICKS = "titiktemu.kicks_after_commit"

Progress = Callable[[str, float], None]


def enqueue(
    session: Session,
    task: str,
    *args: Any,
    regency_code: str | None = None,
    max_attempts: int = 5,
    send: bool = True,
) -> JobRun:
    """Add a job to the session's transaction; it is sent only if that transaction commits
    (``send=False``: the caller runs it itself, e.g. the CLI showing live progress)."""
    job = JobRun(
        task=task,
        args=list(args),
        regency_code=regency_code,
        status=JobStatus.QUEUED,
        max_attempts=max_attempts,
        next_attempt_at=utcnow() + RESEND_AFTER,
    )
    session.add(job)
    session.flush()
    if send:
        session.info.setdefault(_PENDING, []).append(job.id)
    return job


def kick(session: Session, task: str) -> None:
    """Run an untracked sweep task (e.g. the outbox sender) once this transaction commits.

    For work whose durable state is already a row of its own (an outbox email), a job row would
    only repeat it; the beat sweep catches anything a lost kick misses.
    """
    kicks: list[str] = session.info.setdefault(_KICKS, [])
    if task not in kicks:
        kicks.append(task)


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    job_ids: list[int] = session.info.pop(_PENDING, [])
    kicks: list[str] = session.info.pop(_KICKS, [])
    if (job_ids or kicks) and has_app_context():
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
        for job_id in job_ids:
            dispatch(app, job_id)
        for task in kicks:
            _send(app, task, ())


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_KICKS, None)


def dispatch(app: Flask, job_id: int) -> None:
    """Send one job to Celery (or run it now, in a context of its own, when there is no broker).

    Never raises: a job that cannot be sent stays in the table and the sweep sends it later.
    """
    with app.app_context():
        job = db.session.get(JobRun, job_id)
        if job is None:
            return
        task, args = job.task, (*job.args, job.id)
        db.session.remove()
    _send(app, task, args)


def _send(app: Flask, task: str, args: tuple[Any, ...]) -> None:
    celery = celery_of(app)
    try:
        if settings_of(app).eager:
            celery.loader.import_default_modules()
            celery.tasks[task].apply(args=args)
        else:
            celery.send_task(task, args=list(args))
    except Exception:  # the row is the source of truth; the sweep sends it again later
        log.exception("could not send %s%s", task, args)


def lease() -> dt.timedelta:
    """A running job that has not reported for this long is taken to be lost (worker killed)."""
    return dt.timedelta(seconds=settings_of(current_app).job_lease_seconds)


def run_job(job_id: int, work: Callable[[Progress], None]) -> bool:
    """Claim the job, do ``work``, record the outcome; False when someone else has it or it's over."""
    now = utcnow()
    claimed = db.session.execute(
        sa.update(JobRun)
        .where(
            JobRun.id == job_id,
            sa.or_(
                JobRun.status.in_([JobStatus.QUEUED, JobStatus.RETRYING]),
                sa.and_(JobRun.status == JobStatus.RUNNING, JobRun.next_attempt_at < now),
            ),
        )
        .values(
            status=JobStatus.RUNNING,
            attempts=JobRun.attempts + 1,
            next_attempt_at=now + lease(),
            stage="start",
            percent=0.0,
        )
    )
    db.session.commit()
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False

    def progress(stage: str, percent: float) -> None:
        _report(job_id, stage, percent)

    try:
        work(progress)
    except Exception as exc:  # recorded for retry or as dead; never silently dropped
        db.session.rollback()
        _failed(job_id, exc)
        return True
    db.session.execute(
        sa.update(JobRun)
        .where(JobRun.id == job_id)
        .values(
            status=JobStatus.DONE, stage="done", percent=100.0, finished_at=utcnow(), last_error=""
        )
    )
    db.session.commit()
    return True


def _report(job_id: int, stage: str, percent: float) -> None:
    """Progress on its own connection, so it shows at once without committing the work."""
    with db.engine.begin() as conn:
        conn.execute(
            sa.update(JobRun)
            .where(JobRun.id == job_id)
            .values(stage=stage[:40], percent=round(percent, 1), next_attempt_at=utcnow() + lease())
        )


def _failed(job_id: int, exc: BaseException) -> None:
    job = db.session.get(JobRun, job_id)
    if job is None or job.status != JobStatus.RUNNING:
        return  # a copy of the job that outlived its lease finished it meanwhile
    job.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if job.attempts >= job.max_attempts:
        job.status = JobStatus.DEAD
        job.finished_at = utcnow()
        log.error("job %s (%s) is dead after %d attempts: %s", job.id, job.task, job.attempts, exc)
    else:
        job.status = JobStatus.RETRYING
        job.next_attempt_at = utcnow() + backoff(job.attempts)
        log.warning("job %s (%s) failed, attempt %d: %s", job.id, job.task, job.attempts, exc)
    db.session.commit()


def backoff(attempts: int) -> dt.timedelta:
    """15 s, 30 s, 1 min, 2 min ... capped at an hour."""
    delay: dt.timedelta = BASE_BACKOFF * (2 ** max(attempts - 1, 0))
    return min(delay, MAX_BACKOFF)


def requeue_due(app: Flask, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Send again every job whose time has come: retries, lost sends, leases run out."""
    now = now or utcnow()
    with app.app_context():
        due = db.session.scalars(
            sa.select(JobRun.id)
            .where(
                JobRun.status.in_([JobStatus.QUEUED, JobStatus.RETRYING, JobStatus.RUNNING]),
                JobRun.next_attempt_at <= now,
            )
            .order_by(JobRun.next_attempt_at, JobRun.id)
            .limit(limit)
        ).all()
        db.session.execute(
            sa.update(JobRun)
            .where(JobRun.id.in_(due), JobRun.status != JobStatus.RUNNING)
            .values(next_attempt_at=now + RESEND_AFTER)
        )
        db.session.commit()
    for job_id in due:
        dispatch(app, job_id)
    return len(due)
