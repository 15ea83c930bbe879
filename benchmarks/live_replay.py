"""What the live path's own statements cost at the database, with no Python around them.

``benchmarks.live`` records, in process, every statement one submission and its job send (the
SQL text and the values SQLAlchemy bound). ``replay_ms`` sends those same statements again,
in order, with the bare driver (psycopg, no SQLAlchemy, no Flask, no Celery) in one transaction
that is rolled back, and times it. The live p95 minus the floor (``benchmarks.live_floor``)
minus this is the Python around the statements: how much any rewrite of the path in fewer
layers could take off, and what only fewer statements could.

The replay inserts the need again under another title key (the first is committed) and points
its skills at the new row; every other statement is sent as recorded. Rolled back, so psycopg
does not keep them prepared: PostgreSQL parses and plans each one every time (the live path's
are prepared after their fifth run), and the two commits are not in it.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
import sqlalchemy as sa

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK")


@dataclass(frozen=True)
class Recorded:
    sql: str
    params: Any
    many: bool


@contextmanager
def recording(engine: sa.Engine) -> Iterator[list[Recorded]]:
    """Every statement ``engine`` sends inside the block, with its bound values."""
    seen: list[Recorded] = []

    def before(_conn: Any, _cursor: Any, sql: str, params: Any, _context: Any, many: bool) -> None:
        seen.append(Recorded(sql, params, many))

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def _send(cursor: psycopg.Cursor[Any], item: Recorded, params: Any) -> list[Any]:
    # SQLAlchemy's "insertmanyvalues" reports a many-rows insert as executemany, with the rows
    # already flattened into one statement's values.
    if item.many and not isinstance(params, dict):
        cursor.executemany(item.sql, params)
        return []
    cursor.execute(item.sql, params)
    return cursor.fetchall() if cursor.description else []


def replay_ms(dsn: str, recorded: Sequence[Recorded], repeat: int = 40, warm_up: int = 5) -> float:
    """The median milliseconds of the recorded statements sent again with the bare driver."""
    statements = [r for r in recorded if r.sql.strip().upper() not in TRANSACTION_CONTROL]
    times: list[float] = []
    with psycopg.connect(dsn) as conn:
        for run in range(repeat + warm_up):
            clock = time.perf_counter()
            with conn.transaction(force_rollback=True):
                cursor = conn.cursor()
                need_id = None
                for item in statements:
                    params = item.params
                    if item.sql.startswith("INSERT INTO needs "):
                        params = {**params, "title_key": f"{params['title_key']} replay {run}"}
                    elif item.sql.startswith("INSERT INTO need_skills") and need_id is not None:
                        params = _with_need(params, need_id)
                    rows = _send(cursor, item, params)
                    if item.sql.startswith("INSERT INTO needs ") and rows:
                        need_id = rows[0][0]
            if run >= warm_up:
                times.append((time.perf_counter() - clock) * 1000)
    return statistics.median(times)


def _with_need(params: Any, need_id: int) -> Any:
    if isinstance(params, dict):
        return {k: need_id if k.startswith("need_id") else v for k, v in params.items()}
    return [{**row, "need_id": need_id} for row in params]
