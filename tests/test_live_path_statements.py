"""The live path's round trips: what a need's job sends to the database, counted.

A match of a new need on a warm engine takes the regency's locks in one statement, reads the
counter and its log in one, tells the counter what it retired or re-ranked from the rows it
writes (no read before), logs its changes with the counter's bump in one statement
(PostgreSQL), and commits its work with the job's claim and done mark, one statement. The counts are deterministic:
a regression shows here whatever the load of the machine.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from harness.statements import Sent, sent_statements
from titiktemu.demo.seed import DEMO_FACILITATOR
from titiktemu.exchange.commands import NeedInput, save_need
from titiktemu.extensions import db
from titiktemu.jobs import enqueue, run_job
from titiktemu.jobs.locks import hold_regency
from titiktemu.jobs.names import TaskName
from titiktemu.matching.warm import warm_engine
from titiktemu.models import AuditEntry, JobRun, JobStatus, Need, Person

from .snapshot import seeded_and_matched
from .test_warm_engine import KLATEN, assert_same_as_cold

#: Statements of one match of a new need of the demo on a warm engine, claim to done: 13-15
#: on either database (17-18 while the claim was a transaction of its own; before December
#: 2026: 22-25 on PostgreSQL, 21-24 on SQLite).
MOST_STATEMENTS = 15
#: The transaction control a test's shared connection adds (each commit is a savepoint here).
CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")


def _owner(session: Session) -> Person:
    return session.scalars(sa.select(Person).where(Person.email == DEMO_FACILITATOR)).one()


def _submit(session: Session, owner: Person, like: Need, n: int) -> Need:
    data = NeedInput(
        title=f"Butuh bantuan serupa ({n})",
        skills=[s.code for s in like.skills],
        village_code=like.village_code,
        kecamatan_code=like.kecamatan_code,
        needed_from=like.needed_from,
        needed_until=like.needed_until,
    )
    return save_need(session, owner, data)


def _job_part(sent: list[Sent], submitted: int) -> list[Sent]:
    """What the job sent: after the submission's own commit, which carries the submission's
    counter bump (``submitted``: statements sent before that commit)."""
    committed = next(
        i for i in range(submitted, len(sent)) if sent[i].verb in ("RELEASE", "COMMIT")
    )
    return [s for s in sent[committed + 1 :] if s.verb not in CONTROL]


def _matches(sent: list[Sent], predicate: Callable[[str], bool]) -> list[Sent]:
    return [s for s in sent if predicate(s.sql)]


def test_a_match_on_a_warm_engine_is_a_few_statements(ctx: object) -> None:
    session = db.session()
    seeded_and_matched(session, KLATEN)
    owner = _owner(session)
    likes = session.scalars(sa.select(Need).order_by(Need.id).limit(4)).all()
    _submit(session, owner, likes[0], 0)
    session.commit()  # its job builds the warm state
    postgres = session.get_bind().dialect.name == "postgresql"
    for n, like in enumerate(likes[1:], start=1):
        with sent_statements(db.engine) as sent:
            need = _submit(session, owner, like, n)
            submitted = len(sent)
            session.commit()  # the job runs here, in process
        job = _job_part(sent, submitted)
        last = session.scalars(sa.select(JobRun).order_by(JobRun.id.desc()).limit(1)).one()
        assert (last.args, last.status) == ([need.id], JobStatus.DONE)
        # Sent after the commit from what enqueue kept: the job's row is not read back.
        assert not [s for s in job if s.verb == "SELECT" and s.table.startswith("job_runs")]
        if postgres:
            assert len(_matches(job, lambda q: "pg_advisory_xact_lock" in q)) == 1
            assert len(_matches(job, lambda q: "INSERT INTO regency_versions" in q)) == 1
            assert not _matches(job, lambda q: q.startswith("INSERT INTO regency_changes"))
        reads = _matches(job, lambda q: q.startswith("SELECT regency_versions"))
        assert len(reads) == 1 and "regency_changes" in reads[0].sql
        # The counter learns what the store retired or re-ranked from the rows it wrote.
        assert not _matches(job, lambda q: q.startswith("SELECT proposals.regency_code"))
        # The job is claimed by its done mark (no claim before the work), written before the
        # work's commit bumps the counter: one commit.
        marks = [s for s in job if s.verb == "UPDATE" and s.table == "job_runs"]
        assert len(marks) == 1 and "finished_at" in marks[0].sql, [s.sql[:60] for s in marks]
        done = next(i for i, s in enumerate(job) if s.verb == "UPDATE" and "finished_at" in s.sql)
        bumped = max(i for i, s in enumerate(job) if "regency_versions" in s.sql)
        assert done < bumped
        assert len(job) <= MOST_STATEMENTS, [s.sql[:60] for s in job]
    assert_same_as_cold(session, warm_engine(session, KLATEN).engine)


def test_the_done_mark_commits_with_the_work(ctx: object) -> None:
    session = db.session()
    job_id = enqueue(session, TaskName.MATCH_NEED, 0, send=False).id
    session.commit()

    def work(_progress: object) -> None:
        db.session().add(AuditEntry(action="test.work", object_type="job", object_id=str(job_id)))

    assert run_job(job_id, work)
    db.session.remove()
    session = db.session()
    assert session.get_one(JobRun, job_id).status == JobStatus.DONE
    assert session.scalars(sa.select(AuditEntry.id).where(AuditEntry.action == "test.work")).all()


def test_a_failed_job_keeps_nothing_of_its_work_and_counts_the_attempt(ctx: object) -> None:
    session = db.session()
    job_id = enqueue(session, TaskName.MATCH_NEED, 0, send=False).id
    session.commit()

    def work(_progress: object) -> None:
        db.session().add(AuditEntry(action="test.half", object_type="job", object_id=str(job_id)))
        db.session().flush()
        raise RuntimeError("boom")

    assert run_job(job_id, work)
    db.session.remove()
    session = db.session()
    row = session.get_one(JobRun, job_id)
    assert (row.status, row.attempts) == (JobStatus.RETRYING, 1)
    assert "boom" in row.last_error
    assert not session.scalars(
        sa.select(AuditEntry.id).where(AuditEntry.action == "test.half")
    ).all()


def test_one_statement_holds_the_purpose_and_the_regency(ctx: object) -> None:
    session = db.session()
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    with sent_statements(db.engine) as sent:
        hold_regency(session, "match", KLATEN)
    held = session.execute(
        sa.text("SELECT mode FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")
    ).scalars()
    assert len([s for s in sent if s.verb not in CONTROL]) == 1
    assert sorted(held) == ["ExclusiveLock", "ShareLock"]
    session.rollback()
