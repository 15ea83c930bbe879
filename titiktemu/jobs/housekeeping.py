"""A coordinator's housekeeping: rebuild the regency now, watch its jobs, see failed emails."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.audit import record
from titiktemu.jobs import enqueue
from titiktemu.jobs.names import TaskName
from titiktemu.models import JobRun, JobStatus, OutboxEmail, OutboxStatus, Person
from titiktemu.review.commands import may_review

REBUILD_TASK = TaskName.REBUILD_REGENCY
#: Jobs that have not finished yet, one way or the other.
UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.RETRYING)


def request_rebuild(session: Session, person: Person, regency_code: str) -> tuple[JobRun, bool]:
    """Queue a full rebuild of the regency; a rebuild already waiting is returned instead of a
    second one (a double tap on a slow phone). The caller commits; the job runs after that."""
    if not may_review(person, regency_code):
        raise PermissionError(regency_code)
    waiting = session.scalars(
        sa.select(JobRun)
        .where(
            JobRun.task == REBUILD_TASK,
            JobRun.regency_code == regency_code,
            JobRun.status.in_(UNFINISHED),
        )
        .order_by(JobRun.id)
        .limit(1)
    ).first()
    if waiting is not None:
        return waiting, False
    job = enqueue(session, REBUILD_TASK, regency_code, regency_code=regency_code)
    record(session, "rebuild.requested", "job", job.id, actor_id=person.id, regency=regency_code)
    return job, True


def jobs_of(session: Session, regency_code: str, limit: int = 50) -> list[JobRun]:
    """The regency's latest jobs, newest first."""
    return list(
        session.scalars(
            sa.select(JobRun)
            .where(JobRun.regency_code == regency_code)
            .order_by(JobRun.id.desc())
            .limit(limit)
        )
    )


def failed_emails(session: Session, regency_code: str, limit: int = 100) -> list[OutboxEmail]:
    """Emails of the regency that could not be delivered, newest first."""
    return list(
        session.scalars(
            sa.select(OutboxEmail)
            .where(
                OutboxEmail.regency_code == regency_code,
                OutboxEmail.status == OutboxStatus.FAILED,
            )
            .order_by(OutboxEmail.updated_at.desc(), OutboxEmail.id.desc())
            .limit(limit)
        )
    )
