"""Time the live path at a regency's volume: a need submitted until its proposals are stored.

    python -m benchmarks.live [--database-url URL] [--scale klaten|x10|both] [--submissions 100]

The database is ``--database-url``, else TITIKTEMU_TEST_DATABASE_URL (PostgreSQL; its schema is
dropped and migrated: give it a database of its own). For each scale, ONE regency (Klaten, 33.10)
is filled with the synthetic volume of ``benchmarks.synthetic`` (klaten: 300 people, 1,000 offers,
1,000 needs, 2,000 interventions; x10: ten times each, all in Klaten) and with the proposals a
full pass makes for it, as pending proposals. Then, with a private redis-server and a real
``celery -A worker worker --pool=prefork --concurrency=2``, needs are submitted one at a time
(``save_need`` and the commit, which sends ``titiktemu.match_need``), each timed until its job
row is ``done`` (its proposals or its gap committed with the job's work).

The end of a job is heard, not polled: the benchmark adds to its own database a trigger that
notifies (``pg_notify``) when a job row becomes done, retrying or dead, and waits on ``LISTEN``,
so the figure is not rounded up to a polling interval and no polling loop takes CPU from the
worker (until December 2026 it looked at the job's row every 3 ms, two round trips a look).

The baseline, side by side: after each submission, the engine's own incremental answer for the
same need (``Engine.propose_for_need``) on an engine held in this process and fed the same needs
in the same order; the ratio is live p95 / engine p95. The first submissions of a scale are not
counted (``--warm-up``): each of the worker's two processes builds the regency's engine state on
its first job. The load average is printed: read figures against it.

The floor, side by side (``benchmarks.live_floor``, ``--floor`` round trips): the same shape with
no product code and no work (one row committed, sent through Redis to a prefork worker that
updates it and notifies in one transaction, heard on ``LISTEN``; plain psycopg). The live p95
minus the floor's is what the product's own work costs on top of the fixed stack.

Then, in this process and without a broker (the jobs run in process after the commit, as on
the embedded default), ``--in-process`` more submissions are counted: the SQL statements, the
commits and the pool checkouts of one submission and of its job (deterministic, whatever the
load), and their time; and the last one's statements are sent again with the bare driver
(``benchmarks.live_replay``): what they cost at the database, without the Python around them.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy.orm import Session

from benchmarks import synthetic
from benchmarks.live_floor import floor_ms
from benchmarks.live_replay import Recorded, recording, replay_ms
from benchmarks.rebuild_db import load_records
from graph import records as r
from graph.engine import Engine
from harness.database import reset_database
from harness.services import PrivateRedis, celery_worker, sending_app, worker_env
from harness.statements import sent_statements
from titiktemu.exchange.commands import NeedInput, save_need
from titiktemu.extensions import db
from titiktemu.matching.config import load_config
from titiktemu.matching.inputs import load_inputs
from titiktemu.models import (
    JobStatus,
    Need,
    Person,
    Proposal,
    ProposalKind,
    ProposalStatus,
)
from titiktemu.settings import Settings
from web.app import create_app

KLATEN = synthetic.KLATEN
TARGET_P95_MS = 50.0
TARGET_RATIO = 20.0
CHUNK = 2000
#: The channel the benchmark's own trigger notifies when a job row ends (see ``_hear_jobs``).
CHANNEL = "benchmark_jobs"
ENDED = (JobStatus.DONE, JobStatus.RETRYING, JobStatus.DEAD)


def _percentile(values: Sequence[float], q: float) -> float:
    """Nearest rank: the smallest value at or above a fraction ``q`` of them."""
    ordered = sorted(values)
    return ordered[max(math.ceil(q * len(ordered)) - 1, 0)]


def _verdict(ok: bool) -> str:
    return "met   " if ok else "MISSED"


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def one_regency(factor: int) -> synthetic.Scale:
    """Klaten's volume times ``factor``, all of it in Klaten (a regency ``factor`` times busier)."""
    volume = synthetic.KLATEN_VOLUME
    return synthetic.Scale(
        name="klaten" if factor == 1 else f"x{factor}",
        regencies=(KLATEN,),
        people=volume["people"] * factor,
        offers=volume["offers"] * factor,
        needs=volume["needs"] * factor,
        interventions=volume["interventions"] * factor,
        even=True,
        about=f"Kabupaten Klaten with {factor}x its volume",
    )


def _store_pass(session: Session) -> int:
    """The proposals a full pass makes for the regency, stored pending (written in bulk: what
    the regency holds between two nightly rebuilds)."""
    engine = Engine(load_inputs(session, KLATEN), load_config(session, KLATEN))
    result = engine.run(build_graphs=False)
    rows: list[dict[str, object]] = [
        {
            "key": p.key,
            "kind": ProposalKind(p.kind),
            "regency_code": p.regency,
            "need_id": p.need_id,
            "offer_id": p.offer_id,
            "person_id": p.person_id,
            "program_a_id": p.program_a,
            "program_b_id": p.program_b,
            "village_codes": list(p.villages),
            "score": round(p.score, 6),
            "rank": p.rank,
            "reasons": [x.as_dict() for x in p.reasons],
            "status": ProposalStatus.PROPOSED,
        }
        for p in result.proposals
    ]
    for start in range(0, len(rows), CHUNK):
        session.execute(sa.insert(Proposal), rows[start : start + CHUNK])
    return len(rows)


def _hear_jobs(session: Session) -> None:
    """This benchmark's own trigger (its database only, never a migration): a job row that
    becomes done, retrying or dead notifies ``CHANNEL`` with "<status> <first argument>"."""
    ended = ", ".join(f"'{status.value}'" for status in ENDED)
    session.execute(
        sa.text(
            f"""
            CREATE FUNCTION benchmark_job_ended() RETURNS trigger AS $$
            BEGIN
                IF NEW.status IS DISTINCT FROM OLD.status AND NEW.status::text IN ({ended}) THEN
                    PERFORM pg_notify('{CHANNEL}', NEW.status::text || ' ' || (NEW.args->>0));
                END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql
            """
        )
    )
    session.execute(
        sa.text(
            "CREATE TRIGGER benchmark_job_ended AFTER UPDATE ON job_runs "
            "FOR EACH ROW EXECUTE FUNCTION benchmark_job_ended()"
        )
    )


def _prepare(settings: Settings, factor: int) -> tuple[synthetic.Synthetic, int, float]:
    clock = time.perf_counter()
    reset_database(settings.database_url)
    data = synthetic.generate(one_regency(factor))
    app = create_app(settings)
    with app.app_context():
        upgrade()
        session = db.session()
        load_records(session, data)  # places, taxonomy and the records, committed
        stored = _store_pass(session)
        _hear_jobs(session)
        session.commit()
        db.session.remove()
        # What autovacuum leaves after a bulk load: planner statistics (a server with autovacuum
        # off, as the test server here, would otherwise plan every job's reads blind: the
        # incumbents of a need read through the regency's 17,000 pending proposals, not by need).
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
        db.engine.dispose()
    return data, stored, time.perf_counter() - clock


@dataclass
class Submission:
    person_id: int
    data: NeedInput


def _submissions(data: synthetic.Synthetic, count: int) -> list[Submission]:
    """Needs like the regency's own (the synthetic extra needs), each with a title of its own."""
    extra = [n for n in data.extra_needs if n.regency == KLATEN]
    return [
        Submission(
            n.person_id,
            NeedInput(
                title=f"{n.title} (live {i + 1})",
                skills=list(n.skills),
                village_code=n.village,
                kecamatan_code=n.kecamatan,
                needed_from=n.start,
                needed_until=n.end,
                description=n.description,
            ),
        )
        for i, n in enumerate(extra[i % len(extra)] for i in range(count))
    ]


def _need_record(need: Need) -> r.Need:
    return r.Need(
        id=need.id,
        person_id=need.person_id,
        title=need.title,
        skills=tuple(sorted(s.code for s in need.skills)),
        kecamatan=need.kecamatan_code,
        village=need.village_code,
        start=need.needed_from,
        end=need.needed_until,
        description=need.description,
    )


def _submit(
    app: Flask, item: Submission, listener: psycopg.Connection[Any], timeout: float = 120
) -> tuple[float, r.Need]:
    """Seconds from submitting the need to its job done, and the need as the engine reads it."""
    with app.app_context():
        session = db.session()
        clock = time.perf_counter()
        need = save_need(session, session.get_one(Person, item.person_id), item.data)
        session.commit()  # sends the job
        need_id = need.id
        for heard in listener.notifies(timeout=timeout):
            status, _, arg = heard.payload.partition(" ")
            if arg != str(need_id):
                continue  # another job's (none runs meanwhile: kept for safety)
            if status != JobStatus.DONE:
                raise RuntimeError(f"need {need_id}: its job is {status}")
            break
        else:
            raise TimeoutError(f"need {need_id}: its job not done after {timeout:.0f} s")
        elapsed = time.perf_counter() - clock
        record = _need_record(need)
        db.session.remove()
    return elapsed, record


@dataclass
class Counted:
    """One submission in process: statements, commits and checkouts before the job and in it."""

    statements: tuple[int, int]
    commits: tuple[int, int]
    checkouts: tuple[int, int]
    ms: tuple[float, float]
    #: Every statement of the submission and its job, with its values (for the replay).
    recorded: list[Recorded]


def _in_process(settings: Settings, items: Sequence[Submission], warm_up: int) -> list[Counted]:
    """The same submissions with the jobs run in this process after the commit (no broker)."""
    app = create_app(settings)
    counted: list[Counted] = []
    with app.app_context():
        engine = db.engine
    marks: list[tuple[str, float]] = []

    def on_commit(*_: Any) -> None:
        marks.append(("commit", time.perf_counter()))

    def on_checkout(*_: Any) -> None:
        marks.append(("checkout", time.perf_counter()))

    sa.event.listen(engine, "commit", on_commit)
    sa.event.listen(engine.pool, "checkout", on_checkout)
    try:
        for i, item in enumerate(items):
            marks.clear()
            with app.app_context(), sent_statements(engine) as sent, recording(engine) as seen:
                session = db.session()
                clock = time.perf_counter()
                save_need(session, session.get_one(Person, item.person_id), item.data)
                first = len(sent)
                session.commit()  # the job runs in the commit's after-commit hook
                end = time.perf_counter()
                db.session.remove()
            # The submission's statements end at its commit (the first); the job's follow.
            ended = next(t for kind, t in marks if kind == "commit")
            kinds = [kind for kind, _t in marks]
            commits = kinds.count("commit")
            checkouts_before = kinds[: kinds.index("commit")].count("checkout")
            if i >= warm_up:
                counted.append(
                    Counted(
                        (first, len(sent) - first),
                        (1, commits - 1),
                        (checkouts_before, kinds.count("checkout") - checkouts_before),
                        ((ended - clock) * 1000, (end - ended) * 1000),
                        list(seen),
                    )
                )
    finally:
        sa.event.remove(engine, "commit", on_commit)
        sa.event.remove(engine.pool, "checkout", on_checkout)
        engine.dispose()
    return counted


@dataclass
class Figures:
    scale: str
    people: int
    offers: int
    needs: int
    interventions: int
    proposals: int
    setup_s: float
    live_ms: list[float]
    engine_ms: list[float]
    warm_up: int
    counted: list[Counted]


def _listen(database_url: str) -> psycopg.Connection[Any]:
    url = sa.make_url(database_url).set(drivername="postgresql")
    conn = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)
    conn.execute(f"LISTEN {CHANNEL}")
    return conn


def _run_scale(
    settings: Settings, instance: Path, factor: int, count: int, warm_up: int, in_process: int
) -> Figures:
    data, stored, setup = _prepare(settings, factor)
    print(
        f"  {one_regency(factor).name}: {len(data.inputs.people):,} people, "
        f"{len(data.inputs.offers):,} offers, {len(data.inputs.needs):,} needs, "
        f"{len(data.inputs.interventions):,} interventions, {stored:,} pending proposals "
        f"in one regency; setup {setup:.1f} s",
        flush=True,
    )
    items = _submissions(data, count + warm_up + in_process + 3)
    redis = PrivateRedis()
    live_ms: list[float] = []
    engine_ms: list[float] = []
    try:
        redis.start()
        env = worker_env(settings, redis.url, None, lease_seconds=120)
        with (
            celery_worker(env, instance / f"worker-{factor}.log"),
            sending_app(settings, redis.url, None) as live,
            _listen(settings.database_url) as listener,
        ):
            with live.app_context():
                engine = Engine(
                    load_inputs(db.session(), KLATEN), load_config(db.session(), KLATEN)
                )
                db.session.remove()
            for i, item in enumerate(items[: count + warm_up]):
                seconds, need = _submit(live, item, listener)
                clock = time.perf_counter()
                engine.propose_for_need(need)
                own = time.perf_counter() - clock
                if i >= warm_up:
                    live_ms.append(seconds * 1000)
                    engine_ms.append(own * 1000)
    finally:
        redis.close()
    # 3 warm-up: the first builds this process's warm state of the regency.
    counted = _in_process(settings, items[count + warm_up :], warm_up=3)
    return Figures(
        one_regency(factor).name,
        len(data.inputs.people),
        len(data.inputs.offers),
        len(data.inputs.needs),
        len(data.inputs.interventions),
        stored,
        setup,
        live_ms,
        engine_ms,
        warm_up,
        counted,
    )


def _report(f: Figures, floor: list[float], replayed: float | None) -> None:
    print()
    print(
        f"{f.scale}: need submitted -> proposals stored, {len(f.live_ms)} submissions one at a "
        f"time (+{f.warm_up} warm-up), Redis + celery worker prefork x2, PostgreSQL"
    )
    print(f"   {'':38}{'p50':>9}{'p95':>9}{'max':>9}{'mean':>9}")
    for name, values in (
        ("live, via Redis + worker (ms)", f.live_ms),
        ("engine alone, propose_for_need (ms)", f.engine_ms),
        ("floor: no work, same stack (ms)", floor),
    ):
        print(
            f"   {name:38}{_percentile(values, 0.5):9.2f}{_percentile(values, 0.95):9.2f}"
            f"{max(values):9.2f}{statistics.fmean(values):9.2f}"
        )
    p95, own = _percentile(f.live_ms, 0.95), _percentile(f.engine_ms, 0.95)
    budget, base = TARGET_RATIO * own, _percentile(floor, 0.95)
    print(f"   {'ratio live / engine at p95':38}{p95 / own:8.1f}x")
    print(
        f"   {'budget at ' + f'{TARGET_RATIO:g}x the engine (ms)':38}{budget:9.2f}   "
        f"the floor takes {base / budget:.0%}; the product's work {p95 - base:.1f} ms at p95"
    )
    if not f.counted:
        return
    print(
        f"   in process, no broker ({len(f.counted)} submissions): submission / its job (the match)"
    )

    def spread(values: list[int]) -> str:
        low, high = min(values), max(values)
        return f"{low}" if low == high else f"{low}-{high} (median {statistics.median(values):g})"

    for name, part in (
        ("statements", "statements"),
        ("commits", "commits"),
        ("pool checkouts (a ping each)", "checkouts"),
    ):
        for side, label in ((0, "submission"), (1, "job")):
            counts: list[int] = [getattr(c, part)[side] for c in f.counted]
            print(f"     {name + ', ' + label:42}{spread(counts)}")
    for side, label in ((0, "submission"), (1, "job, from the commit")):
        ms = [c.ms[side] for c in f.counted]
        print(
            f"     {'ms, ' + label:42}p50 {_percentile(ms, 0.5):.2f}  "
            f"p95 {_percentile(ms, 0.95):.2f}"
        )
    if replayed is not None:
        both = [c.ms[0] + c.ms[1] for c in f.counted]
        print(
            f"     {'the same statements, bare driver (ms)':42}p50 {replayed:.2f}  "
            f"(of {_percentile(both, 0.5):.2f} in process: the rest is Python around them)"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.live", description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("TITIKTEMU_TEST_DATABASE_URL"))
    parser.add_argument("--scale", choices=("klaten", "x10", "both"), default="both")
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--warm-up", type=int, default=10)
    parser.add_argument(
        "--floor", type=int, default=200, help="round trips of the floor (no work, same stack)"
    )
    parser.add_argument(
        "--in-process",
        type=int,
        default=20,
        help="submissions counted in process after the live run (statements, commits, time)",
    )
    args = parser.parse_args(argv)
    if not args.database_url or not args.database_url.startswith("postgresql"):
        parser.error("a PostgreSQL --database-url (or TITIKTEMU_TEST_DATABASE_URL) is needed")

    factors = {"klaten": [1], "x10": [10], "both": [1, 10]}[args.scale]
    print("Titik Temu live-path benchmark: need submitted -> proposals stored")
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}; database: postgresql; "
        f"load average {_load()}"
    )
    results: list[Figures] = []
    with tempfile.TemporaryDirectory(prefix="titiktemu-live-") as tmp:
        instance = Path(tmp)
        settings = Settings.from_env(
            {
                "TITIKTEMU_INSTANCE_DIR": str(instance),
                "TITIKTEMU_DATABASE_URL": args.database_url,
            }
        )
        floor = floor_ms(args.database_url, args.floor, args.warm_up, instance / "floor.log")
        for factor in factors:
            figures = _run_scale(
                settings, instance, factor, args.submissions, args.warm_up, args.in_process
            )
            results.append(figures)
            replayed = None
            if figures.counted:
                dsn = sa.make_url(args.database_url).set(drivername="postgresql")
                url = dsn.render_as_string(hide_password=False)
                replayed = replay_ms(url, figures.counted[-1].recorded)
            _report(figures, floor, replayed)

    print()
    print(f"targets (load average at the end: {_load()})")
    ratios = []
    for f in results:
        p95 = _percentile(f.live_ms, 0.95)
        ratio = p95 / _percentile(f.engine_ms, 0.95)
        ratios.append((f.scale, ratio))
        print(
            f"  {_verdict(p95 < TARGET_P95_MS)} live p95 < {TARGET_P95_MS:.0f} ms at {f.scale} "
            f"({f.offers:,} offers, {f.needs:,} needs, {f.interventions:,} interventions): "
            f"{p95:.1f} ms"
        )
    if len(results) == 2:
        a, b = (_percentile(f.live_ms, 0.95) for f in results)
        print(
            f"  {_verdict(b < 2 * a)} flat: p95 at x10 / p95 at klaten < 2: {b / a:.2f}x "
            f"(the regency is 10x busier)"
        )
    for scale, ratio in ratios:
        print(
            f"  {_verdict(ratio <= TARGET_RATIO)} live p95 / engine's own p95 <= "
            f"{TARGET_RATIO:.0f}x at {scale}: {ratio:.1f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
