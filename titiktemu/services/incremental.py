"""Answering for one new or edited need, offer or intervention without a full rebuild.

The engine is built for the item's regency with the primaries already proposed counted against
capacity, asked its incremental question, and the answer is stored like a rebuild's: upserted
by key, decisions untouched, stale proposals of that item made obsolete.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from graph.engine import Engine
from titiktemu.models import (
    ExchangeStatus,
    Gap,
    Intervention,
    Need,
    Offer,
    Proposal,
    ProposalKind,
    ProposalStatus,
)
from titiktemu.services.audit import record
from titiktemu.services.engine_config import load_config
from titiktemu.services.engine_inputs import load_inputs
from titiktemu.services.engine_results import StoreReport, reasons_data, store_incremental

#: Proposal states that hold an offer's or a person's capacity.
HOLDING = (ProposalStatus.PROPOSED, ProposalStatus.CONVENE)


def _engine(session: Session, regency_code: str, skip_need: int | None = None) -> Engine:
    engine = Engine(load_inputs(session, regency_code), load_config(session, regency_code))
    held = session.execute(
        sa.select(Proposal.need_id, Proposal.kind, Proposal.offer_id, Proposal.person_id).where(
            Proposal.regency_code == regency_code,
            Proposal.rank == 1,
            Proposal.status.in_(HOLDING),
            Proposal.kind.in_([ProposalKind.NEED_OFFER, ProposalKind.NEED_PERSON]),
        )
    )
    for need_id, kind, offer_id, person_id in held:
        if need_id is None or need_id == skip_need or need_id not in engine.needs:
            continue
        side_id = offer_id if kind == ProposalKind.NEED_OFFER else person_id
        if side_id is None:
            continue
        side = ("offer" if kind == ProposalKind.NEED_OFFER else "person", side_id)
        engine.assigned[side] += 1
        engine.primary[need_id] = side
    return engine


def _obsolete(session: Session, where: sa.ColumnElement[bool], keep: set[str]) -> int:
    stale = session.scalars(
        sa.select(Proposal).where(where, Proposal.status == ProposalStatus.PROPOSED)
    ).all()
    count = 0
    for row in stale:
        if row.key not in keep:
            row.status = ProposalStatus.OBSOLETE
            record(session, "proposal.obsolete", "proposal", row.id, key=row.key)
            count += 1
    return count


def match_need(session: Session, need_id: int) -> StoreReport:
    """Propose for one need (or retire its proposals if it is no longer open); caller commits."""
    need = session.get(Need, need_id)
    report = StoreReport()
    if need is None:
        return report
    if need.status != ExchangeStatus.OPEN:
        report.obsoleted = _obsolete(session, Proposal.need_id == need_id, keep=set())
        session.execute(sa.delete(Gap).where(Gap.need_id == need_id))
        return report
    regency = need.kecamatan_code[:5]
    engine = _engine(session, regency, skip_need=need_id)
    proposals = engine.propose_for_need(engine.needs[need_id])
    report = store_incremental(session, regency, proposals)
    report.obsoleted += _obsolete(
        session, Proposal.need_id == need_id, keep={p.key for p in proposals}
    )
    if not proposals:
        gap = engine.gap_for(engine.needs[need_id])
        reasons = reasons_data([gap.reason])
        row = session.scalars(sa.select(Gap).where(Gap.need_id == need_id)).one_or_none()
        if row is None:
            session.add(Gap(need_id=need_id, regency_code=regency, reasons=reasons))
        else:
            row.reasons = reasons
    return report


def match_offer(session: Session, offer_id: int) -> StoreReport:
    """Give waiting needs this offer's capacity (or retire its proposals); caller commits."""
    offer = session.get(Offer, offer_id)
    report = StoreReport()
    if offer is None:
        return report
    if offer.status != ExchangeStatus.OPEN:
        report.obsoleted = _obsolete(session, Proposal.offer_id == offer_id, keep=set())
        return report
    regencies = sorted({v.code[:5] for v in offer.villages} | {k.code[:5] for k in offer.kecamatan})
    for regency in regencies:
        engine = _engine(session, regency)
        record_ = engine.offers.get(offer_id)
        if record_ is None:
            continue
        part = store_incremental(session, regency, engine.propose_for_offer(record_))
        report.created += part.created
        report.updated += part.updated
    return report


def check_intervention(session: Session, intervention_id: int) -> StoreReport:
    """Flag what a new or edited intervention overlaps with; caller commits."""
    item = session.get(Intervention, intervention_id)
    if item is None:
        return StoreReport()
    regency = item.village_code[:5]
    engine = Engine(load_inputs(session, regency), load_config(session, regency))
    record_ = next(i for i in engine.inputs.interventions if i.id == intervention_id)
    return store_incremental(session, regency, flags=engine.check_intervention(record_))
