"""A busy Klaten for the page benchmark: the demo, matched, then topped up in bulk to a review
queue of 10,000 pending proposals and 2,000 open overlap flags.

The extra rows look like the engine's: needs and offers of the demo's facilitators in Klaten's
villages with taxonomy skills, proposals joining a need to offers of its kecamatan first, and
flags joining two interventions of different programs in one village at overlapping times. Their
reasons are copied from what the engine itself wrote for the demo, so every card renders what a
real one does. Everything is inserted set-wise (one ``executemany`` per table); none of it is timed.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.models import (
    FlagStatus,
    Intervention,
    Need,
    Offer,
    OverlapFlag,
    Person,
    Program,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Role,
    Skill,
    Village,
)
from titiktemu.models.base import utcnow
from titiktemu.models.exchange import need_skills, offer_kecamatan, offer_skills, offer_villages
from titiktemu.models.overlaps import overlap_flag_interventions
from titiktemu.models.places import under
from titiktemu.models.programs import program_categories

SEED = 20260114
#: Offers proposed per need in one round (the engine proposes three; a busy queue keeps more).
PER_ROUND = 4


@dataclass(frozen=True)
class Volume:
    """How many pending proposals and open flags the regency should hold in the end, and the
    needs and offers added to the demo's 75 each (enough distinct pairs for the proposals)."""

    proposals: int = 10_000
    flags: int = 2_000
    needs: int = 1_000
    offers: int = 1_000


@dataclass(frozen=True)
class Added:
    needs: int
    offers: int
    proposals: int
    interventions: int
    flags: int


def _leaf_skills(session: Session) -> list[str]:
    parents = sa.select(Skill.parent_code).where(Skill.parent_code.is_not(None))
    return list(
        session.scalars(
            sa.select(Skill.code).where(Skill.code.not_in(parents)).order_by(Skill.code)
        )
    )


def _villages(session: Session, regency: str) -> list[tuple[str, str]]:
    return [
        (code, kecamatan)
        for code, kecamatan in session.execute(
            sa.select(Village.code, Village.kecamatan_code)
            .where(under(Village.code, regency))
            .order_by(Village.code)
        )
    ]


def _templates(session: Session, regency: str, column: Any, model: Any) -> list[Any]:
    """Reasons the engine wrote for this regency (kept JSON), to copy onto the extra rows."""
    found = [
        r
        for r in session.scalars(sa.select(column).where(model.regency_code == regency).limit(200))
        if r
    ]
    return found or [[]]


def _bulk_ids(session: Session, table: sa.Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` in one statement per batch and return their ids, in order."""
    ids: list[int] = []
    for start in range(0, len(rows), 2_000):
        batch = rows[start : start + 2_000]
        result = session.execute(
            sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), batch
        )
        ids.extend(result.scalars())
    return ids


def _insert(session: Session, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(sa.insert(table), rows)


def top_up(session: Session, regency: str, volume: Volume = Volume()) -> Added:
    """Add needs, offers, proposals, interventions and flags until the regency holds
    ``volume.proposals`` pending proposals and ``volume.flags`` open flags; the caller commits."""
    rng = random.Random(SEED)
    now = utcnow()
    villages = _villages(session, regency)
    by_kecamatan: dict[str, list[str]] = defaultdict(list)
    for code, kecamatan in villages:
        by_kecamatan[kecamatan].append(code)
    skills = _leaf_skills(session)
    owners = list(
        session.scalars(
            sa.select(Person.id)
            .where(Person.regency_code == regency, Person.role == Role.FACILITATOR)
            .order_by(Person.id)
        )
    )

    # Titles carry a running number: a person's titles are unique, and a second top-up adds more.
    serial = session.scalar(sa.select(sa.func.count()).select_from(Need)) or 0
    need_rows, need_places = [], []
    for i in range(serial, serial + volume.needs):
        village, kecamatan = rng.choice(villages)
        start = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(500))
        need_rows.append(
            {
                "person_id": rng.choice(owners),
                "title": f"Butuh pendampingan {rng.choice(skills).replace('_', ' ')} {i}",
                "description": "Kelompok warga membutuhkan pendampingan teknis dan pelatihan.",
                "kecamatan_code": kecamatan,
                "village_code": village if rng.random() < 0.85 else None,
                "needed_from": start,
                "needed_until": start + dt.timedelta(days=rng.randrange(14, 120)),
            }
        )
        need_places.append(kecamatan)
    need_ids = _bulk_ids(session, Need.__table__, need_rows)  # type: ignore[arg-type]
    _insert(
        session,
        need_skills,
        [
            {"need_id": n, "skill_code": s}
            for n in need_ids
            for s in rng.sample(skills, rng.randint(1, 2))
        ],
    )

    serial = session.scalar(sa.select(sa.func.count()).select_from(Offer)) or 0
    offer_rows, offer_places = [], []
    for i in range(serial, serial + volume.offers):
        kecamatan = rng.choice(sorted(by_kecamatan))
        offer_rows.append(
            {
                "person_id": rng.choice(owners),
                "title": f"Bisa membantu {rng.choice(skills).replace('_', ' ')} {i}",
                "description": "Pengalaman mendampingi kelompok di beberapa desa.",
                "capacity": rng.randint(1, 4),
                "available_from": None,
                "available_until": None,
            }
        )
        offer_places.append(kecamatan)
    offer_ids = _bulk_ids(session, Offer.__table__, offer_rows)  # type: ignore[arg-type]
    offer_links, offer_wide = [], []
    for offer, kecamatan in zip(offer_ids, offer_places, strict=True):
        if rng.random() < 0.35:
            offer_wide.append({"offer_id": offer, "kecamatan_code": kecamatan})
        else:
            for v in rng.sample(by_kecamatan[kecamatan], min(3, len(by_kecamatan[kecamatan]))):
                offer_links.append({"offer_id": offer, "village_code": v})
    _insert(session, offer_villages, offer_links)
    _insert(session, offer_kecamatan, offer_wide)
    _insert(
        session,
        offer_skills,
        [
            {"offer_id": o, "skill_code": s}
            for o in offer_ids
            for s in rng.sample(skills, rng.randint(1, 3))
        ],
    )

    proposals = _proposals(session, regency, volume.proposals, rng, now)
    interventions, flags = _flags(session, regency, volume.flags, villages, rng, now)
    session.flush()
    return Added(len(need_ids), len(offer_ids), proposals, interventions, flags)


def _proposals(
    session: Session, regency: str, wanted: int, rng: random.Random, now: dt.datetime
) -> int:
    pending = (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Proposal)
            .where(Proposal.regency_code == regency, Proposal.status == ProposalStatus.PROPOSED)
        )
        or 0
    )
    missing = wanted - pending
    if missing <= 0:
        return 0
    taken = set(session.scalars(sa.select(Proposal.key)))
    reasons = _templates(session, regency, Proposal.reasons, Proposal)
    needs = list(
        session.execute(
            sa.select(Need.id, Need.kecamatan_code).where(under(Need.kecamatan_code, regency))
        )
    )
    offers_at: dict[str, list[int]] = defaultdict(list)
    for offer, kecamatan in session.execute(
        sa.select(offer_kecamatan.c.offer_id, offer_kecamatan.c.kecamatan_code)
    ):
        offers_at[kecamatan].append(offer)
    for offer, village in session.execute(
        sa.select(offer_villages.c.offer_id, offer_villages.c.village_code)
    ):
        offers_at[village.rsplit(".", 1)[0]].append(offer)
    every_offer = sorted({o for found in offers_at.values() for o in found})
    rows: list[dict[str, Any]] = []
    rng.shuffle(needs)
    for need, kecamatan in needs * 3:  # more rounds when a need's kecamatan has few offers
        near = offers_at.get(kecamatan) or every_offer
        pool = near if rng.random() < 0.8 else every_offer
        for offer in rng.sample(pool, min(PER_ROUND, len(pool))):
            key = f"need_offer:{need}:{offer}"
            if key in taken:
                continue
            taken.add(key)
            rows.append(
                {
                    "key": key,
                    "kind": ProposalKind.NEED_OFFER,
                    "regency_code": regency,
                    "need_id": need,
                    "offer_id": offer,
                    "score": round(rng.uniform(0.25, 0.98), 3),
                    "rank": rng.choice((1, 2, 3)),
                    "reasons": rng.choice(reasons),
                    "village_codes": [],
                    "status": ProposalStatus.PROPOSED,
                    "decision_note": "",
                    # a spread of ages: some past any regency's deadline
                    "created_at": now - dt.timedelta(hours=rng.randrange(24 * 21)),
                    "updated_at": now,
                }
            )
            if len(rows) == missing:
                break
        if len(rows) == missing:
            break
    for start in range(0, len(rows), 2_000):
        _insert(session, Proposal.__table__, rows[start : start + 2_000])  # type: ignore[arg-type]
    return len(rows)


def _flags(
    session: Session,
    regency: str,
    wanted: int,
    villages: list[tuple[str, str]],
    rng: random.Random,
    now: dt.datetime,
) -> tuple[int, int]:
    """Pairs of interventions of two programs in one village, overlapping in time, and a flag on
    each pair."""
    open_now = (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(OverlapFlag)
            .where(OverlapFlag.regency_code == regency, OverlapFlag.status == FlagStatus.OPEN)
        )
        or 0
    )
    missing = wanted - open_now
    if missing <= 0:
        return 0, 0
    programs = list(session.scalars(sa.select(Program.id).order_by(Program.id)))
    categories: dict[int, list[str]] = defaultdict(list)
    for program, category in session.execute(
        sa.select(program_categories.c.program_id, program_categories.c.category_code)
    ):
        categories[program].append(category)
    fallback = sorted({c for found in categories.values() for c in found})
    reasons = _templates(session, regency, OverlapFlag.reasons, OverlapFlag)
    taken = {
        (program, village, category, start)
        for program, village, category, start in session.execute(
            sa.select(
                Intervention.program_id,
                Intervention.village_code,
                Intervention.category_code,
                Intervention.start_date,
            )
        )
    }
    rows: list[dict[str, Any]] = []
    for i in range(missing):
        village, _kecamatan = villages[i % len(villages)]
        a, b = rng.sample(programs, 2)
        start = dt.date(2026, 1, 1) + dt.timedelta(days=i // len(villages) * 7 + rng.randrange(6))
        for program in (a, b):
            category = rng.choice(categories.get(program) or fallback)
            while (program, village, category, start) in taken:  # the demo's own, or a neighbour's
                start += dt.timedelta(days=1)
            taken.add((program, village, category, start))
            rows.append(
                {
                    "program_id": program,
                    "village_code": village,
                    "category_code": category,
                    "title": f"Kegiatan {category.replace('_', ' ')} {i}",
                    "start_date": start,
                    "end_date": start + dt.timedelta(days=rng.randrange(30, 240)),
                    "budget_year": start.year,
                    "households": rng.randint(5, 80),
                    "budget_idr": rng.randint(10, 900) * 1_000_000,
                    "facilitator_id": None,
                }
            )
    ids = _bulk_ids(session, Intervention.__table__, rows)  # type: ignore[arg-type]
    flag_rows = [
        {
            "key": f"{ids[2 * i]},{ids[2 * i + 1]}",
            "regency_code": regency,
            "village_code": rows[2 * i]["village_code"],
            "severity": round(rng.uniform(0.3, 1.0), 3),
            "reasons": rng.choice(reasons),
            "status": FlagStatus.OPEN,
            "decision_note": "",
            "created_at": now,
            "updated_at": now,
        }
        for i in range(missing)
    ]
    flag_ids = _bulk_ids(session, OverlapFlag.__table__, flag_rows)  # type: ignore[arg-type]
    _insert(
        session,
        overlap_flag_interventions,
        [
            {"flag_id": f, "intervention_id": ids[2 * i + side]}
            for i, f in enumerate(flag_ids)
            for side in (0, 1)
        ],
    )
    return len(ids), len(flag_ids)
