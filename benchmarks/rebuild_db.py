"""Time the full rebuild through the database: load, engine and store, side by side with the engine.

    python -m benchmarks.rebuild_db [--scale klaten|x10] [--database-url URL] [--repeat N]

The database is ``--database-url``, else TITIKTEMU_TEST_DATABASE_URL (PostgreSQL; use one of its
own, e.g. ``titiktemu_bench_rebuild``: the run empties it). Untimed: its schema is dropped and
created, the scale's regencies and the taxonomy are loaded, then the synthetic records of
``benchmarks.synthetic`` (Klaten: 300 people, 1,000 offers, 1,000 needs, 2,000 interventions;
x10: ten regencies of that volume) are written in bulk with their ids.

Timed, regency by regency, as the nightly fan-out runs them (one job each):

1. the product's full rebuild, ``rebuild_regency`` with its settings (emails queued as deployed),
   split by its progress calls into load (rows to records), engine (world, graph, assignment,
   overlaps, synergies) and store (proposals, flags, gaps, audit lines, the commit); the emails
   it queues for new proposals and flags (rendered, into the outbox) are timed beside it, not in
   the ratio: the first rebuild of a regency announces hundreds of flags, a nightly one a few;
   side by side, alternating with it, the engine's own pass ``Engine(inputs, config).run()`` on
   the records that rebuild loaded (a fresh database for each rebuild: its results are deleted
   between ``--repeat`` runs; the fastest of each is shown);
2. the rebuild again with nothing changed: its time, the engine's own pass on what it loaded
   (the stored proposals now incumbents), and every row it wrote, counted twice: the rows each
   INSERT, UPDATE and DELETE statement reported, and on PostgreSQL the table statistics
   (``pg_stat_user_tables``: tuples inserted, updated, deleted) before and after.

The targets: the full rebuild within 3x the engine's pass at Klaten and at x10 (the x10 figure
is the sum over its regencies; the ratio is what must hold), and nothing written by the second.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import sqlalchemy as sa
from sqlalchemy.orm import Session

from benchmarks.imports import ensure_database
from benchmarks.synthetic import Synthetic, generate, scale
from graph.engine import Engine
from harness.database import reset_database
from harness.statements import sent_statements
from titiktemu.mail.announce import announce
from titiktemu.matching import rebuild as rebuild_module
from titiktemu.matching.config import load_config
from titiktemu.matching.inputs import load_inputs
from titiktemu.matching.rebuild import rebuild_regency
from titiktemu.matching.results import StoreReport
from titiktemu.models import (
    AuditEntry,
    Base,
    Gap,
    Intervention,
    Need,
    Offer,
    OverlapFlag,
    Person,
    Program,
    Proposal,
)
from titiktemu.models.exchange import need_skills, offer_kecamatan, offer_skills, offer_villages
from titiktemu.models.overlaps import overlap_flag_interventions
from titiktemu.models.people import person_programs, person_skills, person_villages
from titiktemu.models.programs import program_categories
from titiktemu.places.regions import load_regions, resolve_codes
from titiktemu.runtime import tune_collector
from titiktemu.settings import Settings
from titiktemu.vocabulary.taxonomy import load_taxonomy

TARGET_RATIO = 3.0
WIDTH = 44
STAGES = (
    ("load", "load: rows to records (s)"),
    ("engine", "engine: world, graph, assignment... (s)"),
    ("store", "store: results, audit, commit (s)"),
    ("emails", "emails queued, beside it (s)"),
)
#: What a rebuild writes, emptied between repeats so each first rebuild starts from none.
RESULTS: tuple[Any, ...] = (
    overlap_flag_interventions,
    OverlapFlag.__table__,
    Gap.__table__,
    Proposal.__table__,
    AuditEntry.__table__,
)


# --- Loading the synthetic records (untimed) ----------------------------------------------------


def _unique_titles(items: Any) -> dict[int, str]:
    """Titles by id, made unique per owner (the database refuses a person's second "same" one)."""
    seen: set[tuple[int, str]] = set()
    out: dict[int, str] = {}
    for item in items:
        title = item.title[:190]
        if (item.person_id, title.casefold()) in seen:
            title = f"{title} ({item.id})"
        seen.add((item.person_id, title.casefold()))
        out[item.id] = title
    return out


def load_records(session: Session, data: Synthetic) -> dict[str, int]:
    """The records of ``data`` written in bulk with their ids; the counts written."""
    inputs = data.inputs
    regencies = sorted({v.regency for v in inputs.villages})
    load_regions(session, resolve_codes(regencies))
    load_taxonomy(session)
    session.execute(
        sa.insert(Program),
        [
            {"id": p.id, "code": p.code, "name": p.name, "agency": "Kementerian"}
            | {"funding_source": "apbn"}
            for p in inputs.programs
        ],
    )
    _links(session, program_categories, [(p.id, c) for p in inputs.programs for c in p.categories])
    session.execute(
        sa.insert(Person),
        [
            {
                "id": p.id,
                "email": f"orang{p.id}@example.org",
                "name": p.name,
                "regency_code": p.regency,
                "home_village_code": p.home_village,
                "active": p.available,
            }
            for p in inputs.people
        ],
    )
    _links(session, person_programs, [(p.id, x) for p in inputs.people for x in p.programs])
    _links(session, person_villages, [(p.id, v) for p in inputs.people for v in p.villages])
    _links(session, person_skills, [(p.id, s) for p in inputs.people for s in p.skills])
    titles = _unique_titles(inputs.offers)
    session.execute(
        sa.insert(Offer),
        [
            {
                "id": o.id,
                "person_id": o.person_id,
                "title": titles[o.id],
                "description": o.description,
                "available_from": o.start,
                "available_until": o.end,
                "capacity": o.capacity,
            }
            for o in inputs.offers
        ],
    )
    _links(session, offer_skills, [(o.id, s) for o in inputs.offers for s in o.skills])
    _links(session, offer_villages, [(o.id, v) for o in inputs.offers for v in o.villages])
    _links(session, offer_kecamatan, [(o.id, k) for o in inputs.offers for k in o.kecamatan])
    titles = _unique_titles(inputs.needs)
    session.execute(
        sa.insert(Need),
        [
            {
                "id": n.id,
                "person_id": n.person_id,
                "title": titles[n.id],
                "description": n.description,
                "kecamatan_code": n.kecamatan,
                "village_code": n.village,
                "needed_from": n.start,
                "needed_until": n.end,
            }
            for n in inputs.needs
        ],
    )
    _links(session, need_skills, [(n.id, s) for n in inputs.needs for s in n.skills])
    # The natural key (program, village, activity, start) is unique: a planted twin moves a day.
    taken: set[tuple[int, str, str, Any]] = set()
    rows = []
    for i in inputs.interventions:
        start, end = i.start, i.end
        while (i.program_id, i.village, i.category, start) in taken:
            start = start.fromordinal(start.toordinal() + 1)
            end = max(end, start)
        taken.add((i.program_id, i.village, i.category, start))
        rows.append(
            {
                "id": i.id,
                "program_id": i.program_id,
                "village_code": i.village,
                "category_code": i.category,
                "title": i.title[:200] or f"Kegiatan {i.id}",
                "start_date": start,
                "end_date": end,
                "budget_year": start.year,
                "households": i.households,
                "budget_idr": i.budget_idr,
                "facilitator_id": i.facilitator_id,
            }
        )
    session.execute(sa.insert(Intervention), rows)
    if session.get_bind().dialect.name == "postgresql":
        for table in ("programs", "people", "offers", "needs", "interventions"):
            session.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            )
    session.commit()
    return {
        "people": len(inputs.people),
        "offers": len(inputs.offers),
        "needs": len(inputs.needs),
        "interventions": len(rows),
    }


def _links(session: Session, table: sa.Table, pairs: list[tuple[object, object]]) -> None:
    owner, target = (c.name for c in table.primary_key.columns)
    rows = [{owner: a, target: b} for a, b in sorted(set(pairs), key=str)]
    if rows:
        session.execute(table.insert(), rows)


# --- Counting what is written -------------------------------------------------------------------


@dataclass
class Written:
    """Rows written by INSERT, UPDATE and DELETE statements, as the database reported them."""

    statements: int = 0
    rows: int = 0
    by_verb: dict[str, int] = field(default_factory=dict)


@contextmanager
def counting(engine: sa.Engine) -> Iterator[Written]:
    """Count the writing statements sent through ``engine`` while the block runs."""
    written = Written()
    with sent_statements(engine) as sent:
        yield written
    for statement in sent:
        if statement.verb in ("INSERT", "UPDATE", "DELETE"):
            written.statements += 1
            count = max(statement.rows, 0)
            written.rows += count
            written.by_verb[statement.verb] = written.by_verb.get(statement.verb, 0) + count


def tuple_stats(engine: sa.Engine) -> int | None:
    """Tuples inserted + updated + deleted in every table so far (PostgreSQL statistics)."""
    if engine.dialect.name != "postgresql":
        return None
    # A backend sends its counts at most once a second, or when it exits; a pooled connection
    # could still hold the last rebuild's and send them during the next one. So the pool is
    # closed and the count read once every other backend of this database has gone.
    engine.dispose()
    with engine.connect() as conn:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and conn.scalar(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ):
            time.sleep(0.05)
        conn.execute(sa.text("SELECT pg_stat_force_next_flush()"))
        conn.execute(sa.text("SELECT pg_stat_clear_snapshot()"))
        return int(
            conn.scalar(
                sa.text(
                    "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) "
                    "FROM pg_stat_user_tables WHERE relname <> 'job_runs'"
                )
            )
            or 0
        )


# --- Timing -------------------------------------------------------------------------------------


@dataclass
class Rebuild:
    load: float
    engine: float
    store: float  # proposals, flags, gaps, audit lines, and the commit
    emails: float  # queued for the new proposals and flags
    created: int
    flags: int

    @property
    def total(self) -> float:
        """Load, engine and store: what the target is about (emails are shown beside it)."""
        return self.load + self.engine + self.store


def timed_rebuild(engine: sa.Engine, settings: Settings, code: str) -> Rebuild:
    """``rebuild_regency`` as the worker runs it, split by the progress it reports."""
    marks: dict[str, float] = {}

    def progress(stage: str, _percent: float) -> None:
        marks.setdefault(stage, time.perf_counter())

    def announce_timed(
        session: Session, settings: Settings, regency_code: str, report: StoreReport
    ) -> int:
        progress("emails", 0.0)
        return announce(session, settings, regency_code, report)

    with Session(engine) as session:
        sa.event.listen(session, "before_commit", lambda _s: progress("commit", 0.0))
        # The product reports no progress once it writes (see rebuild_regency): the emails'
        # start is marked by wrapping the one call that queues them.
        with mock.patch.object(rebuild_module, "announce", announce_timed):
            clock = time.perf_counter()
            report = rebuild_regency(session, code, progress=progress, settings=settings)
            end = time.perf_counter()
    engine_start = marks["engine"]
    return Rebuild(
        load=engine_start - clock,
        engine=marks["store"] - engine_start,
        store=marks["emails"] - marks["store"] + end - marks["commit"],
        emails=marks["commit"] - marks["emails"],
        created=len(report.created),
        flags=len(report.flags_created),
    )


def timed_engine(engine: sa.Engine, code: str) -> float:
    """The engine's own pass on the records a rebuild of ``code`` would load now."""
    with Session(engine) as session:
        inputs, config = load_inputs(session, code), load_config(session, code)
        session.rollback()
    clock = time.perf_counter()
    Engine(inputs, config).run()
    return time.perf_counter() - clock


def empty_results(engine: sa.Engine) -> None:
    """Delete what rebuilds wrote, so the next first rebuild starts from nothing."""
    with engine.begin() as conn:
        for table in RESULTS:
            conn.execute(table.delete())


def first_rebuilds(
    engine: sa.Engine, settings: Settings, codes: list[str], repeat: int
) -> tuple[list[Rebuild], list[float]]:
    """Per regency, the fastest of ``repeat`` first rebuilds and of the engine's passes."""
    best: dict[str, Rebuild] = {}
    passes: dict[str, float] = {}
    for attempt in range(repeat):
        if attempt:
            empty_results(engine)
        for code in codes:
            own = timed_engine(engine, code)
            passes[code] = min(own, passes.get(code, own))
            run = timed_rebuild(engine, settings, code)
            if code not in best or run.total < best[code].total:
                best[code] = run
    return [best[c] for c in codes], [passes[c] for c in codes]


def _verdict(ok: bool) -> str:
    return "met   " if ok else "missed"


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.rebuild_db", description=__doc__)
    parser.add_argument("--scale", choices=("klaten", "x10"), default="klaten")
    parser.add_argument("--database-url", default=os.environ.get("TITIKTEMU_TEST_DATABASE_URL"))
    parser.add_argument("--repeat", type=int, help="first rebuilds (default: 3 klaten, 1 x10)")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("--database-url or TITIKTEMU_TEST_DATABASE_URL: a PostgreSQL database")
    repeat = args.repeat or (3 if args.scale == "klaten" else 1)
    url = args.database_url
    print("Titik Temu full rebuild through the database: load -> engine -> store")
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}; database: "
        f"{sa.make_url(url).get_backend_name()}; load average {_load()}"
    )
    clock = time.perf_counter()
    data = generate(scale(args.scale))
    ensure_database(url)
    reset_database(url)
    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        counts = load_records(session, data)
    codes = sorted({v.regency for v in data.inputs.villages})
    print(
        f"setup (untimed): {args.scale}, {len(codes)} regencies; "
        + ", ".join(f"{v:,} {k}" for k, v in counts.items())
        + f"; {time.perf_counter() - clock:.1f} s"
    )
    with tempfile.TemporaryDirectory(prefix="titiktemu-bench-") as tmp:
        settings = Settings.from_env({"TITIKTEMU_INSTANCE_DIR": tmp, "TITIKTEMU_DATABASE_URL": url})
        # Timed as a worker runs it: the worker process tunes the collector when it starts
        # (``worker/celery_app.py``), and the engine's own pass beside it is timed the same way.
        tune_collector()
        runs, passes = first_rebuilds(engine, settings, codes, repeat)
        before = tuple_stats(engine)
        with counting(engine) as written:
            again = [timed_rebuild(engine, settings, code) for code in codes]
        after = tuple_stats(engine)
        again_passes = [timed_engine(engine, code) for code in codes]
    engine.dispose()

    def total(values: list[float]) -> float:
        return sum(values)

    first = {k: total([getattr(r, k) for r in runs]) for k, _ in STAGES}
    whole, own = total([r.total for r in runs]), total(passes)
    print()
    print(
        f"1. first rebuild, {len(codes)} regenc{'y' if len(codes) == 1 else 'ies'} one by one"
        f" (fastest of {repeat}): {sum(r.created for r in runs):,} proposals, "
        f"{sum(r.flags for r in runs):,} flags written"
    )
    for name, label in STAGES:
        print(f"   {label:{WIDTH}}{first[name]:8.2f}")
    print(f"   {'full rebuild: load + engine + store (s)':{WIDTH}}{whole:8.2f}")
    print(f"   {'engine own pass Engine(...).run() (s)':{WIDTH}}{own:8.2f}")
    print(f"   {'ratio rebuild / engine':{WIDTH}}{whole / own:7.2f}x")
    again_whole, again_own = total([r.total for r in again]), total(again_passes)
    print()
    print("2. second rebuild, nothing changed")
    for name, label in STAGES:
        part = total([getattr(r, name) for r in again])
        print(f"   {label:{WIDTH}}{part:8.2f}")
    print(f"   {'full rebuild: load + engine + store (s)':{WIDTH}}{again_whole:8.2f}")
    print(f"   {'engine own pass on the same inputs (s)':{WIDTH}}{again_own:8.2f}")
    print(f"   {'ratio rebuild / engine':{WIDTH}}{again_whole / again_own:7.2f}x")
    print(
        f"   {'rows written (statements reported)':{WIDTH}}{written.rows:8d}"
        f"   in {written.statements} statements {written.by_verb or ''}"
    )
    stats = None if before is None or after is None else after - before
    if stats is not None:
        print(f"   {'tuples written (pg_stat_user_tables)':{WIDTH}}{stats:8d}")
    print()
    print(f"targets (load average at the end: {_load()})")
    ratio = whole / own
    print(
        f"  {_verdict(ratio <= TARGET_RATIO)} {args.scale}: full rebuild within "
        f"{TARGET_RATIO:.0f}x the engine's own pass: {ratio:.2f}x ({whole:.2f} s / {own:.2f} s)"
    )
    quiet = written.rows == 0 and not stats
    print(
        f"  {_verdict(quiet)} a second rebuild with nothing changed writes nothing: "
        f"{written.rows} rows" + ("" if stats is None else f", {stats} tuples")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
