"""The seeded snapshot (tests/snapshot.py) gives a test the same rows the real seeding writes,
and the transactional fixture (tests/conftest.py) leaves nothing behind."""

from __future__ import annotations

import re
from collections import Counter

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from titiktemu.demo.seed import seed_demo
from titiktemu.extensions import db
from titiktemu.matching.rebuild import rebuild_regency
from titiktemu.models import Person

from .conftest import KLATEN, mutable_tables
from .snapshot import seeded_and_matched, seeded_demo

DIGITS = re.compile(r"\d+")


def _content(session: Session) -> dict[str, Counter[tuple[object, ...]]]:
    """Every row of every table a test writes, without what differs from one run to the next:
    generated ids (the keys pointing at them; numbers inside values, such as a match key or an
    audited id, read as ``#``), timestamps and salted password hashes."""
    content: dict[str, Counter[tuple[object, ...]]] = {}
    for table in mutable_tables():
        kept = [
            c
            for c in table.c
            if not c.primary_key
            and not c.foreign_keys
            and not isinstance(c.type, sa.DateTime)
            and c.name != "password_hash"
        ]
        rows = session.execute(sa.select(*kept)) if kept else session.execute(sa.select(table))
        content[table.name] = Counter(
            tuple(DIGITS.sub("#", repr(v)) for v in row) if kept else ("row",) for row in rows
        )
    return content


def _empty(session: Session) -> None:
    for table in reversed(mutable_tables()):
        session.execute(table.delete())


def test_the_demo_from_the_snapshot_is_the_demo_the_seeding_writes(ctx: Flask) -> None:
    session = db.session()
    seeded_demo(session, KLATEN)  # built for real by the first test to ask: kept from then on
    _empty(session)
    seeded_demo(session, KLATEN)  # so this one is copied back
    seeded_demo_rows = _content(session)
    _empty(session)
    seed_demo(session, KLATEN)
    assert _content(session) == seeded_demo_rows
    assert seeded_demo_rows["people"]


def test_the_matched_demo_from_the_snapshot_is_the_matched_demo(ctx: Flask) -> None:
    session = db.session()
    seeded_and_matched(session, KLATEN)
    _empty(session)
    seeded_and_matched(session, KLATEN)
    copied = _content(session)
    _empty(session)
    seed_demo(session, KLATEN)
    rebuild_regency(session, KLATEN)
    session.flush()
    assert _content(session) == copied
    assert copied["proposals"]


def test_a_copied_demo_leaves_room_for_new_rows(ctx: Flask) -> None:
    """Ids come from the sequence on PostgreSQL: after a copy, a new row must still get one."""
    session = db.session()
    seeded_demo(session, KLATEN)
    seeded_demo(session, KLATEN)  # not empty any more: the real seeding, which adds nothing
    session.add(Person(email="baru@example.org", name="Baru", regency_code=KLATEN))
    session.commit()
    assert (
        session.scalar(
            sa.select(sa.func.count()).select_from(Person).where(Person.email == "baru@example.org")
        )
        == 1
    )


def test_each_test_starts_from_the_reference_data_alone(app: Flask) -> None:
    """Whatever the tests before wrote, in a transaction or committed, is gone."""
    with app.app_context():
        for table in mutable_tables():
            assert not db.session.scalar(sa.select(sa.exists(table.select()))), table.name
        seeded_demo(db.session(), KLATEN)
        db.session.remove()
