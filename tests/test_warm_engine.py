"""A worker's warm engine is never stale: every change the engine reads moves the regency's
counter in the same transaction, and the warm engine then holds exactly what one built anew
from the database holds (needs, proposals, capacity in use) and answers as it answers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from graph.engine import Engine
from titiktemu import bulk
from titiktemu.decisions import decide_on
from titiktemu.demo.seed import DEMO_COORDINATOR, DEMO_FACILITATOR
from titiktemu.exchange.commands import NeedInput, change_status, save_need
from titiktemu.extensions import db
from titiktemu.matching.config import load_config
from titiktemu.matching.inputs import load_inputs
from titiktemu.matching.rebuild import rebuild_regency
from titiktemu.matching.warm import versions, warm_engine
from titiktemu.models import (
    ExchangeStatus,
    Intervention,
    Need,
    Offer,
    Person,
    Proposal,
    ProposalStatus,
    RegencySettings,
    RegencySynonym,
    Skill,
    SynonymKind,
)
from titiktemu.models.versions import EVERY_REGENCY

from .snapshot import seeded_and_matched

KLATEN = "33.10"


def person(session: Session, email: str) -> Person:
    return session.scalars(sa.select(Person).where(Person.email == email)).one()


def cold(session: Session) -> Engine:
    return Engine(load_inputs(session, KLATEN), load_config(session, KLATEN))


def assert_same_as_cold(session: Session, engine: Engine) -> None:
    """What the warm engine holds and answers is what an engine built now holds and answers."""
    fresh = cold(session)
    assert engine.needs == fresh.needs
    assert engine.incumbents() == fresh.incumbents()
    assert +engine.assigned == +fresh.assigned
    assert +engine.alternative_use == +fresh.alternative_use
    assert engine.config == fresh.config
    assert sorted(engine.offers) == sorted(fresh.offers)
    for need_id in sorted(fresh.needs)[:5]:
        probe = fresh.needs[need_id]
        assert engine.propose_for_need(probe) == fresh.propose_for_need(probe)


def a_pending(session: Session) -> Proposal:
    return session.scalars(
        sa.select(Proposal)
        .where(Proposal.status == ProposalStatus.PROPOSED, Proposal.rank == 1)
        .order_by(Proposal.id)
    ).first()  # type: ignore[return-value]


def an_open_offer(session: Session) -> Offer:
    taken = sa.select(Proposal.offer_id).where(
        Proposal.status == ProposalStatus.PROPOSED, Proposal.offer_id.is_not(None)
    )
    return session.scalars(
        sa.select(Offer)
        .where(Offer.status == ExchangeStatus.OPEN, Offer.id.in_(taken))
        .order_by(Offer.id)
    ).first()  # type: ignore[return-value]


def submit_need(session: Session) -> None:
    model = session.scalars(sa.select(Need).order_by(Need.id)).first()
    assert model is not None
    owner = person(session, DEMO_FACILITATOR)
    data = NeedInput(
        title="Pendampingan pembukuan BUMDes (warm)",
        skills=[s.code for s in model.skills],
        village_code=model.village_code,
        kecamatan_code=model.kecamatan_code,
        needed_from=model.needed_from,
        needed_until=model.needed_until,
    )
    save_need(session, owner, data)


def decline(session: Session) -> None:
    row = a_pending(session)
    decide_on(
        session,
        person(session, DEMO_COORDINATOR),
        row,
        ProposalStatus.DECLINED,
        "tidak cocok",
        {ProposalStatus.PROPOSED},
    )


def accept(session: Session) -> None:
    row = a_pending(session)
    coordinator = person(session, DEMO_COORDINATOR)
    decide_on(session, coordinator, row, ProposalStatus.ACCEPTED, "", {ProposalStatus.PROPOSED})


def withdraw_need(session: Session) -> None:
    need = session.get_one(Need, a_pending(session).need_id)
    change_status(session, need.person, need, "withdraw")


def withdraw_offer(session: Session) -> None:
    offer = an_open_offer(session)
    change_status(session, offer.person, offer, "withdraw")


def configure(session: Session) -> None:
    settings = session.get(RegencySettings, KLATEN) or RegencySettings(regency_code=KLATEN)
    settings.engine_overrides = {"alternatives": 1}
    session.add(settings)


def add_synonym(session: Session) -> None:
    code = session.scalars(sa.select(Skill.code).order_by(Skill.code)).first()
    assert code is not None
    session.add(
        RegencySynonym(
            regency_code=KLATEN,
            kind=SynonymKind.SKILL,
            phrase="tukang hitung",
            key="tukang hitung",
            code=code,
        )
    )


def edit_intervention(session: Session) -> None:
    item = session.scalars(sa.select(Intervention).order_by(Intervention.id)).first()
    assert item is not None
    item.title = item.title + " (revisi)"


def edit_person(session: Session) -> None:
    person(session, DEMO_FACILITATOR).active = False


def edit_skill(session: Session) -> None:
    skill = session.scalars(sa.select(Skill).order_by(Skill.code)).first()
    assert skill is not None
    skill.synonyms_id = [*skill.synonyms_id, "kata baru"]


#: change -> the counter it must move (the regency's, or every regency's)
CHANGES: dict[str, tuple[Callable[[Session], None], str]] = {
    "need submitted": (submit_need, KLATEN),
    "need withdrawn": (withdraw_need, KLATEN),
    "offer withdrawn": (withdraw_offer, KLATEN),
    "proposal declined": (decline, KLATEN),
    "proposal accepted": (accept, EVERY_REGENCY),
    "engine settings": (configure, KLATEN),
    "regency synonym": (add_synonym, KLATEN),
    "intervention edited": (edit_intervention, KLATEN),
    "person edited": (edit_person, EVERY_REGENCY),
    "taxonomy edited": (edit_skill, EVERY_REGENCY),
}


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_each_kind_of_change_moves_the_counter(ctx: object, name: str) -> None:
    session = db.session()
    seeded_and_matched(session, KLATEN)
    change, counter = CHANGES[name]
    before = versions(session, KLATEN)
    change(session)
    session.commit()
    after = versions(session, KLATEN)
    moved = after[0] > before[0] if counter == KLATEN else after[1] > before[1]
    assert moved, f"{name}: {before} -> {after}"


def test_a_change_the_engine_does_not_read_moves_nothing(ctx: object) -> None:
    session = db.session()
    seeded_and_matched(session, KLATEN)
    before = versions(session, KLATEN)
    someone = person(session, DEMO_FACILITATOR)
    someone.phone = "0812-0000-0000"
    someone.password_hash = "x"
    session.commit()
    assert versions(session, KLATEN) == before


def test_a_rolled_back_change_moves_nothing(ctx: object) -> None:
    session = db.session()
    seeded_and_matched(session, KLATEN)
    before = versions(session, KLATEN)
    decline(session)
    session.flush()
    session.rollback()
    assert versions(session, KLATEN) == before


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_the_warm_engine_sees_every_change(ctx: object, name: str) -> None:
    """Built, then a change elsewhere (and the match jobs it queues, run on commit here):
    the next use is what an engine built anew holds, and needs and proposals are caught up
    row by row rather than rebuilt."""
    session = db.session()
    seeded_and_matched(session, KLATEN)
    first = warm_engine(session, KLATEN)
    session.commit()
    change, _counter = CHANGES[name]
    change(session)
    session.commit()  # sends (here: runs) the job the change queued
    state = warm_engine(session, KLATEN)
    assert state.version == versions(session, KLATEN)[0]
    if name in ("need submitted", "need withdrawn", "proposal declined"):
        assert state is first, "caught up by the changed rows"
    assert_same_as_cold(session, state.engine)


def test_the_warm_engine_after_many_matches_is_a_cold_one(ctx: object) -> None:
    """Needs submitted one after another, each matched on the warm engine (the job runs on
    commit here), then one withdrawn: the warm state is an engine built anew at every step."""
    session = db.session()
    seeded_and_matched(session, KLATEN)
    models = session.scalars(sa.select(Need).order_by(Need.id).limit(6)).all()
    owner = person(session, DEMO_FACILITATOR)
    first = warm_engine(session, KLATEN)
    session.commit()
    for i, model in enumerate(models):
        data = NeedInput(
            title=f"Butuh bantuan yang sama ({i})",
            skills=[s.code for s in model.skills],
            village_code=model.village_code,
            kecamatan_code=model.kecamatan_code,
            needed_from=model.needed_from,
            needed_until=model.needed_until,
        )
        save_need(session, owner, data)
        session.commit()
    state = warm_engine(session, KLATEN)
    assert state is first
    assert_same_as_cold(session, state.engine)


@pytest.mark.parametrize("copy_from", [bulk.COPY_FROM, 10])
def test_a_rebuild_moves_its_own_regency_counter_only(
    ctx: object, copy_from: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full pass writes its own regency's proposals (by INSERT, or on PostgreSQL from 10 rows
    on by COPY, from a staging table that names no regency): its counter moves, every regency's
    does not (the other regencies' warm engines and kept pages stay good), and its warm engine
    is caught up."""
    monkeypatch.setattr(bulk, "COPY_FROM", copy_from)
    session = db.session()
    seeded_and_matched(session, KLATEN)
    session.execute(sa.delete(Proposal))
    session.commit()
    warm_engine(session, KLATEN)
    session.commit()
    before = versions(session, KLATEN)
    report = rebuild_regency(session, KLATEN)
    assert report.created
    after = versions(session, KLATEN)
    assert after[0] > before[0] and after[1] == before[1]
    state = warm_engine(session, KLATEN)
    assert state.version == after[0]
    assert_same_as_cold(session, state.engine)
