"""Celery, configured from the shared settings, one instance per Flask app.

Web (to send jobs) and worker (to run them) both call ``celery_init_app``; the task code lives in
``worker.tasks`` and is found by name, so neither side imports the other. With no broker set the
same tasks run in process (``task_always_eager``).
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from celery.schedules import crontab
from flask import Flask

from titiktemu.app import settings_of
from titiktemu.jobs.names import TaskName

#: Longer than any task may run (task_time_limit), so Redis never re-delivers a live task.
VISIBILITY_TIMEOUT = 2 * 60 * 60
TASK_TIME_LIMIT = 60 * 60


def celery_init_app(app: Flask) -> Celery[Any]:
    """A Celery app bound to ``app``: every task runs inside a fresh app context of it."""
    settings = settings_of(app)

    class FlaskTask(Task[Any, Any]):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            # A fresh context per task: a fresh database session, even when run eagerly inside
            # another request's after-commit hook.
            with app.app_context():
                return self.run(*args, **kwargs)

    celery: Celery[Any] = Celery(app.name, task_cls=FlaskTask)
    celery.conf.update(
        broker_url=settings.broker_url or "memory://",
        task_always_eager=settings.eager,
        task_eager_propagates=True,
        task_ignore_result=True,
        # Reliability: a task is acknowledged only when done, and goes back to the queue when
        # the worker dies under it; each worker process takes one task at a time.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
        task_time_limit=TASK_TIME_LIMIT,
        task_soft_time_limit=TASK_TIME_LIMIT - 60,
        broker_connection_retry_on_startup=True,
        # A task running when Redis drops may finish: its job row, not the broker, records it.
        worker_cancel_long_running_tasks_on_connection_loss=False,
        task_default_queue="titiktemu",
        imports=("worker.tasks",),
        timezone="Asia/Jakarta",
        beat_schedule={
            "nightly-rebuild": {
                "task": TaskName.REBUILD_ALL,
                "schedule": crontab(hour=2, minute=0),
            },
            "outbox-sweep": {"task": TaskName.SEND_PENDING_EMAIL, "schedule": 60.0},
            "job-sweep": {"task": TaskName.REQUEUE_JOBS, "schedule": 60.0},
            "daily-digest": {
                "task": TaskName.SEND_DIGESTS,
                "schedule": crontab(hour=7, minute=0),
            },
            # Uploaded files of rejected and replaced checks go once a day old (retention.py).
            "import-file-retention": {
                "task": TaskName.PRUNE_IMPORT_FILES,
                "schedule": crontab(minute=40),
            },
            "expiry-reminders": {
                "task": TaskName.REMIND_EXPIRING_NEEDS,
                "schedule": crontab(hour=6, minute=30),
            },
            # Beneficiary lists past their regency's retention are deleted, audited.
            "beneficiary-retention": {
                "task": TaskName.EXPIRE_BENEFICIARY_LISTS,
                "schedule": crontab(hour=1, minute=15),
            },
            # One-time submission keys older than a day are forgotten (submissions.py).
            "submission-keys-purge": {
                "task": TaskName.PURGE_SUBMISSION_KEYS,
                "schedule": crontab(minute=25),
            },
        },
        beat_schedule_filename=str(settings.instance_dir / "celerybeat-schedule"),
    )
    app.extensions["celery"] = celery
    return celery


def celery_of(app: Flask) -> Celery[Any]:
    celery: Celery[Any] = app.extensions["celery"]
    return celery
