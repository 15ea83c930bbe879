"""Every Celery task's name, in one place.

The values are a contract: they are stored in ``job_runs.task`` of queued rows, sent to the broker
and named in the beat schedule, so a value never changes (add a member instead). ``worker.tasks``
registers each task under its member; the shared package enqueues and schedules by member.
"""

from __future__ import annotations

import enum


class TaskName(enum.StrEnum):
    """A task's registered name (a plain ``str``: it compares and serialises as its value)."""

    REBUILD_REGENCY = "titiktemu.rebuild_regency"
    REBUILD_ALL = "titiktemu.rebuild_all"
    MATCH_NEED = "titiktemu.match_need"
    MATCH_OFFER = "titiktemu.match_offer"
    CHECK_INTERVENTION = "titiktemu.check_intervention"
    PASSWORD_RESET = "titiktemu.password_reset"  # noqa: S105 - a task name, not a secret
    SEND_PENDING_EMAIL = "titiktemu.send_pending_email"
    SEND_DIGESTS = "titiktemu.send_digests"
    REMIND_EXPIRING_NEEDS = "titiktemu.remind_expiring_needs"
    PRUNE_IMPORT_FILES = "titiktemu.prune_import_files"
    PURGE_SUBMISSION_KEYS = "titiktemu.purge_submission_keys"
    REQUEUE_JOBS = "titiktemu.requeue_jobs"
    LINK_BENEFICIARIES = "titiktemu.link_beneficiaries"
    EXPIRE_BENEFICIARY_LISTS = "titiktemu.expire_beneficiary_lists"
