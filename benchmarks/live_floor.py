"""The floor of the live path: what the fixed stack costs when the work costs nothing.

The live path (``benchmarks.live``) is a durable row committed on PostgreSQL, a message through
Redis to a prefork ``celery worker``, a transaction there, and its end heard by the submitter.
``floor_ms`` runs exactly that shape with no product code and no work: the submitter inserts one
row and commits, ``send_task`` sends its id (the product's Celery settings: late acknowledgement,
prefetch 1, prefork x2), this module's task updates that row and notifies in one transaction on a
connection its process keeps, and the submitter hears the ``NOTIFY`` on ``LISTEN``. Plain
psycopg on both sides: no SQLAlchemy, no Flask. Whatever the product does on top costs more, so
``benchmarks.live`` prints this floor beside the live figures: how much of issue 14's budget (20x
the engine's own p95) the fixed choices (Celery over Redis, PostgreSQL, Python) take, and how
much they leave to the product's own work.

The table ``live_floor`` is created in the database given and dropped at the end.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from celery import Celery

from harness.services import PrivateRedis, wait_until

CHANNEL = "live_floor"
TASK = "benchmarks.live_floor.finish"

app: Celery[Any] = Celery("live_floor")
app.conf.update(
    broker_url=os.environ.get("LIVE_FLOOR_BROKER", "memory://"),
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_ignore_result=True,
    task_default_queue="live_floor",
    broker_connection_retry_on_startup=True,
)
_held: list[psycopg.Connection[Any]] = []


@app.task(name=TASK)
def finish(row_id: int) -> None:
    """Finish the row and say so in one transaction, on the connection this process keeps."""
    if not _held or _held[0].closed:
        _held[:] = [psycopg.connect(os.environ["LIVE_FLOOR_DSN"])]
    conn = _held[0]
    with conn.transaction():
        conn.execute(
            "UPDATE live_floor SET status = 'done' WHERE id = %s AND status = 'queued'", (row_id,)
        )
        conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(row_id)))


def floor_ms(database_url: str, count: int, warm_up: int, log: Path) -> list[float]:
    """Milliseconds of ``count`` empty round trips, one at a time, after ``warm_up`` more."""
    dsn = sa.make_url(database_url).set(drivername="postgresql").render_as_string(False)
    redis = PrivateRedis()
    worker: subprocess.Popen[bytes] | None = None
    times: list[float] = []
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute("DROP TABLE IF EXISTS live_floor")
        admin.execute("CREATE TABLE live_floor (id serial PRIMARY KEY, status text NOT NULL)")
        try:
            redis.start()
            env = {**os.environ, "LIVE_FLOOR_BROKER": redis.url, "LIVE_FLOOR_DSN": dsn}
            with log.open("wb") as out:
                worker = subprocess.Popen(
                    [
                        *(sys.executable, "-m", "celery", "-A", "benchmarks.live_floor"),
                        *("worker", "--pool=prefork", "--concurrency=2", "--loglevel=INFO"),
                        *("-Q", "live_floor", "--without-mingle", "--without-gossip"),
                    ],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
                wait_until(lambda: b" ready." in log.read_bytes(), 60, "the floor's worker")
            app.conf["broker_url"] = redis.url
            with (
                psycopg.connect(dsn, autocommit=True) as listener,
                psycopg.connect(dsn) as submitter,
            ):
                listener.execute(f"LISTEN {CHANNEL}")
                for i in range(count + warm_up):
                    clock = time.perf_counter()
                    with submitter.transaction():
                        row = submitter.execute(
                            "INSERT INTO live_floor (status) VALUES ('queued') RETURNING id"
                        ).fetchone()
                    assert row is not None
                    app.send_task(TASK, args=[row[0]])
                    for heard in listener.notifies(timeout=30):
                        if heard.payload == str(row[0]):
                            break
                    else:
                        raise TimeoutError(f"row {row[0]} not finished in 30 s")
                    if i >= warm_up:
                        times.append((time.perf_counter() - clock) * 1000)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(30)
            app.close()
            redis.close()
            admin.execute("DROP TABLE IF EXISTS live_floor")
    return times
