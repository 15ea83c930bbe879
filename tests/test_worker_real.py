"""Jobs through a real Redis and a real ``celery worker`` subprocess, emails to a real SMTP server.

Nothing of ours is mocked: the test process submits through the services and commits (which sends
the job to Redis), a prefork worker started as ``celery -A worker worker`` runs it against the
same database, and aiosmtpd on loopback records what the worker's sender delivers. The faults are
real too: kill -9 of the worker's process group, SIGKILL of a private redis-server.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from harness.services import (
    CeleryWorker,
    PrivateRedis,
    ServiceUnavailableError,
    SmtpServer,
    celery_worker,
    flush_redis,
    sending_app,
    smtp_server,
    submit_needs,
    wait_until,
    worker_env,
)
from titiktemu.app import settings_of
from titiktemu.demo.seed import DEMO_COORDINATOR, DEMO_FACILITATOR
from titiktemu.exchange.commands import NeedInput, save_need
from titiktemu.extensions import db
from titiktemu.jobs import requeue_due
from titiktemu.jobs.locks import lock_key
from titiktemu.mail.sender import message_id, send_pending
from titiktemu.matching.rebuild import rebuild_regency
from titiktemu.models import (
    Gap,
    ImportRun,
    Intervention,
    JobRun,
    JobStatus,
    NotifyPreference,
    OutboxEmail,
    OutboxStatus,
    Person,
    Program,
    Proposal,
    ProposalStatus,
)
from titiktemu.models.base import utcnow
from titiktemu.review.commands import decide
from titiktemu.settings import Settings

from .conftest import KLATEN, skip_or_fail
from .snapshot import seeded_demo

pytestmark = pytest.mark.services

DEADLINE = 180  # seconds for a whole batch: no fault test may hang CI
SWEEP_EVERY = 2.0  # seconds between job sweeps (the beat's are a minute apart)
STALLED = 3.0  # seconds without a job done before the sweep jumps to the last resend


@pytest.fixture
def broker(redis_url: str) -> Iterator[str]:
    """The test Redis database, empty before and after (no message of another run leaks in)."""
    flush_redis(redis_url)
    yield redis_url
    flush_redis(redis_url)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def demo(ctx: Flask) -> Flask:
    """The Klaten demo with its coordinator mailed at once about new proposals."""
    seeded_demo(db.session(), KLATEN)
    person_by_email(DEMO_COORDINATOR).notify = NotifyPreference.IMMEDIATE
    db.session.commit()
    return ctx


def person_by_email(email_address: str) -> Person:
    return db.session.scalars(sa.select(Person).where(Person.email == email_address)).one()


def jobs_by_status(need_ids: list[int]) -> Counter[JobStatus]:
    """Status of the match job of each need, read fresh (other processes write them)."""
    db.session.rollback()
    rows = db.session.scalars(sa.select(JobRun).where(JobRun.task == "titiktemu.match_need")).all()
    wanted = set(need_ids)
    return Counter(job.status for job in rows if job.args[0] in wanted)


def done_count(need_ids: list[int]) -> int:
    return jobs_by_status(need_ids)[JobStatus.DONE]


def last_resend(need_ids: list[int]) -> dt.datetime:
    """When the last waiting match job of these needs is due to be sent again: a sweep at that
    time sends every one of them (a sweep at the first would send only the first)."""
    db.session.rollback()
    waiting = sa.select(JobRun.next_attempt_at, JobRun.args).where(
        JobRun.task == "titiktemu.match_need",
        JobRun.status.in_((JobStatus.QUEUED, JobStatus.RETRYING)),
    )
    wanted = set(need_ids)
    due = [at for at, args in db.session.execute(waiting) if args[0] in wanted]
    return max(due, default=utcnow())


def run_sweeps_until(
    app: Flask, need_ids: list[int], done: int, deadline: float, worker: CeleryWorker
) -> None:
    """Run the beat's job sweep until ``done`` jobs are done (or ``deadline``, monotonic, passes).

    The sweep runs every ``SWEEP_EVERY`` seconds on the real clock, so a killed worker's running
    jobs come back when their 5 s lease ends (a match job is never seen running: what a kill
    interrupted rolled back, and it waits as queued). When nothing has moved for a while, the sweep's clock
    jumps to the last waiting job's resend time: a job whose message died with a worker or a
    broker is sent again a minute after it was last sent, and the test does not wait those
    minutes (each jump reaches the jobs the previous one postponed, so a message lost twice is
    sent a third time). A timeout says what the worker logged.
    """
    last, last_change, last_sweep = -1, time.monotonic(), 0.0
    while (now_done := done_count(need_ids)) < done:
        now = time.monotonic()
        if now > deadline:
            raise TimeoutError(
                f"{now_done}/{done} jobs done: {jobs_by_status(need_ids)}; the worker's log ends:\n"
                f"{worker.log_tail(120)}"
            )
        if now_done != last:
            last, last_change = now_done, now
        if now - last_change > STALLED:
            requeue_due(app, now=max(utcnow(), last_resend(need_ids)))
            last_change = last_sweep = now
        elif now - last_sweep > SWEEP_EVERY:
            requeue_due(app)
            last_sweep = now
        time.sleep(0.2)


@contextmanager
def regency_held(regency_code: str) -> Iterator[Callable[[], bool]]:
    """Hold the regency's match lock from the test, as another match would: every match job of
    the regency delivered meanwhile stops inside its transaction, mid-job, and a kill now
    interrupts work in progress. Yields a check: is a job waiting for the lock now (PostgreSQL
    shows it in ``pg_locks``; SQLite cannot say, its writers wait in their busy handler)."""
    with db.engine.connect() as conn:
        postgres = conn.dialect.name == "postgresql"
        if postgres:
            key = lock_key(f"match:{regency_code}")
            conn.execute(sa.select(sa.func.pg_advisory_lock(key)))
            conn.commit()  # the session lock stays held

            def waiting() -> bool:
                with db.engine.connect() as look:
                    return bool(
                        look.scalar(
                            sa.text(
                                "SELECT count(*) FROM pg_locks "
                                "WHERE locktype = 'advisory' AND NOT granted"
                            )
                        )
                    )
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # SQLite's one writer: this connection

            def waiting() -> bool:
                return False

        try:
            yield waiting
        finally:
            if postgres:
                conn.execute(sa.select(sa.func.pg_advisory_unlock(key)))
            conn.rollback()


def kill_mid_job(worker: CeleryWorker, timeout: float = 5.0) -> bool:
    """Kill the worker while a match job is in the middle of its work (see ``regency_held``);
    True when the database showed the job waiting before the kill (PostgreSQL). By the done
    count alone, a kill could fall between two jobs every time, and the test would prove nothing
    about recovering one."""
    with regency_held(KLATEN) as waiting:
        seen, until = False, time.monotonic() + timeout
        while not seen and time.monotonic() < until:
            time.sleep(0.05)
            seen = waiting()
        if not seen:
            time.sleep(0.5)  # SQLite: a delivered job is waiting by now
        worker.kill()
    return seen


def sweep_outbox(settings: Settings) -> None:
    """The beat's outbox sweep after the leases of killed senders ran out."""
    db.session.execute(
        sa.update(OutboxEmail)
        .where(OutboxEmail.status == OutboxStatus.SENDING)
        .values(lease_until=utcnow() - dt.timedelta(seconds=1))
    )
    db.session.commit()
    while send_pending(db.session(), settings).sent:
        pass


def assert_three_sets_agree(settings: Settings, smtp: SmtpServer) -> None:
    """Outbox rows committed = rows sent = Message-IDs received; a duplicate only for a row that
    was attempted again (its first sender died between the server's 250 and marking it)."""
    db.session.rollback()
    rows = db.session.scalars(sa.select(OutboxEmail)).all()
    committed = {message_id(settings, r.id) for r in rows}
    sent = {message_id(settings, r.id) for r in rows if r.status == OutboxStatus.SENT}
    received = smtp.message_ids()
    assert committed == sent == set(received)
    retried = {message_id(settings, r.id) for r in rows if r.attempts > 1}
    assert {mid for mid, n in received.items() if n > 1} <= retried


def assert_every_need_answered(need_ids: list[int]) -> None:
    """Each need has its proposals or its gap, with no proposal stored twice."""
    db.session.rollback()
    proposed = set(db.session.scalars(sa.select(Proposal.need_id).distinct()))
    gaps = set(db.session.scalars(sa.select(Gap.need_id)))
    assert set(need_ids) <= proposed | gaps
    keys = db.session.execute(
        sa.select(Proposal.key, sa.func.count()).group_by(Proposal.key).having(sa.func.count() > 1)
    ).all()
    assert keys == []
    primaries = db.session.execute(
        sa.select(Proposal.need_id, sa.func.count())
        .where(
            Proposal.need_id.in_(need_ids),
            Proposal.rank == 1,
            Proposal.status == ProposalStatus.PROPOSED,
        )
        .group_by(Proposal.need_id)
        .having(sa.func.count() > 1)
    ).all()
    assert primaries == []


def test_a_need_goes_through_the_worker_and_the_emails_arrive(
    demo: Flask, settings: Settings, broker: str, smtp: SmtpServer, tmp_path: Path
) -> None:
    rebuild_regency(db.session(), KLATEN)  # the demo's own proposals, before the new need
    env = worker_env(settings, broker, smtp.url)
    with (
        celery_worker(env, tmp_path / "worker.log") as worker,
        sending_app(settings, broker, smtp.url) as live,
        live.app_context(),
    ):
        sri = person_by_email(DEMO_FACILITATOR)
        need = save_need(
            db.session(),
            sri,
            NeedInput(
                title="Butuh pelatihan pembukuan untuk KWT",
                skills=["bookkeeping"],
                village_code=sri.home_village_code,
            ),
        )
        db.session.commit()  # sends the match job to Redis
        need_id = need.id
        wait_until(lambda: done_count([need_id]) == 1, 60, "the match job")
        primary = db.session.scalars(
            sa.select(Proposal).where(Proposal.need_id == need_id, Proposal.rank == 1)
        ).one()
        assert primary.status == ProposalStatus.PROPOSED
        notice = db.session.scalars(
            sa.select(OutboxEmail).where(OutboxEmail.template == "proposals_new")
        ).one()
        assert notice.to_address == DEMO_COORDINATOR
        (arrived,) = smtp.wait_for(1)
        assert arrived.message_id == message_id(settings, notice.id)
        assert arrived.recipients == (DEMO_COORDINATOR,)
        assert "usulan kolaborasi baru" in arrived.subject
        body = arrived.message.get_body(("plain",))
        assert body is not None and "Butuh pelatihan pembukuan" in body.get_content()

        coordinator = person_by_email(DEMO_COORDINATOR)
        decide(db.session(), settings_of(live), coordinator, primary.id, ProposalStatus.ACCEPTED)
        db.session.commit()  # kicks the worker's sender
        intros = [r for r in smtp.wait_for(3) if r.message_id != arrived.message_id]
        other = primary.offer.person if primary.offer else primary.person
        assert other is not None
        assert sorted(r.recipients[0] for r in intros) == sorted([sri.email, other.email])
        to_sri = next(r for r in intros if r.recipients == (sri.email,))
        body = to_sri.message.get_body(("plain",))
        assert body is not None and other.email in body.get_content()
        assert " ERROR" not in worker.log_text()
        assert_three_sets_agree(settings, smtp)


def test_kill_9_of_the_worker_loses_no_job_and_duplicates_nothing(
    demo: Flask, settings: Settings, broker: str, smtp: SmtpServer, tmp_path: Path
) -> None:
    env = worker_env(settings, broker, smtp.url)
    kills_at = [15, 45, 75, 105, 135]  # jobs done when each kill -9 comes
    with (
        celery_worker(env, tmp_path / "worker.log") as worker,
        sending_app(settings, broker, smtp.url) as live,
        live.app_context(),
    ):
        need_ids = submit_needs(db.session(), 200)
        deadline = time.monotonic() + DEADLINE
        mid_job = 0
        for threshold in kills_at:
            run_sweeps_until(live, need_ids, threshold, deadline, worker)
            mid_job += kill_mid_job(worker)
            worker.start()
        run_sweeps_until(live, need_ids, len(need_ids), deadline, worker)
        worker.stop()
        assert jobs_by_status(need_ids) == {JobStatus.DONE: 200}
        if db.engine.dialect.name == "postgresql":
            assert mid_job == len(kills_at), "a kill fell between jobs: the test proved less"
        # A match is claimed with its work: the work a kill interrupted was never counted.
        attempts = db.session.scalars(
            sa.select(JobRun.attempts).where(JobRun.task == "titiktemu.match_need")
        ).all()
        assert set(attempts) == {1}
        assert_every_need_answered(need_ids)
        sweep_outbox(settings_of(live))
        assert_three_sets_agree(settings, smtp)
        assert worker.starts == 6


def test_redis_killed_and_restarted_during_a_batch(
    demo: Flask, settings: Settings, smtp: SmtpServer, tmp_path: Path
) -> None:
    try:
        redis = PrivateRedis()
    except ServiceUnavailableError as exc:
        skip_or_fail(str(exc))
        return
    try:
        redis.start()
        env = worker_env(settings, redis.url, smtp.url)
        with (
            celery_worker(env, tmp_path / "worker.log") as worker,
            sending_app(settings, redis.url, smtp.url) as live,
            live.app_context(),
        ):
            deadline = time.monotonic() + DEADLINE
            need_ids = submit_needs(db.session(), 40)
            run_sweeps_until(live, need_ids, 5, deadline, worker)
            redis.kill()  # the queue and the unacknowledged messages are gone with it
            # Submitted while the broker is down: committed, the send fails, the row remains.
            need_ids += submit_needs(db.session(), 5)
            time.sleep(2)
            redis.start()  # same port, empty
            run_sweeps_until(live, need_ids, len(need_ids), deadline, worker)
            assert jobs_by_status(need_ids) == {JobStatus.DONE: 45}
            # The same worker, reconnected (no restart), consumed what was sent after the outage.
            assert worker.starts == 1 and worker.proc is not None and worker.proc.poll() is None
            assert worker.log_text().count("Connected to redis") >= 2
            assert_every_need_answered(need_ids)
            worker.stop()
            sweep_outbox(settings_of(live))
            assert_three_sets_agree(settings, smtp)
    finally:
        redis.close()


def test_an_import_from_the_command_line_is_rematched_by_the_worker(
    demo: Flask, settings: Settings, broker: str, tmp_path: Path
) -> None:
    """``titiktemu import`` with a broker: the rows commit, the rebuild goes through Redis to a
    real worker, and the command waits for it, showing its progress, before it says done."""
    rebuild_regency(db.session(), KLATEN)
    program, village = db.session.execute(
        sa.select(Intervention.program_id, Intervention.village_code).limit(1)
    ).one()
    code = db.session.get(Program, program).code  # type: ignore[union-attr]
    sheet = tmp_path / "interventions.csv"
    sheet.write_text(
        "program_code,village,activity,start_date,end_date,households,budget_idr,"
        "facilitator_email,title\n"
        f"{code},{village},sanitation,2027-03-01,2027-09-30,25,50000000,,Jamban sehat bersama\n",
        encoding="utf-8",
    )
    env = worker_env(settings, broker, None)
    with celery_worker(env, tmp_path / "worker.log") as worker:
        done = subprocess.run(
            [str(Path(sys.executable).parent / "titiktemu"), "import", str(sheet)],
            env=env,
            capture_output=True,
            text=True,
            timeout=DEADLINE,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "Applied (import" in done.stdout and "Re-matched 33.10" in done.stdout
        assert " ERROR" not in worker.log_text()
    db.session.rollback()
    run = db.session.scalars(sa.select(ImportRun).order_by(ImportRun.id.desc())).first()
    assert run is not None and run.counts["interventions"]["new"] == 1
    jobs = db.session.scalars(sa.select(JobRun).where(JobRun.id.in_(run.job_ids))).all()
    assert [j.status for j in jobs] == [JobStatus.DONE] and jobs[0].percent == 100
