"""Answering for one new or edited need, offer or intervention without a full rebuild.

The engine is built for the item's regency with the primaries already proposed counted against
capacity, asked its incremental question, and the answer is stored like a rebuild's: upserted
by key, decisions untouched, stale proposals of that item made obsolete.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from graph.engine import Engine
from titiktemu.jobs.locks import hold_regency
from titiktemu.matching.config import load_config
from titiktemu.matching.inputs import intervention_record, load_inputs, overlap_inputs
from titiktemu.matching.results import (
    StoreReport,
    forget_gaps,
    reasons_data,
    retire_pending_of,
    store_incremental,
)
from titiktemu.matching.warm import forget, warm_engine
from titiktemu.models import (
    ExchangeStatus,
    Gap,
    Intervention,
    Need,
    Offer,
    Proposal,
)
from titiktemu.models.base import run
from titiktemu.models.places import regency_of


def regency_engine(session: Session, regency_code: str) -> Engine:
    """The regency's engine, with its own settings and its pending proposals as incumbents
    (see load_inputs): what every question to the engine about a regency starts from."""
    return Engine(load_inputs(session, regency_code), load_config(session, regency_code))


#: What a match asks of its need first (its status and where it is), as plain values: the
#: engine reads the need itself from its warm state.
_NEED_STATE = sa.select(Need.status, Need.kecamatan_code).where(Need.id == sa.bindparam("need"))


def match_need(session: Session, need_id: int) -> StoreReport:
    """Propose for one need (or retire its proposals if it is no longer open); caller commits."""
    found = run(session, _NEED_STATE, {"need": need_id}).first()
    report = StoreReport()
    if found is None:
        return report
    status, kecamatan_code = found
    regency = report.regency = regency_of(kecamatan_code)
    if status != ExchangeStatus.OPEN:
        report.obsoleted = retire_pending_of(
            session, Proposal.need_id == need_id, keep=set(), code="retired.need_closed"
        )
        forget_gaps(session, [need_id])
        return report
    # One match of the regency at a time: two never hand out the same capacity.
    hold_regency(session, "match", regency)
    state = warm_engine(session, regency)
    engine = state.engine
    record = engine.needs.get(need_id)
    if record is None:
        return report  # closed or moved away since it was read: its own job retires it
    state.touched.add(need_id)
    try:
        proposals = engine.propose_for_need(record)
    except Exception:
        forget(regency)
        raise
    state.touched |= engine.touched()
    report = store_incremental(session, regency, proposals, retired=engine.retired)
    report.obsoleted += retire_pending_of(
        session,
        Proposal.need_id == need_id,
        keep={p.key for p in proposals},
        code="retired.no_longer_fits",
    )
    if not proposals:
        gap = engine.gap_for(record)
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
    report.regency = offer.regency_code
    if offer.status != ExchangeStatus.OPEN:
        report.obsoleted = retire_pending_of(
            session, Proposal.offer_id == offer_id, keep=set(), code="retired.offer_gone"
        )
        return report
    regencies = sorted(offer.regency_codes)
    for regency in regencies:
        hold_regency(session, "match", regency)
        engine = regency_engine(session, regency)
        record_ = engine.offers.get(offer_id)
        if record_ is None:
            continue
        proposals = engine.propose_for_offer(record_)
        part = store_incremental(session, regency, proposals, retired=engine.retired)
        report.created += part.created
        report.updated += part.updated
        report.obsoleted += part.obsoleted
    return report


def check_intervention(session: Session, intervention_id: int) -> StoreReport:
    """Flag what a new or edited intervention overlaps with; caller commits."""
    item = session.get(Intervention, intervention_id)
    if item is None:
        return StoreReport()
    regency = item.regency_code
    # Flags never reach across villages: the village's 3W is all the rule reads, and the
    # "similar interventions" preview asks with the same records (similar.would_flag).
    engine = Engine(overlap_inputs(session, item.village_code), load_config(session, regency))
    return store_incremental(
        session, regency, flags=engine.check_intervention(intervention_record(item))
    )
