"""Engine results in the database: idempotent, decisions kept, nothing deleted, all audited."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Flask

from titiktemu.demo.seed import DEMO_FACILITATOR
from titiktemu.exchange.commands import NeedInput, OfferInput, save_need, save_offer
from titiktemu.extensions import db
from titiktemu.matching.config import load_config
from titiktemu.matching.rebuild import rebuild_regency
from titiktemu.models import (
    AllowedCombination,
    AuditEntry,
    ExchangeStatus,
    FlagStatus,
    Intervention,
    KecamatanAdjacency,
    Need,
    OverlapFlag,
    Person,
    Program,
    Proposal,
    ProposalStatus,
    RegencySettings,
    Village,
)

from .snapshot import seeded_demo

KLATEN = "33.10"


def rows(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def snapshot() -> list[tuple[str, str, float, int | None]]:
    return [
        (p.key, str(p.status), p.score, p.rank)
        for p in db.session.scalars(sa.select(Proposal).order_by(Proposal.key))
    ]


def test_rebuild_twice_changes_nothing(ctx: Flask) -> None:
    seeded_demo(db.session(), KLATEN)
    first = rebuild_regency(db.session(), KLATEN)
    assert first.created and first.flags_created
    before, audits = snapshot(), rows(AuditEntry)
    second = rebuild_regency(db.session(), KLATEN)
    assert not second.changed
    assert snapshot() == before
    assert rows(AuditEntry) == audits
    keys = [k for k, *_ in before]
    assert len(keys) == len(set(keys))


def test_a_decision_survives_every_rebuild(ctx: Flask) -> None:
    seeded_demo(db.session(), KLATEN)
    rebuild_regency(db.session(), KLATEN)
    # Two primaries whose needs also hold alternatives (so the withdrawn one leaves some behind).
    with_alternatives = sa.select(Proposal.need_id).where(Proposal.rank == 2)
    chosen = db.session.scalars(
        sa.select(Proposal)
        .where(Proposal.rank == 1, Proposal.need_id.in_(with_alternatives))
        .order_by(Proposal.id)
        .limit(2)
    ).all()
    assert len(chosen) == 2
    chosen[0].status = ProposalStatus.ACCEPTED
    chosen[1].status = ProposalStatus.DECLINED
    chosen[1].decision_note = "sudah ditangani"
    db.session.commit()
    # The declined need is withdrawn: its proposals become obsolete, the decisions stay.
    need = db.session.get(Need, chosen[1].need_id)
    assert need is not None
    need.status = ExchangeStatus.WITHDRAWN
    db.session.commit()
    rebuild_regency(db.session(), KLATEN)
    db.session.expire_all()
    assert db.session.get(Proposal, chosen[0].id).status == ProposalStatus.ACCEPTED  # type: ignore[union-attr]
    kept = db.session.get(Proposal, chosen[1].id)
    assert kept is not None and kept.status == ProposalStatus.DECLINED
    assert kept.decision_note == "sudah ditangani"
    others = db.session.scalars(
        sa.select(Proposal).where(Proposal.need_id == need.id, Proposal.id != chosen[1].id)
    ).all()
    assert others and all(p.status == ProposalStatus.OBSOLETE for p in others)
    obsolete_audits = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "proposal.obsolete")
    ).all()
    assert {a.object_id for a in obsolete_audits} >= {str(p.id) for p in others}


def test_flags_keep_their_interventions_and_clear_when_allowed(ctx: Flask) -> None:
    seeded_demo(db.session(), KLATEN)
    rebuild_regency(db.session(), KLATEN)
    flags = db.session.scalars(sa.select(OverlapFlag).order_by(OverlapFlag.id)).all()
    assert flags
    biggest = max(flags, key=lambda f: len(f.interventions))
    assert len(biggest.interventions) >= 3
    assert biggest.key == ",".join(str(i.id) for i in biggest.interventions)
    pair = next(f for f in flags if len({i.program_id for i in f.interventions}) == 2)
    a, b = sorted({i.program_id for i in pair.interventions})
    db.session.add(AllowedCombination(regency_code=KLATEN, program_a_id=a, program_b_id=b))
    db.session.commit()
    report = rebuild_regency(db.session(), KLATEN)
    assert report.flags_cleared >= 1
    db.session.refresh(pair)
    assert pair.status == FlagStatus.RESOLVED


def test_regency_config_reads_overrides_neighbours_and_allowed(ctx: Flask) -> None:
    seeded_demo(db.session(), KLATEN)
    db.session.add(
        RegencySettings(
            regency_code=KLATEN,
            engine_overrides={"k": 7, "weights": {"skill": 0.4, "place": 0.25}},
        )
    )
    # Prambanan and Gantiwarno share a border: the session loaded it from places/33.10.toml.
    assert db.session.get(KecamatanAdjacency, ("33.10.01", "33.10.02")) is not None
    pkh, rtlh = (
        db.session.scalars(sa.select(Program).where(Program.code == code)).one()
        for code in ("PKH", "RTLH")
    )
    low, high = sorted((pkh.id, rtlh.id))
    db.session.add(AllowedCombination(regency_code=KLATEN, program_a_id=low, program_b_id=high))
    db.session.commit()
    config = load_config(db.session(), KLATEN)
    assert config.k == 7
    assert config.weights["skill"] == 0.4 and config.weights["time"] == 0.15
    assert ("33.10.01", "33.10.02") in config.adjacency
    assert ("PKH", "BPNT") in config.allowed  # the defaults stay
    assert tuple(sorted(("PKH", "RTLH"))) in {tuple(sorted(p)) for p in config.allowed}


def shown() -> list[tuple[int, str, int | None]]:
    """The pending need proposals people can see: id, key and rank."""
    return [
        (p.id, p.key, p.rank)
        for p in db.session.scalars(
            sa.select(Proposal)
            .where(Proposal.status == ProposalStatus.PROPOSED, Proposal.need_id.is_not(None))
            .order_by(Proposal.id)
        )
    ]


def test_what_was_shown_survives_new_records_and_an_unrelated_import(ctx: Flask) -> None:
    """Issue 11: needs and offers matched one by one, then the full pass, then 100 unrelated
    interventions and the full pass again: nothing shown turns "no longer current"."""
    seeded_demo(db.session(), KLATEN)
    rebuild_regency(db.session(), KLATEN)
    sri = db.session.scalars(sa.select(Person).where(Person.email == DEMO_FACILITATOR)).one()
    assert sri.home_village_code is not None
    for title, skills in (
        ("Butuh pelatihan pembukuan untuk KWT", ["bookkeeping"]),
        ("Butuh peta sebaran RTLH", ["participatory_mapping"]),
    ):
        save_need(
            db.session(),
            sri,
            NeedInput(title=title, skills=skills, village_code=sri.home_village_code),
        )
        db.session.commit()  # matched incrementally, in this process
    save_offer(
        db.session(),
        sri,
        OfferInput(
            title="Pendampingan pembukuan kelompok usaha",
            skills=["bookkeeping"],
            village_codes=[sri.home_village_code],
            capacity=2,
        ),
    )
    db.session.commit()
    before = shown()
    assert before
    rebuild_regency(db.session(), KLATEN)
    db.session.expire_all()
    assert shown() == before  # the full pass after the incremental matches changes nothing

    with_needs = sa.select(Need.village_code).where(Need.village_code.is_not(None))
    far = db.session.scalars(
        sa.select(Village.code)
        .where(Village.code.like(f"{KLATEN}.%"), Village.code.not_in(with_needs))
        .order_by(Village.code)
        .limit(50)
    ).all()
    program = db.session.scalars(sa.select(Program).order_by(Program.id)).first()
    assert program is not None and len(far) == 50
    for n in range(100):
        db.session.add(
            Intervention(
                program_id=program.id,
                village_code=far[n % 50],
                category_code="livelihood_training",
                title=f"Pelatihan keterampilan angkatan {n + 1}",
                start_date=dt.date(2027, 1 + n % 12, 1),
                end_date=dt.date(2027, 1 + n % 12, 28),
                budget_year=2027,
            )
        )
    db.session.commit()
    rebuild_regency(db.session(), KLATEN)
    db.session.expire_all()
    assert shown() == before
