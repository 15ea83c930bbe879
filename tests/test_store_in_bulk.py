"""Engine results stored set-based: only what changed is written, nothing when nothing did.

Every statement the store sends is counted at the connection (SQLAlchemy's
``after_cursor_execute``), so a rebuild that rewrote unchanged rows, or wrote an audit line for
nothing, fails here even when the rows it left look the same.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import Flask

from graph.reasons import reason
from harness.statements import sent_statements
from titiktemu.bulk import COPY_FROM, JsonText, insert_all
from titiktemu.extensions import db
from titiktemu.matching.rebuild import rebuild_regency
from titiktemu.matching.results import FLAG_KEY_LENGTH, ReasonTexts, reasons_data
from titiktemu.models import (
    AuditEntry,
    FlagStatus,
    Gap,
    Intervention,
    OverlapFlag,
    Program,
    Proposal,
    ProposalStatus,
)
from titiktemu.models.programs import FundingSource

from .snapshot import seeded_demo

KLATEN = "33.10"
SENGON = "33.10.01.2001"  # Desa Sengon, Kecamatan Prambanan
WRITES = ("INSERT", "UPDATE", "DELETE", "COPY")


@contextmanager
def writes() -> Iterator[list[tuple[str, str, int]]]:
    """Each writing statement sent while the block runs: verb, table and rows it touched."""
    written: list[tuple[str, str, int]] = []
    with sent_statements(db.engine) as sent:
        yield written
    written.extend((s.verb, s.table, s.rows) for s in sent if s.verb in WRITES)


def count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_a_second_rebuild_with_nothing_changed_sends_no_write(ctx: Flask) -> None:
    seeded_demo(db.session(), KLATEN)
    first = rebuild_regency(db.session(), KLATEN)
    assert first.created and first.flags_created and first.gaps
    audits = count(AuditEntry)
    with writes() as sent:
        again = rebuild_regency(db.session(), KLATEN)
    assert not again.changed
    assert sent == []  # not one INSERT, UPDATE or DELETE: no row rewritten with its own values
    assert count(AuditEntry) == audits


def test_only_what_changed_is_written_with_its_audit_line(ctx: Flask) -> None:
    seeded_demo(db.session(), KLATEN)
    rebuild_regency(db.session(), KLATEN)
    pending = sa.select(Proposal).where(
        Proposal.status == ProposalStatus.PROPOSED, Proposal.need_id.is_not(None)
    )
    moved = db.session.scalars(pending.order_by(Proposal.id).limit(1)).one()
    # A synergy: never an incumbent, so the pass sees the same records and proposes it again.
    retired = db.session.scalars(
        sa.select(Proposal).where(Proposal.need_id.is_(None)).order_by(Proposal.id).limit(1)
    ).one()
    score = moved.score
    gap = db.session.scalars(sa.select(Gap).order_by(Gap.id).limit(1)).one()
    reasons = gap.reasons
    # Rows as an older pass left them: one score off, one proposal retired, one gap's words.
    db.session.execute(sa.update(Proposal).where(Proposal.id == moved.id).values(score=0.001))
    db.session.execute(
        sa.update(Proposal)
        .where(Proposal.id == retired.id)
        .values(status=ProposalStatus.OBSOLETE, retired_reason={"code": "x", "params": {}})
    )
    db.session.execute(sa.update(Gap).where(Gap.id == gap.id).values(reasons=[]))
    db.session.commit()
    audits = count(AuditEntry)
    with writes() as sent:
        report = rebuild_regency(db.session(), KLATEN)
    assert (report.updated, report.obsoleted, report.created) == (2, 0, [])
    # Each proposal (one seen pending, one obsolete), the gap, two audit lines: nothing else.
    ours = [w for w in sent if w[1] in ("proposals", "gaps", "audit_log", "overlap_flags")]
    assert sorted(ours) == [
        ("INSERT", "audit_log", 2),
        ("UPDATE", "gaps", 1),
        ("UPDATE", "proposals", 1),
        ("UPDATE", "proposals", 1),
    ]
    db.session.expire_all()
    assert db.session.get(Proposal, moved.id).score == score  # type: ignore[union-attr]
    back = db.session.get(Proposal, retired.id)
    assert back is not None and back.status == ProposalStatus.PROPOSED
    assert back.retired_reason is None
    assert db.session.get(Gap, gap.id).reasons == reasons  # type: ignore[union-attr]
    lines = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.id > 0).order_by(AuditEntry.id).offset(audits)
    ).all()
    assert {(a.action, a.object_id) for a in lines} == {
        ("proposal.updated", str(moved.id)),
        ("proposal.updated", str(retired.id)),
    }
    fields = {a.object_id: a.detail["fields"] for a in lines}
    assert fields[str(moved.id)] == ["score"]
    assert fields[str(retired.id)] == ["retired_reason", "status"]


def test_a_cluster_too_big_for_the_key_column_keeps_one_flag(ctx: Flask) -> None:
    """A hundred and fifty programs renovating houses in one desa at once: the engine's key ("12,13,...")
    is longer than the column; the flag is stored under a digest of it, once, and a second
    pass finds it again."""
    programs = [
        Program(
            code=f"P{n:03d}", name=f"Program {n}", agency="Dinas", funding_source=FundingSource.APBD
        )
        for n in range(150)
    ]
    db.session.add_all(programs)
    db.session.flush()
    year = dt.date.today().year
    db.session.add_all(
        Intervention(
            program_id=p.id,
            village_code=SENGON,
            category_code="house_renovation",
            title=f"Bedah rumah {p.code}",
            start_date=dt.date(year, 3, 1),
            end_date=dt.date(year, 9, 30),
            budget_year=year,
        )
        for p in programs
    )
    db.session.commit()
    first = rebuild_regency(db.session(), KLATEN)
    [flag] = db.session.scalars(sa.select(OverlapFlag)).all()
    assert first.flags_created == [flag.id]
    assert len(flag.interventions) == 150
    assert len(flag.key) <= FLAG_KEY_LENGTH
    engine_key = ",".join(str(i.id) for i in flag.interventions)
    assert len(engine_key) > FLAG_KEY_LENGTH and flag.key.startswith(engine_key[:100])
    with writes() as sent:
        again = rebuild_regency(db.session(), KLATEN)
    assert not again.changed and sent == []
    assert [f.id for f in db.session.scalars(sa.select(OverlapFlag))] == [flag.id]
    assert flag.status == FlagStatus.OPEN


def test_reasons_encoded_once_a_pass_are_the_text_json_would_write() -> None:
    """Each reason is encoded once and the texts joined: byte for byte ``json.dumps`` of the
    reasons' data (dates as ISO text, tuples as lists, floats as they are)."""
    shared = reason("time", 0.2, 0.5, "time.partial", start=dt.date(2026, 3, 1), days=31)
    reasons = [
        (reason("skill", 0.35, 1.0, "skill.exact", skill="bookkeeping"), shared),
        (shared, reason("place", 0.1, 1 / 3, "place.neighbour", villages=("a", "b"), x=None)),
        (),
    ]
    texts = ReasonTexts()
    for some in reasons:
        assert texts.of(some) == json.dumps(reasons_data(some))
    assert len(texts) == 3  # the shared reason once


@pytest.mark.parametrize("rows", [3, COPY_FROM + 1])
def test_json_given_as_text_is_stored_as_its_value(ctx: Flask, rows: int) -> None:
    """By INSERT (a few rows, and every row on SQLite) and by COPY (many, on PostgreSQL)."""
    detail = {"key": "need:1:offer:2", "score": 0.75, "villages": ["33.10.01.2001"]}
    written = [
        {"action": f"bulk.test.{i}", "object_type": "t", "object_id": str(i), "actor_id": None}
        | {"detail": JsonText(json.dumps(detail | {"i": i}))}
        for i in range(rows)
    ]
    insert_all(db.session(), AuditEntry.__table__, written)  # type: ignore[arg-type]
    stored = db.session.execute(
        sa.select(AuditEntry.object_id, AuditEntry.detail).where(
            AuditEntry.action.startswith("bulk.test.")
        )
    ).all()
    assert sorted((int(i), d) for i, d in stored) == [(i, detail | {"i": i}) for i in range(rows)]
