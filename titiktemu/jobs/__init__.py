"""Jobs: written with the change that needs them, sent after commit, run once, retried from the DB.

``enqueue`` adds a ``JobRun`` row (its task a :class:`~titiktemu.jobs.names.TaskName`) to the
caller's transaction; only when that transaction commits is the job sent (a rolled-back
submission never runs a task). ``run_job`` claims the row with a conditional update, so a job
delivered twice runs once (a short job, an incremental match of a few milliseconds, is claimed
by its done mark in its work's transaction: ``run_short_job``); a failure is retried later by
the sweep (``requeue_due``) with capped exponential backoff, and after ``max_attempts`` it is
dead. The claim, lease, backoff and sweep are the outbox's too: :mod:`titiktemu.jobs.lease`.

A *detached* job (``enqueue(..., detached=True)``) is one whose running time must not show in
the answer of the request that queued it (a password reset: known and unknown addresses must
answer alike). With a broker nothing changes; on the embedded default, where other jobs run
inline after the commit, it runs in this process's job thread a moment after the answer.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from titiktemu.app import settings_of
from titiktemu.extensions import db
from titiktemu.jobs.lease import Backoff, DurableQueue
from titiktemu.jobs.names import TaskName
from titiktemu.jobs.queue import celery_of
from titiktemu.models import JobRun, JobStatus
from titiktemu.models.base import run, utcnow

log = logging.getLogger(__name__)

#: A queued job not picked up within this time is sent again (broker restarted, message lost).
RESEND_AFTER = dt.timedelta(seconds=60)
#: The job table's lease protocol (the lease itself is a setting: ``lease()``).
JOBS = DurableQueue(
    model=JobRun,
    id=JobRun.id,
    status=JobRun.status,
    attempts=JobRun.attempts,
    retry_at=JobRun.next_attempt_at,
    lease_until=JobRun.next_attempt_at,  # one column: when to send again, or when it is lost
    last_error=JobRun.last_error,
    waiting=(JobStatus.QUEUED, JobStatus.RETRYING),
    running=JobStatus.RUNNING,
    retrying=JobStatus.RETRYING,
    given_up=JobStatus.DEAD,
    backoff=Backoff(base=dt.timedelta(seconds=15), cap=dt.timedelta(hours=1)),
)

_PENDING = "titiktemu.jobs_after_commit"
_DETACHED = "titiktemu.detached_jobs_after_commit"
_KICKS = "titiktemu.kicks_after_commit"
_JOB_THREAD = "titiktemu.job_thread"
_JOB_THREAD_LOCK = threading.Lock()
#: On the embedded default a detached job waits this long in the job thread, so the request that
#: queued it has written its answer before the job competes with it for the interpreter.
DETACHED_DELAY = 0.05

Progress = Callable[[str, float], None]

_NO_DISK_WAIT = sa.text("SET LOCAL synchronous_commit TO OFF")
#: A job's done mark, built once (written by every job, with its work).
_DONE = (
    sa.update(JobRun)
    .where(JobRun.id == sa.bindparam("job_id"))
    .values(
        status=JobStatus.DONE,
        stage="done",
        percent=100.0,
        finished_at=sa.bindparam("finished_at", type_=JobRun.finished_at.type),
        last_error="",
    )
)


def enqueue(
    session: Session,
    task: TaskName,
    *args: Any,
    regency_code: str | None = None,
    max_attempts: int = 5,
    send: bool = True,
    detached: bool = False,
) -> JobRun:
    """Add a job to the session's transaction; it is sent only if that transaction commits
    (``send=False``: the caller runs it itself, e.g. the CLI showing live progress;
    ``detached``: never run inside the request, even without a broker, see the module doc)."""
    job = JobRun(
        task=str(task),
        args=list(args),
        regency_code=regency_code,
        status=JobStatus.QUEUED,
        max_attempts=max_attempts,
        next_attempt_at=utcnow() + RESEND_AFTER,
    )
    session.add(job)
    session.flush()
    if detached and send:
        session.info.setdefault(_DETACHED, []).append(job.id)
    elif send:
        # What the message carries, kept here: sending after the commit reads nothing back.
        pending: list[tuple[str, tuple[Any, ...]]] = session.info.setdefault(_PENDING, [])
        pending.append((job.task, (*job.args, job.id)))
    return job


def kick(session: Session, task: TaskName) -> None:
    """Run an untracked sweep task (e.g. the outbox sender) once this transaction commits.

    For work whose durable state is already a row of its own (an outbox email), a job row would
    only repeat it; the beat sweep catches anything a lost kick misses.
    """
    kicks: list[str] = session.info.setdefault(_KICKS, [])
    if task not in kicks:
        kicks.append(str(task))


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    jobs: list[tuple[str, tuple[Any, ...]]] = session.info.pop(_PENDING, [])
    detached: list[int] = session.info.pop(_DETACHED, [])
    kicks: list[str] = session.info.pop(_KICKS, [])
    if (jobs or detached or kicks) and has_app_context():
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
        for task, args in jobs:
            _send(app, task, args)
        for job_id in detached:
            if not settings_of(app).eager:
                dispatch(app, job_id)
                continue
            try:
                _job_thread(app).submit(_run_detached, app, job_id)
            except RuntimeError:  # the interpreter is shutting down: the row waits for a sweep
                log.warning("detached job %s left queued at shutdown", job_id)
        for task in kicks:
            _send(app, task, ())


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_DETACHED, None)
    session.info.pop(_KICKS, None)


def _job_thread(app: Flask) -> ThreadPoolExecutor:
    """The app's one job thread (detached jobs on the embedded default run there, in order)."""
    with _JOB_THREAD_LOCK:
        executor: ThreadPoolExecutor | None = app.extensions.get(_JOB_THREAD)
        if executor is None:
            executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="titiktemu-job")
            app.extensions[_JOB_THREAD] = executor
        return executor


def _run_detached(app: Flask, job_id: int) -> None:
    time.sleep(DETACHED_DELAY)
    try:
        dispatch(app, job_id)
    except Exception:  # the row stays queued, and ``requeue_due`` sends it again
        log.exception("detached job %s could not run", job_id)


def settle(app: Flask, timeout: float = 30.0) -> None:
    """Wait until every detached job this process has queued so far has run (tests wait here
    before they look for its effects). Nothing to wait for with a broker."""
    executor: ThreadPoolExecutor | None = app.extensions.get(_JOB_THREAD)
    if executor is not None:
        executor.submit(lambda: None).result(timeout)


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
    """Claim the job, do ``work``, record the outcome; False when someone else has it or it's over.

    The done mark commits with whatever ``work`` left uncommitted (a match's proposals): the job
    is done exactly when its work is, in one commit."""
    now = utcnow()
    session = db.session()
    _claim_without_waiting_for_disk(session)
    # A job handed over runs even before its resend time; a running one only when its lease ended.
    claimed = JOBS.claim_ready(session, job_id, now=now, lease=lease(), stage="start", percent=0.0)
    session.commit()
    if not claimed:
        return False

    def progress(stage: str, percent: float) -> None:
        _report(job_id, stage, percent)

    try:
        work(progress)
        run(db.session(), _DONE, {"job_id": job_id, "finished_at": utcnow()})
        db.session.commit()
    except Exception as exc:  # recorded for retry or as dead; never silently dropped
        db.session.rollback()
        _failed(job_id, exc)
    return True


#: A short job's claim and done mark in one conditional write, after its work (``run_short_job``):
#: the done mark, on a job still waiting (or lost), counting the attempt.
_CLAIMED_AND_DONE = _DONE.where(
    JOBS.ready(sa.bindparam("now", type_=JobRun.next_attempt_at.type))
).values(attempts=JobRun.attempts + 1)


def run_short_job(job_id: int, work: Callable[[], None]) -> bool:
    """Do ``work``, then claim the job and mark it done in one conditional write, and commit
    both at once; False (the work rolled back) when the job was no longer waiting.

    For jobs of a few milliseconds that report no progress and do not commit themselves (the
    incremental matches). ``run_job``'s claim is a transaction of its own so that a long job
    shows as running while it works; a short one does not need it, and saves its statements, its
    commit and a connection checkout: a third of a match's round trips. A copy of the job
    delivered twice waits at the done mark for the first copy's commit (PostgreSQL's row lock,
    SQLite's one writer), then finds it done and keeps nothing of its own work. A copy running
    longer than the resend time (a minute) may be sent again: the same holds. A failed attempt
    is claimed and recorded after the rollback, as ``run_job`` records it."""
    session = db.session()
    try:
        work()
        now = utcnow()
        bound = {"job_id": job_id, "now": now, "finished_at": now}
        won = run(session, _CLAIMED_AND_DONE, bound).rowcount == 1
        if not won:
            session.rollback()
            return False
        session.commit()
    except Exception as exc:  # recorded for retry or as dead; never silently dropped
        session.rollback()
        if not JOBS.claim_ready(session, job_id, now=utcnow(), lease=lease(), stage="start"):
            session.rollback()
            return False  # another copy finished it, or it is over
        _failed(job_id, exc)
    return True


def _claim_without_waiting_for_disk(session: Session) -> None:
    """PostgreSQL: this transaction's commit returns before its WAL reaches the disk.

    Only for the claim: a claim lost in a crash of the database sends the job again (the row is
    waiting again, and a job is done at least once anyway); the work's commit, which moves the
    regency's counter that warm engines trust, still waits for the disk, and flushes this one's
    WAL with it. Saves one disk flush per job (3-8 ms on a busy machine)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_NO_DISK_WAIT)


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
    error = f"{type(exc).__name__}: {exc}"
    if JOBS.retry_or_give_up(job, error, max_attempts=job.max_attempts, now=utcnow()):
        log.warning("job %s (%s) failed, attempt %d: %s", job.id, job.task, job.attempts, exc)
    else:
        job.finished_at = utcnow()
        log.error("job %s (%s) is dead after %d attempts: %s", job.id, job.task, job.attempts, exc)
    db.session.commit()


def backoff(attempts: int) -> dt.timedelta:
    """15 s, 30 s, 1 min, 2 min ... capped at an hour."""
    return JOBS.backoff.after(attempts)


def requeue_due(app: Flask, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Send again every job whose time has come: retries, lost sends, leases run out."""
    now = now or utcnow()
    with app.app_context():
        due = JOBS.due_ids(db.session(), now, limit, lease_order=True)
        JOBS.postpone(db.session(), due, now + RESEND_AFTER)
        db.session.commit()
    for job_id in due:
        dispatch(app, job_id)
    return len(due)
