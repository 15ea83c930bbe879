"""Time the deployed pipeline: Redis and a real Celery worker, and the outbox to a real SMTP server.

    python -m benchmarks.pipeline [--database-url URL] [--submissions 200] [--emails 1000]
                                  [--repeat 3]

The database is ``--database-url``, else TITIKTEMU_TEST_DATABASE_URL, else a new SQLite file; its
schema is dropped and migrated, Klaten (33.10) and the demo are loaded. Use a database of its own
(e.g. ``titiktemu_bench``): the run empties it. Then, with a private redis-server, a
``celery -A worker worker --pool=prefork --concurrency=2`` subprocess and aiosmtpd on loopback:

1. latency: needs submitted one at a time (save and commit, which sends the job), each timed until
   its job is done, i.e. its proposals (or gap) are stored; side by side, alternating with it, the
   same submission on the embedded default, where the commit runs the same task in process (no
   broker, no worker): what the broker and the worker add;
2. throughput: emails queued in the outbox and sent with ``send_pending`` (one SMTP connection per
   batch of 100, each row claimed and marked), against a sender opening a new SMTP connection per
   email (and marking each row the same way); ``--repeat`` runs of each, alternating on the same
   rows, the best shown with the median (other work on the machine only ever slows a run).

The SMTP server runs in a process of its own: in the sender's process its thread would compete for
the GIL and the figure would be the server's. The load average is printed: read figures against it.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import smtplib
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy.orm import Session

from harness.database import reset_database
from harness.services import (
    PrivateRedis,
    SmtpProcess,
    celery_worker,
    sending_app,
    wait_until,
    worker_env,
)
from titiktemu.demo.seed import seed_demo
from titiktemu.exchange.commands import NeedInput, save_need
from titiktemu.extensions import db
from titiktemu.mail.outbox import queue_email
from titiktemu.mail.sender import build_message, send_pending
from titiktemu.models import JobRun, JobStatus, Need, OutboxEmail, OutboxStatus, Person
from titiktemu.models.base import utcnow
from titiktemu.places.regions import load_regions, resolve_codes
from titiktemu.settings import Settings
from titiktemu.vocabulary.taxonomy import load_taxonomy
from web.app import create_app

KLATEN = "33.10"
TARGET_P95_MS = 250.0
TARGET_EMAILS_PER_S = 100.0
WARM_UP = 5  # submissions per path not counted: the worker's first task imports the engine
POLL = 0.001  # seconds between looks at a job's row


def _percentile(values: Sequence[float], q: float) -> float:
    """Nearest rank: the smallest value at or above a fraction ``q`` of them."""
    ordered = sorted(values)
    return ordered[max(math.ceil(q * len(ordered)) - 1, 0)]


def _verdict(ok: bool) -> str:
    return "met   " if ok else "MISSED"


def _prepare(settings: Settings) -> None:
    """An empty schema, migrated, with Klaten and its demo (people, programs, offers, needs)."""
    reset_database(settings.database_url)
    app = create_app(settings)
    with app.app_context():
        upgrade()
        load_regions(db.session(), resolve_codes([KLATEN]))
        load_taxonomy(db.session())
        db.session.commit()
        seed_demo(db.session(), KLATEN)
        db.session.remove()
        db.engine.dispose()


@contextmanager
def _embedded_app(settings: Settings) -> Iterator[Flask]:
    """The embedded default on the same database: a commit runs its job in this process."""
    app = create_app(settings)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _need_inputs(session: Session, count: int) -> list[tuple[int, NeedInput]]:
    """``count`` needs like the demo's own: (owner id, input)."""
    models = session.scalars(sa.select(Need).order_by(Need.id)).all()
    out = []
    for i in range(count):
        m = models[i % len(models)]
        data = NeedInput(
            title=f"{m.title} ({i + 1})",
            skills=[s.code for s in m.skills],
            village_code=m.village_code,
            kecamatan_code=m.kecamatan_code,
            needed_from=m.needed_from,
            needed_until=m.needed_until,
        )
        out.append((m.person_id, data))
    return out


def _submit(app: Flask, person_id: int, data: NeedInput, timeout: float = 60) -> float:
    """Seconds from submitting the need to its job done (proposals or gap stored)."""
    with app.app_context():
        session = db.session()
        clock = time.perf_counter()
        need = save_need(session, session.get_one(Person, person_id), data)
        job_id = session.scalar(sa.select(sa.func.max(JobRun.id)))
        session.commit()  # sends the job (or, embedded, runs it here)
        with db.engine.connect() as conn:
            query = sa.select(JobRun.status).where(JobRun.id == job_id)
            while (status := conn.scalar(query)) != JobStatus.DONE:
                if time.perf_counter() - clock > timeout:
                    raise TimeoutError(f"need {need.id}: job {job_id} still {status}")
                conn.rollback()  # a fresh snapshot for the next look
                time.sleep(POLL)
        elapsed = time.perf_counter() - clock
        db.session.remove()
    return elapsed


def _latency(
    live: Flask, embedded: Flask, submissions: int
) -> tuple[list[float], list[float], float]:
    """Alternate the two paths, so both see the same growing number of needs."""
    with embedded.app_context():
        inputs = _need_inputs(db.session(), 2 * (submissions + WARM_UP))
        db.session.remove()
    worker_ms: list[float] = []
    eager_ms: list[float] = []
    clock = time.perf_counter()
    for i in range(submissions + WARM_UP):
        via_worker = _submit(live, *inputs[2 * i]) * 1000
        in_process = _submit(embedded, *inputs[2 * i + 1]) * 1000
        if i >= WARM_UP:
            worker_ms.append(via_worker)
            eager_ms.append(in_process)
    return worker_ms, eager_ms, time.perf_counter() - clock


def _queue_emails(app: Flask, settings: Settings, count: int) -> list[int]:
    with app.app_context():
        session = db.session()
        people = session.scalars(
            sa.select(Person).where(Person.regency_code == KLATEN).order_by(Person.id)
        ).all()
        ids = []
        for i in range(count):
            row = queue_email(
                session,
                settings,
                dedupe_key=f"bench:{i}",
                person=people[i % len(people)],
                template="need_expiring",
                context={"title": "Pelatihan pembukuan", "until": "2027-01-31", "url": "/n/1"},
                regency_code=KLATEN,
            )
            if row is not None:
                ids.append(row.id)
        session.commit()
        db.session.remove()
    return ids


def _reset_outbox(app: Flask) -> None:
    with app.app_context():
        db.session.execute(
            sa.update(OutboxEmail).values(
                status=OutboxStatus.PENDING, attempts=0, sent_at=None, lease_until=None
            )
        )
        db.session.commit()
        db.session.remove()


def _send_outbox(app: Flask, settings: Settings) -> float:
    """Seconds for ``send_pending`` (what the worker's sender task runs) to empty the outbox."""
    with app.app_context():
        clock = time.perf_counter()
        while send_pending(db.session(), settings).sent:
            pass
        elapsed = time.perf_counter() - clock
        db.session.remove()
    return elapsed


def _send_one_connection_each(app: Flask, settings: Settings) -> float:
    """The peer: the same messages and row updates, one new SMTP connection per email."""
    server = urlsplit(settings.smtp_url or "")
    with app.app_context():
        session = db.session()
        clock = time.perf_counter()
        for row in session.scalars(
            sa.select(OutboxEmail)
            .where(OutboxEmail.status == OutboxStatus.PENDING)
            .order_by(OutboxEmail.id)
        ).all():
            row.status, row.attempts = OutboxStatus.SENDING, row.attempts + 1
            session.commit()
            smtp = smtplib.SMTP(server.hostname or "localhost", server.port or 25, timeout=30)
            try:
                smtp.send_message(build_message(settings, row))
            finally:
                smtp.quit()
            row.status, row.sent_at = OutboxStatus.SENT, utcnow()
            session.commit()
        elapsed = time.perf_counter() - clock
        db.session.remove()
    return elapsed


def _throughput(
    app: Flask, settings: Settings, smtp: SmtpProcess, count: int, repeat: int
) -> tuple[list[float], list[float]]:
    """Emails per second of each sender, ``repeat`` times each, alternating on the same rows."""
    ids = _queue_emails(app, settings, count)
    ours: list[float] = []
    peer: list[float] = []
    for _ in range(repeat):
        _reset_outbox(app)
        ours.append(len(ids) / _send_outbox(app, settings))
        _reset_outbox(app)
        peer.append(len(ids) / _send_one_connection_each(app, settings))
    copies = 2 * repeat
    wait_until(lambda: smtp.message_ids().total() >= copies * len(ids), 60, "every email")
    assert set(smtp.message_ids().values()) == {copies}, "each email once per run"
    with app.app_context():
        statuses = set(db.session.scalars(sa.select(OutboxEmail.status)))
        db.session.remove()
    assert statuses == {OutboxStatus.SENT}
    return ours, peer


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _redis_version(redis: PrivateRedis) -> str:
    out = subprocess.run([redis.binary, "--version"], capture_output=True, text=True, check=False)
    return next((w.split("=")[1] for w in out.stdout.split() if w.startswith("v=")), "?")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pipeline", description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("TITIKTEMU_TEST_DATABASE_URL"))
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--emails", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="outbox runs; the best is shown")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="titiktemu-bench-") as tmp:
        instance = Path(tmp)
        settings = Settings.from_env(
            {
                "TITIKTEMU_INSTANCE_DIR": str(instance),
                "TITIKTEMU_DATABASE_URL": args.database_url or f"sqlite:///{instance / 'b.db'}",
            }
        )
        backend = sa.make_url(settings.database_url).get_backend_name()
        print("Titik Temu pipeline benchmark: Redis + Celery worker, outbox + SMTP")
        print(
            f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{platform.system()} {platform.machine()}; database: {backend}; "
            f"load average {_load()}"
        )
        clock = time.perf_counter()
        _prepare(settings)
        print(f"setup: schema, Klaten and the demo in {time.perf_counter() - clock:.1f} s")

        redis = PrivateRedis()
        smtp: SmtpProcess | None = None
        try:
            redis.start()
            smtp = SmtpProcess()
            env = worker_env(settings, redis.url, smtp.url, lease_seconds=120)
            with (
                celery_worker(env, instance / "worker.log"),
                sending_app(settings, redis.url, smtp.url) as live,
                _embedded_app(settings) as embedded,
            ):
                print(
                    f"services: redis-server {_redis_version(redis)} (private, port "
                    f"{redis.port}), celery worker prefork x2, aiosmtpd (own process) on "
                    f"{smtp.url}"
                )
                worker_ms, eager_ms, seconds = _latency(live, embedded, args.submissions)
                mailing = Settings(**{**settings.__dict__, "smtp_url": smtp.url})
                ours, peer = _throughput(live, mailing, smtp, args.emails, args.repeat)
        finally:
            redis.close()
            if smtp is not None:
                smtp.close()

    n = len(worker_ms)
    print()
    print(
        f"1. need submitted -> proposals stored, {n} submissions one at a time "
        f"(+{WARM_UP} warm-up each), alternating the two paths; {seconds:.1f} s in all"
    )
    print(f"   {'':34}{'p50':>9}{'p95':>9}{'max':>9}{'mean':>9}")
    rows = (("via Redis + worker (ms)", worker_ms), ("in process, no broker (ms)", eager_ms))
    for name, values in rows:
        print(
            f"   {name:34}{_percentile(values, 0.5):9.1f}{_percentile(values, 0.95):9.1f}"
            f"{max(values):9.1f}{statistics.fmean(values):9.1f}"
        )
    p50s = _percentile(worker_ms, 0.5), _percentile(eager_ms, 0.5)
    p95s = _percentile(worker_ms, 0.95), _percentile(eager_ms, 0.95)
    print(f"   {'what Redis + worker add (ms)':34}{p50s[0] - p50s[1]:9.1f}{p95s[0] - p95s[1]:9.1f}")
    print(f"   {'ratio worker / in process':34}{p50s[0] / p50s[1]:8.2f}x{p95s[0] / p95s[1]:8.2f}x")
    print()
    print(
        f"2. outbox -> local SMTP server (aiosmtpd, its own process), {args.emails:,} emails, "
        f"{args.repeat} runs of each sender, alternating; each email arrived once per run"
    )
    print(f"   {'emails/s':56}{'best':>7}{'median':>8}{'worst':>7}")
    for name, rates in (
        ("send_pending (one connection per 100, per row commit)", ours),
        ("a new SMTP connection per email (same row commits)", peer),
    ):
        print(f"   {name:56}{max(rates):7.0f}{statistics.median(rates):8.0f}{min(rates):7.0f}")
    best, best_peer = max(ours), max(peer)
    print(f"   {'ratio send_pending / new connection each (best)':56}{best / best_peer:6.2f}x")
    print()
    print(f"targets (load average at the end: {_load()})")
    p95 = _percentile(worker_ms, 0.95)
    print(f"  {_verdict(p95 < TARGET_P95_MS)} submission -> proposal p95 < 250 ms: {p95:.1f} ms")
    print(
        f"  {_verdict(best >= TARGET_EMAILS_PER_S)} outbox >= 100 emails/s: {best:.0f} emails/s "
        f"(best of {args.repeat}; median {statistics.median(ours):.0f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
