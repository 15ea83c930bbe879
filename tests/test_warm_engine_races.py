"""Matches of one regency at the same moment, each on its own warm engine (as the worker's two
prefork processes hold one each): together they never propose an offer past its capacity, and
each engine then catches up on the other's proposals to what an engine built anew holds.

Real threads with their own connections and commits, released together by a barrier; the race
needs PostgreSQL (the regency's lock is an advisory lock there), so it skips on SQLite.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import sqlalchemy as sa
from flask import Flask

from titiktemu.extensions import db
from titiktemu.matching import incremental
from titiktemu.matching.inputs import SHOWN
from titiktemu.matching.rebuild import rebuild_regency
from titiktemu.matching.warm import WarmState, warm_engine
from titiktemu.models import ExchangeStatus, Need, Offer, Proposal, ProposalStatus

from .snapshot import seeded_demo
from .test_warm_engine import KLATEN, assert_same_as_cold

AT_ONCE = 2  # the worker's processes
ROUNDS = 6  # needs each thread matches, released together each round


def crowd(app: Flask, count: int) -> list[int]:
    """``count`` new needs that all want what the regency's first offers give, in its place:
    written without their jobs, so the threads match them."""
    with app.app_context():
        session = db.session()
        offer = session.scalars(
            sa.select(Offer).where(Offer.status == ExchangeStatus.OPEN).order_by(Offer.id)
        ).first()
        assert offer is not None and offer.skills
        places = [v.kecamatan_code for v in offer.villages] + [k.code for k in offer.kecamatan]
        owner = session.scalars(
            sa.select(Need.person_id).where(Need.person_id != offer.person_id)
        ).first()
        ids = []
        for i in range(count):
            need = Need(
                person_id=owner,
                title=f"Berebut tawaran yang sama {i}",
                kecamatan_code=places[0],
                status=ExchangeStatus.OPEN,
            )
            need.skills = list(offer.skills)
            session.add(need)
            session.flush()
            ids.append(need.id)
        session.commit()
        return ids


def over_capacity(app: Flask) -> dict[int, int]:
    """Offers proposed (shown) or accepted more often than their capacity allows."""
    with app.app_context():
        session = db.session()
        held = Counter(
            session.scalars(
                sa.select(Proposal.offer_id).where(
                    Proposal.offer_id.is_not(None),
                    Proposal.status.in_([*SHOWN, ProposalStatus.ACCEPTED]),
                )
            )
        )
        capacity = {o.id: o.capacity for o in session.scalars(sa.select(Offer))}
        return {o: n for o, n in held.items() if o is not None and n > capacity[o]}


def test_concurrent_matches_never_pass_an_offers_capacity(app: Flask) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the race runs on PostgreSQL (TITIKTEMU_TEST_DATABASE_URL)")
        seeded_demo(db.session(), KLATEN)
        rebuild_regency(db.session(), KLATEN)
    assert over_capacity(app) == {}
    needs = crowd(app, AT_ONCE * ROUNDS)
    barrier = threading.Barrier(AT_ONCE)
    errors: list[BaseException] = []
    states: list[WarmState] = []

    def worker(mine: list[int]) -> None:
        try:
            with app.app_context():
                session = db.session()
                states.append(warm_engine(session, KLATEN))  # warm before the race
                session.commit()
                for need_id in mine:
                    barrier.wait(timeout=60)
                    incremental.match_need(session, need_id)
                    session.commit()
                barrier.wait(timeout=60)  # both done: this one catches up on the other's
                state = warm_engine(session, KLATEN)
                assert state in states, "caught up, not built anew"
                assert_same_as_cold(session, state.engine)
                session.rollback()
                db.session.remove()
        except BaseException as exc:  # reported by the main thread
            barrier.abort()
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(needs[i::AT_ONCE],)) for i in range(AT_ONCE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    assert over_capacity(app) == {}
    with app.app_context():
        session = db.session()
        matched = session.scalar(
            sa.select(sa.func.count(sa.distinct(Proposal.need_id))).where(
                Proposal.need_id.in_(needs)
            )
        )
        assert matched, "the crowd was matched at all"
