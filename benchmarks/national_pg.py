"""A whole country on the deployed system: import it, then the nightly fan-out on real workers.

    python -m benchmarks.national_pg [--scale national|x100|x10] [--database-url URL]
                                     [--workers 1,2]

The database is ``--database-url``, else PostgreSQL ``titiktemu_bench_national`` on 127.0.0.1
(created when absent; the run empties it and migrates it). Then, each step timed:

1. places: the scale's regencies (national: ``load_regions`` of all of Indonesia, what
   ``titiktemu regions load --all`` runs) and the taxonomy;
2. import: the synthetic records of the scale (``benchmarks.synthetic``; national: 100,000
   people, 500,000 offers, 500,000 needs, 300,000 interventions) written through the product's
   own import, ``run_import`` as the operator, one run per batch of whole regencies of at most
   50,000 rows per kind (the largest file it reads), every row read from CSV, checked and
   written all or nothing (``benchmarks.national_rows`` says what is adapted to be importable);
3. the nightly rebuild, once per worker count of ``--workers``, on the same loaded data (the
   results, jobs, emails and the audit lines of the previous run deleted and the tables
   vacuumed first, so each run does the same work from nothing): a private ``redis-server``,
   that many ``celery worker`` processes (prefork, concurrency 1 each), the ``rebuild_all``
   task sent as the beat sends it; it queues one ``rebuild_regency`` job per regency, and the
   clock stops when every one is done. Measured: wall time, rows the rebuild stored (proposals,
   flags and their links, gaps, audit lines) per second, the tuples written as PostgreSQL
   counts them, each worker's peak resident memory (``VmHWM`` of its main process and of its
   pool child, sampled every 0.2 s), CPU seconds of the workers and of the PostgreSQL backends
   serving their connections (the database's share; autovacuum is not counted), and each regency's own time (its job, from
   the worker's log line).

From the per-regency times of the one-worker run, the PostgreSQL CPU it took and the write
rate, the makespan of the same fan-out over 1-20 machines (2 worker processes each, jobs taken
in queue order) is computed, with the bounds that stop it scaling: the longest regency, and the
database's CPU (seconds of backend CPU per second of wall time needed, against its cores).

Targets: end to end (places + import + the 1-worker rebuild) < 30 min; 2 workers >= 1.5x one;
every worker (main process + its child) < 1 GB. The load average is printed: this machine is
shared, read the figures against it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.orm import Session

from benchmarks import national_rows
from benchmarks.imports import ensure_database
from benchmarks.rebuild_db import tuple_stats
from benchmarks.synthetic import generate, regency_codes, scale
from harness.database import reset_database
from harness.services import PrivateRedis, celery_worker, sending_app, worker_env
from titiktemu.extensions import db
from titiktemu.imports import run_import
from titiktemu.jobs.names import TaskName
from titiktemu.jobs.queue import celery_of
from titiktemu.models import (
    AuditEntry,
    Gap,
    ImportStatus,
    JobRun,
    JobStatus,
    OutboxEmail,
    OverlapFlag,
    Person,
    Proposal,
)
from titiktemu.models.base import utcnow
from titiktemu.models.overlaps import overlap_flag_interventions
from titiktemu.places.regions import load_regions, resolve_codes
from titiktemu.settings import Settings
from titiktemu.vocabulary.taxonomy import load_taxonomy
from web.app import create_app

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/titiktemu_bench_national"
TARGET_TOTAL_S = 30 * 60
TARGET_SPEEDUP = 1.5
TARGET_RSS_MB = 1024
SAMPLE_S = 0.2
PROGRESS_S = 60.0
#: Worker processes on one machine like this one (2 cores): what "a machine" means below.
PER_MACHINE = 2
MACHINES = (1, 2, 4, 10, 20)
#: What a rebuild writes, deleted between runs (children before parents).
RESULTS: tuple[Any, ...] = (
    overlap_flag_interventions,
    OverlapFlag.__table__,
    Gap.__table__,
    Proposal.__table__,
    OutboxEmail.__table__,
    JobRun.__table__,
)
#: A regency's time in the worker log: its "rebuilt" line, then its task's "succeeded in".
REBUILT = re.compile(r"rebuilt (\d\d\.\d\d):")
SUCCEEDED = re.compile(r"titiktemu\.rebuild_regency\[[^]]+\] succeeded in ([\d.]+)s")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _verdict(ok: bool) -> str:
    return "met   " if ok else "MISSED"


# --- Loading (places, taxonomy, the import) ------------------------------------------------------


@dataclass
class Loaded:
    places_s: float
    generate_s: float
    import_s: float
    batches: int
    rows: dict[str, int]
    left_out: int
    retitled: int


def prepare(settings: Settings) -> None:
    """An empty schema, migrated as a deployment is."""
    ensure_database(settings.database_url)
    reset_database(settings.database_url)
    app = create_app(settings)
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()


def load(engine: sa.Engine, scale_name: str) -> Loaded:
    s = scale(scale_name)
    clock = time.perf_counter()
    with Session(engine) as session:
        roots = None if s.regencies is None else resolve_codes(regency_codes(s))
        load_regions(session, roots)
        load_taxonomy(session)
        session.commit()
    places_s = time.perf_counter() - clock
    print(f"  places and taxonomy: {places_s:.1f} s")
    clock = time.perf_counter()
    rows = national_rows.as_rows(generate(s, extra_needs=0))
    generate_s = time.perf_counter() - clock
    total = national_rows.counts(rows.regencies)
    print(
        f"  synthetic rows generated in {generate_s:.1f} s: "
        + ", ".join(f"{v:,} {k}" for k, v in total.items())
        + f" ({rows.left_out:,} interventions repeating a key left out, "
        f"{rows.retitled:,} titles numbered)"
    )
    clock = time.perf_counter()
    batches = list(national_rows.batches(rows.regencies))
    for number, batch in enumerate(batches):
        started = time.perf_counter()
        uploads = national_rows.uploads(batch, with_programs=number == 0)
        with Session(engine) as session:
            # No app context: the rebuild jobs the import queues are written, never sent (the
            # timed runs below delete them and start the nightly fan-out instead).
            run = run_import(session, uploads, None, dry_run=False)
            if run.status is not ImportStatus.APPLIED:
                raise RuntimeError(f"batch {number + 1} rejected: {run.problems[:3]}")
            session.commit()
        size = sum(national_rows.counts(batch).values())
        seconds = time.perf_counter() - started
        print(
            f"  import batch {number + 1}/{len(batches)}: {len(batch)} regencies, {size:,} rows "
            f"in {seconds:.1f} s ({size / seconds:,.0f} rows/s; load {_load()})",
            flush=True,
        )
    import_s = time.perf_counter() - clock
    return Loaded(places_s, generate_s, import_s, len(batches), total, rows.left_out, rows.retitled)


# --- Sampling the workers and the database -------------------------------------------------------


@dataclass
class Usage:
    """High-water marks and CPU seconds, by process id, kept as they grow."""

    hwm_kb: dict[int, int] = field(default_factory=dict)  # VmHWM of each worker process
    worker_of: dict[int, int] = field(default_factory=dict)  # process -> its worker's number
    worker_cpu: dict[int, float] = field(default_factory=dict)
    pg_cpu: dict[int, float] = field(default_factory=dict)
    pg_start: dict[int, float] = field(default_factory=dict)

    def worker_peak_mb(self, number: int) -> tuple[float, float]:
        """(main process, largest child) VmHWM of worker ``number``, in MB."""
        mine = [pid for pid, w in self.worker_of.items() if w == number]
        main = [self.hwm_kb.get(pid, 0) for pid in mine[:1]]
        children = [self.hwm_kb.get(pid, 0) for pid in mine[1:]] or [0]
        return (main[0] if main else 0) / 1024, max(children) / 1024


def _hwm_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


TICKS = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float | None:
    """User + system CPU seconds of a process (``/proc/<pid>/stat``), None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def _family(pid: int) -> list[int]:
    """``pid`` and its descendants (``/proc/<pid>/task/*/children``)."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as f:
                    todo.extend(int(child) for child in f.read().split())
            except OSError:
                continue
    return out


class Sampler:
    """Every SAMPLE_S: each worker's processes (VmHWM, CPU) and this database's backends (CPU)."""

    def __init__(self, engine: sa.Engine, worker_pids: Sequence[int]) -> None:
        self.engine = engine
        self.roots = list(worker_pids)
        self.usage = Usage()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.own = 0

    def __enter__(self) -> Sampler:
        with self.engine.connect() as conn:
            self.own = int(conn.scalar(sa.text("SELECT pg_backend_pid()")) or 0)
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._sample()
        self.stop.set()
        self.thread.join(timeout=10)

    def _run(self) -> None:
        while not self.stop.wait(SAMPLE_S):
            self._sample()

    def _sample(self) -> None:
        usage = self.usage
        for number, root in enumerate(self.roots):
            for pid in _family(root):
                usage.worker_of.setdefault(pid, number)
                usage.hwm_kb[pid] = max(usage.hwm_kb.get(pid, 0), _hwm_kb(pid))
                cpu = _cpu(pid)
                if cpu is not None:
                    usage.worker_cpu[pid] = cpu
        with self.engine.connect() as conn:
            pids = conn.scalars(
                sa.text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                )
            ).all()
        for pid in pids:
            cpu = _cpu(pid)
            if pid == self.own or cpu is None:
                continue
            # A backend already there (this process's own pool) counts only from here on.
            usage.pg_start.setdefault(pid, cpu)
            usage.pg_cpu[pid] = cpu

    def pg_seconds(self) -> float:
        u = self.usage
        return sum(u.pg_cpu[pid] - u.pg_start.get(pid, 0.0) for pid in u.pg_cpu)

    def worker_seconds(self) -> float:
        return sum(self.usage.worker_cpu.values())


# --- One timed nightly rebuild -------------------------------------------------------------------


@dataclass
class Run:
    workers: int
    wall_s: float
    regencies: int
    done: int  # regencies rebuilt (fewer than ``regencies`` when stopped at the deadline)
    stored: int  # result rows the rebuild stored
    tuples: int  # tuples inserted, updated or deleted in this database, as PostgreSQL counts
    peaks: list[tuple[float, float]]  # per worker: (main, child) VmHWM in MB
    worker_cpu_s: float
    pg_cpu_s: float
    per_regency: dict[str, float]  # seconds of each regency's job
    finished: list[float | None]  # seconds to each job done, in queue order (None: not done)
    load_after: str


def reset_results(engine: sa.Engine, audit_floor: int) -> None:
    """Delete what a rebuild writes (and the import's queued jobs), then vacuum the tables."""
    with engine.begin() as conn:
        for table in RESULTS:
            conn.execute(table.delete())
        conn.execute(sa.delete(AuditEntry).where(AuditEntry.id > audit_floor))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))


def _stored(engine: sa.Engine, audit_floor: int) -> int:
    with engine.connect() as conn:
        total = 0
        for table in (overlap_flag_interventions, OverlapFlag.__table__, Gap.__table__):
            total += int(conn.scalar(sa.select(sa.func.count()).select_from(table)) or 0)
        total += int(conn.scalar(sa.select(sa.func.count()).select_from(Proposal)) or 0)
        audit = sa.select(sa.func.count()).where(AuditEntry.id > audit_floor)
        return total + int(conn.scalar(audit) or 0)


def expected_regencies(engine: sa.Engine) -> int:
    """How many jobs ``rebuild_all`` queues here: the regencies where anyone works."""
    with engine.connect() as conn:
        query = sa.select(sa.func.count(sa.distinct(Person.regency_code))).where(
            Person.regency_code.is_not(None)
        )
        return int(conn.scalar(query) or 0)


def _wait_done(engine: sa.Engine, expected: int, timeout: float) -> int:
    """Wait for every regency's job; the number done (fewer when ``timeout`` ran out first)."""
    started = time.monotonic()
    deadline, shown = started + timeout, started
    query = (
        sa.select(JobRun.status, sa.func.count())
        .where(JobRun.task == str(TaskName.REBUILD_REGENCY))
        .group_by(JobRun.status)
    )
    while True:
        with engine.connect() as conn:
            counts = {status: n for status, n in conn.execute(query)}
        finished = counts.get(JobStatus.DONE, 0) + counts.get(JobStatus.DEAD, 0)
        if counts.get(JobStatus.DEAD, 0):
            raise RuntimeError(f"{counts[JobStatus.DEAD]} rebuild jobs died")
        if sum(counts.values()) >= expected and finished == sum(counts.values()):
            return finished
        now = time.monotonic()
        if now > deadline:
            print(f"  stopped after {timeout:.0f} s: {finished} of {expected} regencies done")
            return finished
        if now - shown >= PROGRESS_S:
            shown = now
            print(
                f"  {now - started:6.0f} s: {finished}/{expected} regencies done (load {_load()})",
                flush=True,
            )
        time.sleep(0.1)


def per_regency(logs: Sequence[Path]) -> dict[str, float]:
    """Each regency's job time from the worker logs (one task at a time per worker)."""
    out: dict[str, float] = {}
    for path in logs:
        regency: str | None = None
        for line in path.read_text(errors="replace").splitlines():
            if found := REBUILT.search(line):
                regency = found.group(1)
            elif (done := SUCCEEDED.search(line)) and regency is not None:
                out[regency] = float(done.group(1))
                regency = None
    return out


def nightly(
    engine: sa.Engine,
    settings: Settings,
    instance: Path,
    workers: int,
    audit_floor: int,
    deadline_s: float,
) -> Run:
    reset_results(engine, audit_floor)
    expected = expected_regencies(engine)
    redis = PrivateRedis()
    logs = [instance / f"worker-{workers}-{n}.log" for n in range(workers)]
    try:
        redis.start()
        # A long lease: a big regency's engine stage may report progress seldom.
        env = worker_env(settings, redis.url, None, lease_seconds=1800)
        before = tuple_stats(engine) or 0
        with ExitStack() as stack:
            procs = [
                stack.enter_context(celery_worker(env, log, concurrency=1, name=f"w{n}-"))
                for n, log in enumerate(logs)
            ]
            live = stack.enter_context(sending_app(settings, redis.url, None))
            pids = [p.proc.pid for p in procs if p.proc is not None]
            with Sampler(engine, pids) as sampler:
                clock, sent = time.perf_counter(), utcnow()
                celery_of(live).send_task(str(TaskName.REBUILD_ALL))
                done = _wait_done(engine, expected, timeout=deadline_s)
                wall = time.perf_counter() - clock
        # Read once the workers are gone: a backend sends its counts when it exits, or a second
        # (up to ten when idle) after its last transaction, so a count read while they still
        # run misses their last jobs' and the next run would count them as its own.
        tuples = (tuple_stats(engine) or 0) - before
    finally:
        redis.close()
    usage = sampler.usage
    return Run(
        workers=workers,
        wall_s=wall,
        regencies=expected,
        done=done,
        stored=_stored(engine, audit_floor),
        tuples=tuples,
        peaks=[usage.worker_peak_mb(n) for n in range(workers)],
        worker_cpu_s=sampler.worker_seconds(),
        pg_cpu_s=sampler.pg_seconds(),
        per_regency=per_regency(logs),
        finished=_finished(engine, sent),
        load_after=_load(),
    )


def _finished(engine: sa.Engine, sent: dt.datetime) -> list[float | None]:
    """Seconds from sending ``rebuild_all`` to each regency's job done, in queue order."""
    query = (
        sa.select(JobRun.finished_at, JobRun.status)
        .where(JobRun.task == str(TaskName.REBUILD_REGENCY))
        .order_by(JobRun.id)
    )
    with engine.connect() as conn:
        return [
            (at - sent).total_seconds() if at is not None and status == JobStatus.DONE else None
            for at, status in conn.execute(query)
        ]


# --- Spreading the fan-out over machines ---------------------------------------------------------


def longest_first(times: Sequence[float], processes: int) -> float:
    """The makespan if the fan-out queued the longest regencies first."""
    return makespan(sorted(times, reverse=True), processes)


def makespan(times: Sequence[float], processes: int) -> float:
    """Wall time of jobs taken in queue order by ``processes`` workers, each taking the next
    job when it is free (what a Redis queue with prefetch 1 does)."""
    free = [0.0] * processes
    for t in times:
        i = min(range(processes), key=free.__getitem__)
        free[i] += t
    return max(free, default=0.0)


def regency_sizes(engine: sa.Engine) -> dict[str, int]:
    """Offers, needs and interventions of each regency: what a regency's job time grows with."""
    query = sa.text(
        "SELECT regency, count(*) FROM ("
        " SELECT left(n.kecamatan_code, 5) AS regency FROM needs n"
        " UNION ALL SELECT p.regency_code FROM offers o JOIN people p ON p.id = o.person_id"
        " UNION ALL SELECT left(i.village_code, 5) FROM interventions i"
        ") AS records GROUP BY regency"
    )
    with engine.connect() as conn:
        return {str(code): int(n) for code, n in conn.execute(query) if code is not None}


def extrapolate(run: Run, sizes: dict[str, int]) -> None:
    """From the 1-worker run: the fan-out over more machines and what would stop it. Regencies
    a stopped run did not reach get the measured seconds per record times their records."""
    measured = run.per_regency
    if not measured:
        print("   (no per-regency times in the worker log)")
        return
    per_record = statistics.median(t / max(sizes.get(c, 1), 1) for c, t in measured.items())
    codes = sorted(set(measured) | {c for c in sizes if c in _queued(run, sizes)})
    times = [measured.get(c, per_record * sizes.get(c, 0)) for c in codes]
    if len(codes) > len(measured):
        print(
            f"   {len(codes) - len(measured)} regencies not reached: estimated at "
            f"{per_record * 1000:.2f} ms per record (the median of those measured)"
        )
    cores = (run.worker_cpu_s + run.pg_cpu_s) / run.wall_s
    print(
        f"   this run used {cores:.2f} cores on average (worker + PostgreSQL CPU / wall; the "
        f"machine's load average was {run.load_after.split()[0]}): the times below are this "
        "machine's, shared"
    )
    total = sum(times)
    pg_per_s = run.pg_cpu_s / run.wall_s  # backend CPU seconds per second of one worker
    writes_per_s = run.tuples / run.wall_s
    longest = max(times)
    print(
        f"   per-regency job time (1 worker, {len(times)} regencies): sum {total:.1f} s, "
        f"median {statistics.median(times):.2f} s, p95 {sorted(times)[int(0.95 * (len(times) - 1))]:.2f} s, "
        f"max {longest:.2f} s"
    )
    print(
        f"   database per busy worker process: {pg_per_s:.2f} CPU-s/s of PostgreSQL "
        f"({run.pg_cpu_s / max(run.pg_cpu_s + run.worker_cpu_s, 1e-9):.0%} of all CPU), "
        f"{writes_per_s:,.0f} tuples written/s"
    )
    print(
        f"   {'machines (x' + str(PER_MACHINE) + ' processes)':26}{'makespan s':>11}"
        f"{'speed-up':>9}{'PG CPU needed':>15}{'tuples/s':>10}"
    )
    for machines in MACHINES:
        processes = machines * PER_MACHINE
        span = makespan(times, processes)
        busy = total / span  # worker processes busy on average
        print(
            f"   {machines:<26}{span:11.1f}{total / span:8.1f}x{pg_per_s * busy:12.1f} cores"
            f"{writes_per_s * busy:10,.0f}   longest first: {longest_first(times, processes):.1f} s"
        )
    print(
        f"   bounds: never below the longest regency ({longest:.1f} s); PostgreSQL saturates "
        f"at {1 / max(pg_per_s, 1e-9):.1f} busy worker processes per database core"
    )


def speedup(base: Run, other: Run) -> float:
    """How much sooner ``other`` finished the regencies ``base`` finished: both take the jobs in
    the same queue order, so a run stopped at the deadline compares on its first n jobs (the
    wall time ratio when both finished everything)."""
    n = base.done
    if n == base.regencies and other.done == other.regencies:
        return base.wall_s / other.wall_s
    mine, theirs = base.finished[:n], other.finished[:n]
    if not n or None in mine or None in theirs:
        return (other.done / other.wall_s) / (max(base.done, 1) / base.wall_s)
    return max(t for t in mine if t is not None) / max(t for t in theirs if t is not None)


# --- Report --------------------------------------------------------------------------------------


def _queued(run: Run, sizes: dict[str, int]) -> set[str]:
    """The regencies ``rebuild_all`` queued: those with records (as many as the run counted)."""
    return set(sorted(sizes, key=lambda c: -sizes[c])[: run.regencies])


def report(loaded: Loaded, runs: list[Run], sizes: dict[str, int]) -> None:
    print()
    print(f"{'rebuild_all fan-out':34}" + "".join(f"{r.workers:>10} w" for r in runs))
    rows: list[tuple[str, list[str]]] = [
        ("regency jobs done", [f"{r.done:,}/{r.regencies:,}" for r in runs]),
        ("wall time (s)", [f"{r.wall_s:.1f}" for r in runs]),
        ("result rows stored", [f"{r.stored:,}" for r in runs]),
        ("result rows stored / s", [f"{r.stored / r.wall_s:,.0f}" for r in runs]),
        ("tuples written (pg_stat)", [f"{r.tuples:,}" for r in runs]),
        ("tuples written / s", [f"{r.tuples / r.wall_s:,.0f}" for r in runs]),
        (
            "sum of job times / wall",
            [f"{sum(r.per_regency.values()) / r.wall_s:.2f}" for r in runs],
        ),
        ("worker CPU (s)", [f"{r.worker_cpu_s:.1f}" for r in runs]),
        ("PostgreSQL backend CPU (s)", [f"{r.pg_cpu_s:.1f}" for r in runs]),
        ("load average after", [r.load_after.split()[0] for r in runs]),
    ]
    for name, values in rows:
        print(f"   {name:31}" + "".join(f"{v:>12}" for v in values))
    for r in runs:
        peaks = ", ".join(f"{main:.0f} + {child:.0f} MB" for main, child in r.peaks)
        print(f"   peak RSS, {r.workers} worker(s) (main + pool child): {peaks}")
    base = runs[0]
    for r in runs[1:]:
        print(f"   speed-up {r.workers} workers / {base.workers}: {speedup(base, r):.2f}x")
    print()
    print("extrapolation from the 1-worker run")
    extrapolate(base, sizes)
    one = next((r for r in runs if r.workers == 1), base)
    two = next((r for r in runs if r.workers == 2), None)
    rebuild_s = one.wall_s * one.regencies / max(one.done, 1)
    total = loaded.places_s + loaded.import_s + rebuild_s
    partial = (
        " (rebuild stopped: estimated from the regencies done)" if one.done < one.regencies else ""
    )
    worst = max(main + child for r in runs for main, child in r.peaks)
    print()
    print(f"targets (load average at the end: {_load()})")
    print(
        f"  {_verdict(total < TARGET_TOTAL_S)} end to end < 30 min: {total / 60:.1f} min "
        f"(places {loaded.places_s:.0f} s + import {loaded.import_s:.0f} s + rebuild, 1 worker, "
        f"{rebuild_s:.0f} s; generating the rows, {loaded.generate_s:.0f} s, not counted){partial}"
    )
    if two is not None:
        ratio = speedup(one, two)
        print(f"  {_verdict(ratio >= TARGET_SPEEDUP)} 2 workers >= 1.5x 1 worker: {ratio:.2f}x")
    print(
        f"  {_verdict(worst < TARGET_RSS_MB)} every worker < 1 GB: largest {worst:.0f} MB "
        "(main process + pool child)"
    )


@contextmanager
def _engine(url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.national_pg", description=__doc__)
    parser.add_argument("--scale", default="national", choices=("national", "x100", "x10"))
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--workers", default="1,2", help="worker process counts, e.g. 1,2")
    parser.add_argument(
        "--deadline",
        type=float,
        default=180.0,
        help="minutes a rebuild may run; then it is stopped and the figures are partial",
    )
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.workers.split(",")]
    if sa.make_url(args.database_url).get_backend_name() != "postgresql":
        parser.error("--database-url must be PostgreSQL")

    with tempfile.TemporaryDirectory(prefix="titiktemu-national-") as tmp:
        instance = Path(tmp)
        settings = Settings.from_env(
            {"TITIKTEMU_INSTANCE_DIR": str(instance), "TITIKTEMU_DATABASE_URL": args.database_url}
        )
        print(f"Titik Temu national benchmark, scale {args.scale}: {scale(args.scale).about}")
        print(
            f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{platform.system()} {platform.machine()}; PostgreSQL on 127.0.0.1; "
            f"load average {_load()}"
        )
        clock = time.perf_counter()
        prepare(settings)
        print(f"schema migrated in {time.perf_counter() - clock:.1f} s; loading:")
        with _engine(args.database_url) as engine:
            loaded = load(engine, args.scale)
            with engine.connect() as conn:
                floor = int(conn.scalar(sa.select(sa.func.max(AuditEntry.id))) or 0)
            runs = []
            for workers in counts:
                run = nightly(engine, settings, instance, workers, floor, 60 * args.deadline)
                print(
                    f"rebuild_all with {workers} worker(s): {run.wall_s:.1f} s, "
                    f"{run.done} of {run.regencies} regencies (load {run.load_after})",
                    flush=True,
                )
                runs.append(run)
            sizes = regency_sizes(engine)
        report(loaded, runs, sizes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
