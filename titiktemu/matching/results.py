"""Engine results to rows: upsert proposals, flags and gaps by what they join, idempotently.

A rerun with the same inputs changes nothing. A coordinator's decision (accepted, declined,
convene; acknowledged, resolved, allowed) is never overwritten; proposals the engine no longer
makes become obsolete with why (``retired_reason``), never deleted; a flag keeps its identity
(and its review) as interventions join it; every change is in the audit log. Reasons are stored
as the engine's code and values, never as words: each channel renders them in its reader's
language (``reason_text``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from graph.engine import Gap as GapOut
from graph.engine import Proposal as ProposalOut
from graph.engine import Result
from graph.overlaps import Flag as FlagOut
from graph.reasons import Reason as ReasonOut
from titiktemu.audit import record
from titiktemu.decisions import transition
from titiktemu.models import (
    ExchangeStatus,
    FlagStatus,
    Gap,
    Intervention,
    OverlapFlag,
    Proposal,
    ProposalKind,
    ProposalStatus,
)
from titiktemu.models.overlaps import overlap_flag_interventions

#: Statuses the engine may still change; the others are a person's decision.
ENGINE_PROPOSAL_STATES = {ProposalStatus.PROPOSED, ProposalStatus.OBSOLETE}
#: Flags the engine may still clear: a resolution or an allowance is the coordinator's.
UNDECIDED_FLAG = {FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED}
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


def reasons_data(reasons: Iterable[ReasonOut]) -> list[dict[str, Any]]:
    """The engine's reasons as stored: code and values (no words: those are the reader's)."""
    return [r.as_dict() for r in reasons]


def store_result(session: Session, regency_code: str, result: Result) -> StoreReport:
    """Write a full pass for one regency; the caller commits."""
    report = StoreReport()
    _store_proposals(
        session, regency_code, result.proposals, report, full=True, retired=result.retired
    )
    _store_flags(session, regency_code, result.flags, report, full=True)
    _store_gaps(session, regency_code, result.gaps, report)
    return report


def store_incremental(
    session: Session,
    regency_code: str,
    proposals: Sequence[ProposalOut] = (),
    flags: Sequence[FlagOut] = (),
    retired: Mapping[str, ReasonOut] | None = None,
) -> StoreReport:
    """Write what one incremental question answered, leaving everything else as it is;
    ``retired``: proposals it no longer makes (other needs' alternatives that lost their room,
    an incumbent that gave way), by key, with why."""
    report = StoreReport()
    _store_proposals(session, regency_code, proposals, report, full=False)
    if retired:
        retire(session, dict(retired), report)
    _store_flags(session, regency_code, flags, report, full=False)
    need_ids = {p.need_id for p in proposals if p.need_id is not None and p.rank == 1}
    if need_ids:
        session.execute(sa.delete(Gap).where(Gap.need_id.in_(sorted(need_ids))))
    return report


def retire(session: Session, reasons: Mapping[str, ReasonOut], report: StoreReport) -> None:
    """Make the pending proposals with these keys obsolete, each with its reason."""
    if not reasons:
        return
    rows = session.scalars(
        sa.select(Proposal).where(
            Proposal.key.in_(sorted(reasons)), Proposal.status == ProposalStatus.PROPOSED
        )
    )
    for row in rows:
        _obsolete(session, row, reasons[row.key].as_dict(), report)


def _obsolete(session: Session, row: Proposal, why: dict[str, Any], report: StoreReport) -> None:
    """Retire a pending proposal, only if it is still pending in the database: a coordinator who
    decided it while this pass ran keeps the decision (the row in memory may be older)."""
    retire_it = {"status": ProposalStatus.OBSOLETE, "retired_reason": why}
    if transition(session, row, {ProposalStatus.PROPOSED}, retire_it) is None:
        return
    report.obsoleted += 1
    record(session, "proposal.obsolete", "proposal", row.id, key=row.key, why=why.get("code"))


def _store_proposals(
    session: Session,
    regency_code: str,
    proposals: Iterable[ProposalOut],
    report: StoreReport,
    full: bool,
    retired: Mapping[str, ReasonOut] | None = None,
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
            changes["retired_reason"] = None
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
        gone = [
            r
            for r in existing.values()
            if r.key not in seen and r.status == ProposalStatus.PROPOSED
        ]
        closed = _closed(session, gone)
        for row in gone:
            found = (retired or {}).get(row.key)
            why = (
                found.as_dict()
                if found is not None
                else {"code": closed.get(row.id, "retired.no_longer_fits"), "params": {}}
            )
            _obsolete(session, row, why, report)


def _closed(session: Session, rows: list[Proposal]) -> dict[int, str]:
    """Why proposals the engine did not see go: their need or offer is no longer open."""
    found: dict[int, str] = {}
    for row in rows:
        if row.need is not None and row.need.status != ExchangeStatus.OPEN:
            found[row.id] = "retired.need_closed"
        elif row.offer is not None and row.offer.status != ExchangeStatus.OPEN:
            found[row.id] = "retired.offer_gone"
    return found


def _store_flags(
    session: Session,
    regency_code: str,
    flags: Iterable[FlagOut],
    report: StoreReport,
    full: bool,
) -> None:
    """Flags by identity, not by member list: a flag the new cluster shares interventions with
    is that flag, grown or shrunk (its review kept); a decided flag reopens only when the newcomer
    brings a program outside what was decided, and says so."""
    wanted = sorted(flags, key=lambda f: (f.village, f.key))
    villages = sorted({f.village for f in wanted})
    query = sa.select(OverlapFlag).order_by(OverlapFlag.id)
    query = (
        query.where(OverlapFlag.regency_code == regency_code)
        if full
        else query.where(OverlapFlag.village_code.in_(villages))
    )
    existing = list(session.scalars(query))
    members = _members(session, [row.id for row in existing])
    claimed: set[int] = set()
    owner: dict[int, int] = {}  # intervention id -> the flag now holding it
    for item in wanted:
        ids = set(item.intervention_ids)
        row = _same_flag(item, ids, existing, members, claimed)
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
            row.interventions = _interventions(session, ids)
            session.add(row)
            session.flush()
            claimed.add(row.id)
            owner.update(dict.fromkeys(ids, row.id))
            report.flags_created.append(row.id)
            record(session, "flag.created", "overlap_flag", row.id, key=row.key, severity=severity)
            continue
        claimed.add(row.id)
        owner.update(dict.fromkeys(ids, row.id))
        before = members.get(row.id, set())
        changed = row.key != item.key or (row.severity, row.reasons) != (severity, reasons)
        if not changed:
            continue
        joined = sorted(ids - before)
        if ids != before:
            row.key = item.key
            row.interventions = _interventions(session, ids)
        row.severity, row.reasons = severity, reasons
        report.flags_updated += 1
        record(session, "flag.updated", "overlap_flag", row.id, severity=severity, joined=joined)
        if joined:
            _note_newcomers(session, row, before, joined)
    for row in existing:
        if row.id in claimed or row.status not in (FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED):
            continue
        merged = next((owner[i] for i in sorted(members.get(row.id, set())) if i in owner), None)
        if merged is None and not full:
            continue  # an incremental answer speaks only for the clusters it was asked about
        # A flag whose interventions another flag now holds was merged into it, in a full pass
        # and in an incremental check alike: one card per cluster, never two side by side.
        # Why, as a change note in the reader's words; the coordinator's own note stays.
        note = (
            {"code": "flag.merged", "params": {"flag": merged}}
            if merged is not None
            else {"code": "flag.cleared", "params": {}}
        )
        clear = {"status": FlagStatus.RESOLVED, "change_note": note}
        if transition(session, row, UNDECIDED_FLAG, clear) is None:
            continue  # a coordinator resolved or allowed it meanwhile: theirs stands
        report.flags_cleared += 1
        record(session, "flag.cleared", "overlap_flag", row.id, key=row.key, merged=merged)


def _members(session: Session, flag_ids: list[int]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {i: set() for i in flag_ids}
    table = overlap_flag_interventions
    for batch in _batches(flag_ids):
        for flag_id, item_id in session.execute(
            sa.select(table.c.flag_id, table.c.intervention_id).where(table.c.flag_id.in_(batch))
        ):
            found[flag_id].add(item_id)
    return found


def _batches(values: list[int], size: int = 5000) -> Iterable[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _same_flag(
    item: FlagOut,
    ids: set[int],
    existing: list[OverlapFlag],
    members: dict[int, set[int]],
    claimed: set[int],
) -> OverlapFlag | None:
    """The stored flag ``item`` is: the one with its key, else the one sharing the most of its
    interventions in its village (the oldest on a tie), not yet taken by another cluster."""
    candidates = [
        row
        for row in existing
        if row.id not in claimed
        and row.village_code == item.village
        and (row.key == item.key or members.get(row.id, set()) & ids)
    ]
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda row: (row.key != item.key, -len(members.get(row.id, set()) & ids), row.id),
    )


def _interventions(session: Session, ids: set[int]) -> list[Intervention]:
    return list(
        session.scalars(
            sa.select(Intervention)
            .where(Intervention.id.in_(sorted(ids)))
            .order_by(Intervention.id)
        )
    )


def _note_newcomers(
    session: Session, row: OverlapFlag, before: set[int], joined: list[int]
) -> None:
    """Say who joined; reopen a decided flag when a newcomer's program is not among those the
    decision was about (the same programs again change nothing that was decided)."""
    items = {i.id: i for i in _interventions(session, set(joined) | before)}
    decided_programs = {items[i].program_id for i in before if i in items}
    newcomer = items[joined[0]]
    outside = [items[i] for i in joined if items[i].program_id not in decided_programs]
    shown = outside[0] if outside else newcomer
    params = {"title": shown.title, "program": shown.program.code}
    seen = row.status
    decided = seen in (FlagStatus.ACKNOWLEDGED, FlagStatus.RESOLVED, FlagStatus.ALLOWED)
    reopened = {"code": "flag.reopened", "params": params}
    if decided and outside:
        # Reopen the decision this pass saw, not one a coordinator took since.
        if transition(session, row, {seen}, {"status": FlagStatus.OPEN, "change_note": reopened}):
            record(session, "flag.reopened", "overlap_flag", row.id, intervention=shown.id)
    else:
        row.change_note = {"code": "flag.grown", "params": params}


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
