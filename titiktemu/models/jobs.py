"""Background jobs as rows: the database, not the broker, remembers what must run.

A job row is written in the same transaction as the change that needs it and sent to Celery
after commit. Retries wait in ``next_attempt_at`` (not in long Celery countdowns that a broker
restart could lose), progress is visible to the web, and a job that failed for good is "dead"
where a coordinator can see it.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from titiktemu.models.base import Base, Timestamped, str_enum


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    RETRYING = "retrying"
    DONE = "done"
    DEAD = "dead"


class JobRun(Timestamped, Base):
    __tablename__ = "job_runs"
    __table_args__ = (sa.Index("ix_job_runs_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(sa.String(80))
    args: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    regency_code: Mapped[str | None] = mapped_column(sa.ForeignKey("regencies.code"), index=True)
    status: Mapped[JobStatus] = mapped_column(
        str_enum(JobStatus, "job_status"), default=JobStatus.QUEUED, index=True
    )
    stage: Mapped[str] = mapped_column(sa.String(40), default="")
    percent: Mapped[float] = mapped_column(default=0.0)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=5)
    #: When a queued or retrying job should be (re)sent; a running job's lease ends here too.
    next_attempt_at: Mapped[dt.datetime | None]
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    finished_at: Mapped[dt.datetime | None]
