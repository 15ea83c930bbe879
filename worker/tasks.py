"""Celery tasks: thin, typed, named, taking ids. Each loads, calls a service, stores, announces.

Retries are not Celery's (``max_retries=0``): a failed job waits in ``job_runs`` with its next
attempt time and the minute sweep sends it again, so a broker restart loses no retry and a
coordinator sees dead jobs. Rebuilds are acknowledged late and re-queued if the worker dies.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import sqlalchemy as sa
from celery import shared_task
from flask import current_app
from sqlalchemy.orm import Session

from titiktemu.accounts.signin import request_password_reset
from titiktemu.app import settings_of
from titiktemu.beneficiaries import commands as beneficiaries
from titiktemu.extensions import db
from titiktemu.imports import prune_import_files
from titiktemu.jobs import Progress, enqueue, requeue_due, run_job, run_short_job
from titiktemu.jobs.names import TaskName
from titiktemu.mail.announce import announce
from titiktemu.mail.notifications import digest_recipients, remind_expiring_needs, send_digest
from titiktemu.mail.sender import send_pending
from titiktemu.matching import incremental
from titiktemu.matching.rebuild import rebuild_regency as rebuild_service
from titiktemu.matching.results import StoreReport
from titiktemu.models import JobRun, Person, Regency
from titiktemu.models.people import person_villages
from titiktemu.models.places import regency_sql
from titiktemu.submissions import purge

log = logging.getLogger(__name__)


@shared_task(
    name=TaskName.REBUILD_REGENCY, acks_late=True, reject_on_worker_lost=True, max_retries=0
)
def rebuild_regency(regency_code: str, job_id: int) -> None:
    """Graph, proposals, overlaps and gaps for one regency, with progress."""
    settings = settings_of(current_app)

    def work(progress: Progress) -> None:
        rebuild_service(db.session(), regency_code, progress=progress, settings=settings)

    run_job(job_id, work)


@shared_task(name=TaskName.MATCH_NEED, acks_late=True, reject_on_worker_lost=True, max_retries=0)
def match_need(need_id: int, job_id: int) -> None:
    """Proposals for one new or edited need."""
    _incremental(job_id, need_id, incremental.match_need)


@shared_task(name=TaskName.MATCH_OFFER, acks_late=True, reject_on_worker_lost=True, max_retries=0)
def match_offer(offer_id: int, job_id: int) -> None:
    """Waiting needs one new or edited offer can meet."""
    _incremental(job_id, offer_id, incremental.match_offer)


@shared_task(
    name=TaskName.CHECK_INTERVENTION, acks_late=True, reject_on_worker_lost=True, max_retries=0
)
def check_intervention(intervention_id: int, job_id: int) -> None:
    """Overlap flags for one new or edited intervention."""
    _incremental(job_id, intervention_id, incremental.check_intervention)


def _incremental(job_id: int, item_id: int, service: Callable[[Session, int], StoreReport]) -> None:
    settings = settings_of(current_app)

    def work() -> None:
        session = db.session()
        report = service(session, item_id)
        if report.regency is not None:  # the item's regency: its coordinators hear of it
            announce(session, settings, report.regency, report)
        # Not committed here: committed with the job's claim and done mark.

    run_short_job(job_id, work)


@shared_task(
    name=TaskName.LINK_BENEFICIARIES, acks_late=True, reject_on_worker_lost=True, max_retries=0
)
def link_beneficiaries(regency_code: str, job_id: int) -> None:
    """Households in two or more programs' lists of one regency, found again."""

    def work(_progress: Progress) -> None:
        links = beneficiaries.relink_regency(db.session(), regency_code)
        log.info("beneficiary links of %s: %d", regency_code, links)

    run_job(job_id, work)


@shared_task(name=TaskName.EXPIRE_BENEFICIARY_LISTS, max_retries=0)
def expire_beneficiary_lists() -> int:
    """Every night: delete the beneficiary lists past their regency's retention, audited."""
    session = db.session()
    gone = beneficiaries.expire_lists(session, dt.datetime.now(dt.UTC).date())
    session.commit()
    return gone


@shared_task(name=TaskName.SEND_PENDING_EMAIL, acks_late=True, max_retries=0)
def send_pending_email() -> int:
    """Send what the outbox holds, batch after batch, until it is empty or the server refuses."""
    settings = settings_of(current_app)
    total = 0
    while True:
        report = send_pending(db.session(), settings)
        total += report.sent
        if report.sent == 0 or report.retrying:
            return total


@shared_task(
    name=TaskName.PASSWORD_RESET, acks_late=True, reject_on_worker_lost=True, max_retries=0
)
def password_reset(email: str, job_id: int) -> None:
    """The reset form's job: a link for the person with this address, if there is one.

    The address asked about leaves the job row with the work's commit (an address that has no
    account is not kept); a copy of the job run again after that finds nobody to write to.
    """
    settings = settings_of(current_app)

    def work(_progress: Progress) -> None:
        session = db.session()
        request_password_reset(session, settings, email)
        session.execute(sa.update(JobRun).where(JobRun.id == job_id).values(args=[""]))
        session.commit()

    run_job(job_id, work)


@shared_task(name=TaskName.SEND_DIGESTS, max_retries=0)
def send_digests() -> int:
    """Daily digests: coordinators who chose them, and everyone with a forum follow-up open."""
    settings = settings_of(current_app)
    session = db.session()
    today = dt.datetime.now(dt.UTC).date()
    sent = 0
    for person in digest_recipients(session):
        sent += send_digest(session, settings, person, today)
    session.commit()
    send_pending_email.delay()
    return sent


@shared_task(name=TaskName.REMIND_EXPIRING_NEEDS, max_retries=0)
def remind_expiring() -> int:
    """Reminders for needs that end within a week with nothing accepted."""
    session = db.session()
    queued = remind_expiring_needs(
        session, settings_of(current_app), dt.datetime.now(dt.UTC).date()
    )
    session.commit()
    send_pending_email.delay()
    return queued


@shared_task(name=TaskName.PRUNE_IMPORT_FILES, max_retries=0)
def prune_import_files_task() -> int:
    """Every hour: drop the uploaded files of rejected and replaced checked import runs once a
    day old; applied runs and each person's last check keep theirs."""
    session = db.session()
    removed = prune_import_files(session)
    session.commit()
    if removed:
        log.info("import files removed: %d", removed)
    return removed


@shared_task(name=TaskName.PURGE_SUBMISSION_KEYS, max_retries=0)
def purge_submission_keys() -> int:
    """Every hour: forget the one-time submission keys of forms and API clients a day old."""
    session = db.session()
    gone = purge(session)
    session.commit()
    return gone


@shared_task(name=TaskName.REBUILD_ALL, max_retries=0)
def rebuild_all() -> int:
    """The nightly rebuild: one job per regency where anyone works, no giant chord."""
    session = db.session()
    with_people = sa.select(Person.regency_code).where(Person.regency_code.is_not(None))
    covered = sa.select(regency_sql(person_villages.c.village_code))
    codes = session.scalars(
        sa.select(Regency.code)
        .where(sa.or_(Regency.code.in_(with_people), Regency.code.in_(covered)))
        .order_by(Regency.code)
    ).all()
    for code in codes:
        enqueue(session, TaskName.REBUILD_REGENCY, code, regency_code=code)
    session.commit()
    return len(codes)


@shared_task(name=TaskName.REQUEUE_JOBS, max_retries=0)
def requeue_jobs() -> int:
    """Send again the jobs whose retry time came or whose worker went silent."""
    return requeue_due(current_app._get_current_object())  # type: ignore[attr-defined]
