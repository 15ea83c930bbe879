"""Engine results to rows: upsert proposals, flags and gaps by what they join, idempotently.

A rerun with the same inputs changes nothing. A coordinator's decision (accepted, declined,
convene; acknowledged, resolved, allowed) is never overwritten; proposals the engine no longer
makes become obsolete, never deleted; every change is in the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from graph.engine import Gap as GapOut
from graph.engine import Proposal as ProposalOut
from graph.engine import Result
from graph.overlaps import Flag as FlagOut
from graph.reasons import Reason as ReasonOut
from titiktemu.models import (
    FlagStatus,
    Gap,
    Intervention,
    OverlapFlag,
    Proposal,
    ProposalKind,
    ProposalStatus,
)
from titiktemu.services.audit import record

#: Statuses the engine may still change; the others are a person's decision.
ENGINE_PROPOSAL_STATES = {ProposalStatus.PROPOSED, ProposalStatus.OBSOLETE}
ENGINE_FLAG_STATES = {FlagStatus.OPEN}


@dataclass
class StoreReport:
    created: list[int] = field(default_factory=list)  # new proposals (to announce)
    updated: int = 0
    obsoleted: int = 0
    flags_created: list[int] = field(default_factory=list)  # new flags (to announce)
    flags_updated: int = 0
    flags_cleared: int = 0
    gaps: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.created
            or self.updated
            or self.obsoleted
            or self.flags_created
            or self.flags_updated
            or self.flags_cleared
        )


def reasons_data(reasons: Iterable[ReasonOut]) -> list[dict[str, object]]:
    return [r.as_dict() for r in reasons]


def store_result(session: Session, regency_code: str, result: Result) -> StoreReport:
    """Write a full pass for one regency; the caller commits."""
    report = StoreReport()
    _store_proposals(session, regency_code, result.proposals, report, full=True)
    _store_flags(session, regency_code, result.flags, report, full=True)
    _store_gaps(session, regency_code, result.gaps, report)
    return report


def store_incremental(
    session: Session,
    regency_code: str,
    proposals: Sequence[ProposalOut] = (),
    flags: Sequence[FlagOut] = (),
) -> StoreReport:
    """Write what one incremental question answered, leaving everything else as it is."""
    report = StoreReport()
    _store_proposals(session, regency_code, proposals, report, full=False)
    _store_flags(session, regency_code, flags, report, full=False)
    need_ids = {p.need_id for p in proposals if p.need_id is not None and p.rank == 1}
    if need_ids:
        session.execute(sa.delete(Gap).where(Gap.need_id.in_(sorted(need_ids))))
    return report


def _store_proposals(
    session: Session,
    regency_code: str,
    proposals: Iterable[ProposalOut],
    report: StoreReport,
    full: bool,
) -> None:
    wanted = list(proposals)
    keys = [p.key for p in wanted]
    existing = {
        row.key: row
        for row in session.scalars(
            sa.select(Proposal).where(
                Proposal.key.in_(keys) if not full else Proposal.regency_code == regency_code
            )
        )
    }
    for item in wanted:
        row = existing.get(item.key)
        values = {
            "score": round(item.score, 6),
            "rank": item.rank,
            "reasons": reasons_data(item.reasons),
            "village_codes": list(item.villages),
        }
        if row is None:
            row = Proposal(
                key=item.key,
                kind=ProposalKind(item.kind),
                regency_code=item.regency,
                need_id=item.need_id,
                offer_id=item.offer_id,
                person_id=item.person_id,
                program_a_id=item.program_a,
                program_b_id=item.program_b,
                status=ProposalStatus.PROPOSED,
                **values,
            )
            session.add(row)
            session.flush()
            report.created.append(row.id)
            record(session, "proposal.created", "proposal", row.id, key=row.key, score=row.score)
            continue
        if row.status not in ENGINE_PROPOSAL_STATES:
            continue  # a coordinator decided: the engine leaves it alone
        changes: dict[str, object] = {k: v for k, v in values.items() if getattr(row, k) != v}
        if row.status == ProposalStatus.OBSOLETE:
            changes["status"] = ProposalStatus.PROPOSED
        if changes:
            for k, v in changes.items():
                setattr(row, k, v)
            report.updated += 1
            record(
                session,
                "proposal.updated",
                "proposal",
                row.id,
                fields=sorted(changes),
                score=row.score,
            )
    if full:
        seen = set(keys)
        for row in existing.values():
            if row.key not in seen and row.status == ProposalStatus.PROPOSED:
                row.status = ProposalStatus.OBSOLETE
                report.obsoleted += 1
                record(session, "proposal.obsolete", "proposal", row.id, key=row.key)


def _store_flags(
    session: Session,
    regency_code: str,
    flags: Iterable[FlagOut],
    report: StoreReport,
    full: bool,
) -> None:
    wanted = list(flags)
    keys = [f.key for f in wanted]
    existing = {
        row.key: row
        for row in session.scalars(
            sa.select(OverlapFlag).where(
                OverlapFlag.key.in_(keys) if not full else OverlapFlag.regency_code == regency_code
            )
        )
    }
    for item in wanted:
        row = existing.get(item.key)
        severity = round(item.severity, 6)
        reasons = reasons_data(item.reasons)
        if row is None:
            row = OverlapFlag(
                key=item.key,
                regency_code=item.regency,
                village_code=item.village,
                severity=severity,
                reasons=reasons,
                status=FlagStatus.OPEN,
            )
            row.interventions = list(
                session.scalars(
                    sa.select(Intervention).where(Intervention.id.in_(item.intervention_ids))
                )
            )
            session.add(row)
            session.flush()
            report.flags_created.append(row.id)
            record(session, "flag.created", "overlap_flag", row.id, key=row.key, severity=severity)
        elif row.status in ENGINE_FLAG_STATES and (row.severity, row.reasons) != (
            severity,
            reasons,
        ):
            row.severity, row.reasons = severity, reasons
            report.flags_updated += 1
            record(session, "flag.updated", "overlap_flag", row.id, severity=severity)
    if full:
        seen = set(keys)
        for row in existing.values():
            if row.key not in seen and row.status in (FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED):
                row.status = FlagStatus.RESOLVED
                row.decision_note = "no longer overlapping (checked by the engine)"
                report.flags_cleared += 1
                record(session, "flag.cleared", "overlap_flag", row.id, key=row.key)


def _store_gaps(
    session: Session, regency_code: str, gaps: list[GapOut], report: StoreReport
) -> None:
    existing = {
        g.need_id: g
        for g in session.scalars(sa.select(Gap).where(Gap.regency_code == regency_code))
    }
    wanted = {g.need_id: g for g in gaps}
    for need_id, stale in existing.items():
        if need_id not in wanted:
            session.delete(stale)
    for need_id, item in wanted.items():
        reasons = reasons_data([item.reason])
        row = existing.get(need_id)
        if row is None:
            session.add(Gap(need_id=need_id, regency_code=item.regency, reasons=reasons))
        elif row.reasons != reasons:
            row.reasons = reasons
    report.gaps = len(wanted)
