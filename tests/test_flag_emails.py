"""New overlap flags reach the people concerned without flooding them: an email a flag for a few,
one summary when a pass (an import, a first rebuild) raises many, each sent once."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from flask import Flask

from titiktemu.app import settings_of
from titiktemu.demo.seed import DEMO_COORDINATOR
from titiktemu.extensions import db
from titiktemu.mail.notifications import FLAGS_ONE_BY_ONE, announce_new_flags
from titiktemu.matching.reason_text import day, number
from titiktemu.matching.rebuild import rebuild_regency
from titiktemu.models import NotifyPreference, OutboxEmail, OverlapFlag, Person

from .snapshot import seeded_demo

KLATEN = "33.10"


def _emails(template: str) -> list[OutboxEmail]:
    return list(
        db.session.scalars(
            sa.select(OutboxEmail).where(OutboxEmail.template == template).order_by(OutboxEmail.id)
        )
    )


def test_many_new_flags_make_one_summary_and_few_make_one_email_each(ctx: Flask) -> None:
    seeded_demo(db.session(), KLATEN)
    coordinator = db.session.scalars(
        sa.select(Person).where(Person.email == DEMO_COORDINATOR)
    ).one()
    coordinator.notify = NotifyPreference.IMMEDIATE
    db.session.commit()
    rebuild_regency(db.session(), KLATEN, settings=settings_of(ctx))  # as the worker's task does
    flags = db.session.scalars(sa.select(OverlapFlag)).all()
    assert len(flags) > FLAGS_ONE_BY_ONE, "the demo plants more overlaps than that"

    # The coordinator hears of every flag, in one summary naming the count and the worst.
    (summary,) = [e for e in _emails("flags_new") if e.person_id == coordinator.id]
    assert str(len(flags)) in summary.subject
    worst = max(flags, key=lambda f: f.severity)
    assert f"/overlaps/{worst.id}" in summary.body_text
    assert not [e for e in _emails("flag_overlap") if e.person_id == coordinator.id]

    # Each facilitator: one email a flag up to the limit, else one summary; never both.
    concerned: Counter[int] = Counter()
    for flag in flags:
        for person_id in {i.facilitator_id for i in flag.interventions if i.facilitator_id}:
            concerned[person_id] += 1
    single = Counter(e.person_id for e in _emails("flag_overlap"))
    summaries = Counter(e.person_id for e in _emails("flags_new"))
    for person_id, count in concerned.items():
        if count <= FLAGS_ONE_BY_ONE:
            assert (single[person_id], summaries[person_id]) == (count, 0), person_id
        else:
            assert (single[person_id], summaries[person_id]) == (0, 1), person_id

    # Dates, households and money as the reader writes them, never ISO dates.
    one = _emails("flag_overlap")[0]
    reader = db.session.get(Person, one.person_id)
    assert reader is not None
    lang = "en" if str(reader.language) == "en" else "id"
    flag = next(f for f in flags if f"/overlaps/{f.id}" in one.body_text)
    for item in flag.interventions:
        assert f"{day(item.start_date, lang)}" in one.body_text
        assert item.start_date.isoformat() not in one.body_text
        if item.budget_idr is not None:
            assert f"Rp {number(item.budget_idr, lang)}" in one.body_text
    assert any((i.budget_idr or 0) >= 1000 for i in flag.interventions)  # thousands shown

    # Announcing the same flags again (a task run twice) queues nothing more.
    before = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail))
    settings = settings_of(ctx)
    assert announce_new_flags(db.session(), settings, KLATEN, [f.id for f in flags]) == 0
    after = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail))
    assert after == before
