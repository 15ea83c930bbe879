"""The seeded demo once per session: built for real the first time, then its rows copied back.

Seeding the demo (and matching it) costs one to three seconds a test, and about thirty fixtures
start from it. The first test to ask builds it with the real ``seed_demo`` (and
``rebuild_regency``) on an empty database and keeps every row it wrote; later tests that start
from an empty database get those same rows inserted in bulk. A test that asks on a database
already holding rows of its own gets the real seeding, so the result is always what the real
function would have written. ``tests/test_demo_seed.py`` keeps testing ``seed_demo`` itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.demo.seed import seed_demo
from titiktemu.matching.rebuild import rebuild_regency

from .conftest import mutable_tables

Rows = dict[str, list[dict[str, Any]]]
_SNAPSHOTS: dict[str, Rows] = {}


def _is_empty(session: Session) -> bool:
    checks = [sa.exists(sa.select(sa.literal(1)).select_from(t)) for t in mutable_tables()]
    return not session.scalar(sa.select(sa.or_(*checks)))


def _record(session: Session) -> Rows:
    session.flush()
    return {
        t.name: [dict(row) for row in session.execute(sa.select(t)).mappings()]
        for t in mutable_tables()
    }


def _replay(session: Session, rows: Rows) -> None:
    postgres = session.get_bind().dialect.name == "postgresql"
    for table in mutable_tables():
        if not rows[table.name]:
            continue
        session.execute(table.insert(), rows[table.name])
        if postgres and "id" in table.c and table.c.id.autoincrement is not False:
            # The copied ids came from the sequence once; later inserts must not reuse them.
            session.execute(
                sa.text(
                    "SELECT setval(pg_get_serial_sequence(:t, 'id'), "
                    "GREATEST((SELECT max(id) FROM " + table.name + "), "
                    "(SELECT last_value FROM " + _sequence(session, table.name) + ")))"
                ),
                {"t": table.name},
            )


def _sequence(session: Session, table: str) -> str:
    name = session.scalar(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table})
    assert name, f"{table}.id has no sequence"
    return str(name)


def snapshot(session: Session, key: str, build: Callable[[], object]) -> None:
    """Run ``build`` (which must leave its work flushed or committed) or copy its rows back."""
    empty = _is_empty(session)
    if empty and key in _SNAPSHOTS:
        _replay(session, _SNAPSHOTS[key])
        session.commit()
        return
    build()
    if empty:
        _SNAPSHOTS[key] = _record(session)
    session.commit()


def seeded_demo(session: Session, regency_code: str) -> None:
    """``seed_demo(session, regency_code)`` (committed), from the snapshot when it can be."""
    snapshot(session, f"demo:{regency_code}", lambda: seed_demo(session, regency_code))


def seeded_and_matched(session: Session, regency_code: str) -> None:
    """``seed_demo`` then ``rebuild_regency`` of that regency, committed."""

    def build() -> None:
        seed_demo(session, regency_code)
        rebuild_regency(session, regency_code)

    snapshot(session, f"demo+rebuilt:{regency_code}", build)
