"""Engine results to rows: upsert proposals, flags and gaps by what they join, idempotently.

A rerun with the same inputs changes nothing. A coordinator's decision (accepted, declined,
convene; acknowledged, resolved, allowed) is never overwritten; proposals the engine no longer
makes become obsolete with why (``retired_reason``), never deleted; a flag keeps its identity
(and its review) as interventions join it; every change is in the audit log. Reasons are stored
as the engine's code and values, never as words: each channel renders them in its reader's
language (``reason_text``).

Set-based: the stored rows are read once as plain values, compared in memory, and only what
differs is written, a statement per kind of change (new rows in one ``INSERT ... ON CONFLICT``,
changed ones in one ``executemany``, retirements as one conditional ``UPDATE``), audit lines in
one insert. A pass that changes nothing writes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from graph.engine import Gap as GapOut
from graph.engine import Proposal as ProposalOut
from graph.engine import Result
from graph.overlaps import Flag as FlagOut
from graph.reasons import Reason as ReasonOut
from titiktemu.audit import Line, record_all
from titiktemu.bulk import JsonText, batches, insert_all, insert_new, update_rows
from titiktemu.decisions import transition_all
from titiktemu.models import (
    ExchangeStatus,
    FlagStatus,
    Gap,
    Intervention,
    Need,
    Offer,
    OverlapFlag,
    Program,
    Proposal,
    ProposalKind,
    ProposalStatus,
    changes,
)
from titiktemu.models.base import run
from titiktemu.models.overlaps import overlap_flag_interventions

#: Statuses the engine may still change; the others are a person's decision.
ENGINE_PROPOSAL_STATES = {ProposalStatus.PROPOSED, ProposalStatus.OBSOLETE}
#: Flags the engine may still clear: a resolution or an allowance is the coordinator's.
UNDECIDED_FLAG = {FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED}
ENGINE_FLAG_STATES = {FlagStatus.OPEN}
DECIDED_FLAG = (FlagStatus.ACKNOWLEDGED, FlagStatus.RESOLVED, FlagStatus.ALLOWED)

PROPOSALS: sa.Table = Proposal.__table__  # type: ignore[assignment]
FLAGS: sa.Table = OverlapFlag.__table__  # type: ignore[assignment]
GAPS: sa.Table = Gap.__table__  # type: ignore[assignment]
LINKS = overlap_flag_interventions
FLAG_KEY_LENGTH: int = FLAGS.c.key.type.length  # type: ignore[attr-defined]
#: What the engine writes on a proposal; compared with what is stored to find what changed.
PROPOSAL_VALUES = ("score", "rank", "reasons", "village_codes")
#: A write whose changes the store tells the regency counter itself (``changes.note``).
_NOTED = {changes.NOTED: True}


@dataclass
class StoreReport:
    #: The regency whose coordinators hear of it (an incremental answer's; None: no item).
    regency: str | None = None
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


class ReasonTexts(dict[ReasonOut, str]):
    """Each reason's JSON text, encoded once in a pass: a rebuild's 1,571 proposals at Klaten
    carry 7,747 reasons, of which 740 differ."""

    def __missing__(self, reason: ReasonOut) -> str:
        text = self[reason] = json.dumps(reason.as_dict())
        return text

    def of(self, reasons: Iterable[ReasonOut]) -> JsonText:
        """``reasons_data(reasons)`` as the text ``json.dumps`` would write of it."""
        return JsonText("[" + ", ".join(self[r] for r in reasons) + "]")


def store_result(session: Session, regency_code: str, result: Result) -> StoreReport:
    """Write a full pass for one regency; the caller commits."""
    report = StoreReport()
    lines: list[Line] = []
    _store_proposals(
        session, regency_code, result.proposals, report, lines, full=True, retired=result.retired
    )
    _store_flags(session, regency_code, result.flags, report, lines, full=True)
    _store_gaps(session, regency_code, result.gaps, report)
    record_all(session, lines)
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
    report = StoreReport(regency=regency_code)
    lines: list[Line] = []
    _store_proposals(session, regency_code, proposals, report, lines, full=False)
    if retired:
        _retire(session, dict(retired), report, lines)
    _store_flags(session, regency_code, flags, report, lines, full=False)
    record_all(session, lines)
    forget_gaps(session, {p.need_id for p in proposals if p.need_id is not None and p.rank == 1})
    return report


def forget_gaps(session: Session, need_ids: Collection[int]) -> None:
    """Delete the gaps of these needs (met by a primary proposal, or no longer open)."""
    if need_ids:
        run(session, _GAPS_OF, {"needs": sorted(need_ids)})


#: Built once: a match job runs it.
_GAPS_OF = sa.delete(Gap).where(Gap.need_id.in_(sa.bindparam("needs", expanding=True)))


def retire(session: Session, reasons: Mapping[str, ReasonOut], report: StoreReport) -> None:
    """Make the pending proposals with these keys obsolete, each with its reason."""
    lines: list[Line] = []
    _retire(session, reasons, report, lines)
    record_all(session, lines)


def retire_pending_of(
    session: Session, where: sa.ColumnElement[bool], keep: Collection[str], code: str
) -> int:
    """Make obsolete, with why (``code``), the pending proposals ``where`` says whose key is not
    in ``keep``; how many. One conditional ``UPDATE ... RETURNING``: no read first, and a
    proposal a coordinator decided meanwhile keeps the decision."""
    why: dict[str, Any] = {"code": code, "params": {}}
    statement = sa.update(Proposal).where(where, Proposal.status == ProposalStatus.PROPOSED)
    if keep:
        statement = statement.where(Proposal.key.not_in(sorted(keep)))
    # On the connection, past the ORM's pipeline (every match job runs it); noted below.
    written = run(
        session,
        statement.values(status=ProposalStatus.OBSOLETE, retired_reason=why).returning(
            Proposal.id, Proposal.key, Proposal.regency_code, Proposal.need_id
        ),
    ).all()
    if not written:
        return 0
    changes.note(session, [(row.regency_code, changes.PROPOSAL, row.need_id) for row in written])
    rows = sorted(written, key=lambda row: row.id)
    record_all(
        session,
        [("proposal.obsolete", "proposal", row.id, {"key": row.key, "why": code}) for row in rows],
    )
    _expire(session, Proposal, [row.id for row in rows])
    return len(rows)


def _retire(
    session: Session, reasons: Mapping[str, ReasonOut], report: StoreReport, lines: list[Line]
) -> None:
    # By key, conditional on still pending, in the statement that writes: no read first (its
    # RETURNING tells the regency counter what changed: never an acceptance, see changes.py).
    by_why: dict[str, list[str]] = defaultdict(list)
    for key in sorted(reasons):
        by_why[json.dumps(reasons[key].as_dict(), sort_keys=True)].append(key)
    done: dict[int, tuple[str, dict[str, Any]]] = {}
    for why_text, keys in by_why.items():
        why = json.loads(why_text)
        for batch in batches(keys):
            written = session.execute(
                sa.update(Proposal)
                .where(Proposal.key.in_(batch), Proposal.status == ProposalStatus.PROPOSED)
                .values(status=ProposalStatus.OBSOLETE, retired_reason=why)
                .returning(Proposal.id, Proposal.key, Proposal.regency_code, Proposal.need_id)
                .execution_options(synchronize_session=False, **{changes.NOTED: True})
            ).all()
            changes.note(
                session, [(row.regency_code, changes.PROPOSAL, row.need_id) for row in written]
            )
            done.update((row.id, (row.key, why)) for row in written)
    for row_id in sorted(done):
        key, why = done[row_id]
        lines.append(
            ("proposal.obsolete", "proposal", row_id, {"key": key, "why": why.get("code")})
        )
    report.obsoleted += len(done)
    _expire(session, Proposal, done)


def _obsolete(
    session: Session,
    rows: Mapping[int, tuple[str, dict[str, Any]]],
    report: StoreReport,
    lines: list[Line],
) -> None:
    """Retire pending proposals (id -> key, why), each only if it is still pending in the
    database: a coordinator who decided one while this pass ran keeps the decision."""
    by_why: dict[str, list[int]] = defaultdict(list)
    for row_id, (_key, why) in rows.items():
        by_why[json.dumps(why, sort_keys=True)].append(row_id)
    done: list[int] = []
    for why_text, ids in by_why.items():
        retire_it = {"status": ProposalStatus.OBSOLETE, "retired_reason": json.loads(why_text)}
        done += transition_all(session, Proposal, ids, {ProposalStatus.PROPOSED}, retire_it)
    for row_id in sorted(done):
        key, why = rows[row_id]
        lines.append(
            ("proposal.obsolete", "proposal", row_id, {"key": key, "why": why.get("code")})
        )
    report.obsoleted += len(done)
    _expire(session, Proposal, done)


def _store_proposals(
    session: Session,
    regency_code: str,
    proposals: Iterable[ProposalOut],
    report: StoreReport,
    lines: list[Line],
    full: bool,
    retired: Mapping[str, ReasonOut] | None = None,
) -> None:
    wanted = list(proposals)
    keys = [p.key for p in wanted]
    texts = ReasonTexts()
    columns = (
        Proposal.id,
        Proposal.key,
        Proposal.status,
        Proposal.regency_code,
        Proposal.need_id,
        *_columns(Proposal, PROPOSAL_VALUES),
    )
    if full:
        stored = list(
            session.execute(sa.select(*columns).where(Proposal.regency_code == regency_code))
        )
        seen = {row.key for row in stored}
        rows = [_new(p, texts) for p in wanted if p.key not in seen]
        created = insert_new(session, PROPOSALS, rows, "key", _NOTED)
        if created:
            # The regency's own proposals, none accepted: its counter, not every regency's
            # (the statement that inserts them from a staging table names no regency).
            changes.note(session, [(regency_code, changes.RELOAD, None)])
    else:
        # Inserted first, and only the keys already taken read after: a new need's proposals
        # are all new (its id is in their keys), and a read before would find nothing.
        rows = [_new(p, texts) for p in wanted]
        created = insert_new(session, PROPOSALS, rows, "key", _NOTED)
        changes.note(
            session,
            [
                (r["regency_code"], changes.PROPOSAL, r["need_id"])
                for r in rows
                if r["key"] in created
            ],
        )
        taken = sorted(set(keys) - set(created))
        stored = [
            row
            for batch in batches(taken)
            for row in session.execute(sa.select(*columns).where(Proposal.key.in_(batch)))
        ]
    existing = {row.key: row for row in stored}
    changed: dict[ProposalStatus, list[dict[str, Any]]] = defaultdict(list)
    fields: dict[int, list[str]] = {}
    noted: list[changes.Change] = []
    for item in wanted:
        row_id = created.get(item.key)
        if row_id is not None:
            report.created.append(row_id)
            detail = {"key": item.key, "score": round(item.score, 6)}
            lines.append(("proposal.created", "proposal", row_id, detail))
    for item in wanted:
        row = existing.get(item.key)
        if row is None or row.status not in ENGINE_PROPOSAL_STATES:
            continue  # new, or a coordinator decided: the engine leaves it alone
        values = _values(item)
        differs = [k for k, v in values.items() if getattr(row, k) != v]
        if row.status == ProposalStatus.OBSOLETE:
            differs += ["status", "retired_reason"]
            values |= {"status": ProposalStatus.PROPOSED, "retired_reason": None}
        if differs:
            changed[row.status].append({"id": row.id, "seen": row.status, **values})
            fields[row.id] = sorted(differs)
            # A proposal's regency and need never change: as read, they are what the update
            # writes (conditional on the status seen, so never an acceptance).
            noted.append((row.regency_code, changes.PROPOSAL, row.need_id))
    changes.note(session, noted)
    for rows in changed.values():
        scores = {r["id"]: r["score"] for r in rows}
        for row_id in _written(session, Proposal, rows, ProposalStatus.PROPOSED, noted=True):
            report.updated += 1
            detail = {"fields": fields[row_id], "score": scores[row_id]}
            lines.append(("proposal.updated", "proposal", row_id, detail))
    if full:
        seen_keys = set(keys)
        gone = {
            row.id: row.key
            for row in stored
            if row.key not in seen_keys and row.status == ProposalStatus.PROPOSED
        }
        closed = _closed(session, sorted(gone))
        whys: dict[int, tuple[str, dict[str, Any]]] = {}
        for row_id, key in gone.items():
            found = (retired or {}).get(key)
            why = (
                found.as_dict()
                if found is not None
                else {"code": closed.get(row_id, "retired.no_longer_fits"), "params": {}}
            )
            whys[row_id] = (key, why)
        _obsolete(session, whys, report, lines)


def _values(item: ProposalOut, texts: ReasonTexts | None = None) -> dict[str, Any]:
    """What the engine writes on a proposal, as stored (``PROPOSAL_VALUES``); with ``texts``,
    the reasons as JSON text, for a new row (an update compares them with what is stored)."""
    return {
        "score": round(item.score, 6),
        "rank": item.rank,
        "reasons": reasons_data(item.reasons) if texts is None else texts.of(item.reasons),
        "village_codes": list(item.villages),
    }


def _new(item: ProposalOut, texts: ReasonTexts) -> dict[str, Any]:
    """A new proposal's row."""
    return {
        "key": item.key,
        "kind": ProposalKind(item.kind),
        "regency_code": item.regency,
        "need_id": item.need_id,
        "offer_id": item.offer_id,
        "person_id": item.person_id,
        "program_a_id": item.program_a,
        "program_b_id": item.program_b,
        "status": ProposalStatus.PROPOSED,
        **_values(item, texts),
    }


def _columns(model: Any, names: Sequence[str]) -> list[Any]:
    return [getattr(model, name) for name in names]


def _written(
    session: Session, model: Any, rows: list[dict[str, Any]], status: object, noted: bool = False
) -> list[int]:
    """Write ``rows`` (conditional on the status each was seen in, see ``update_rows``); the ids
    written, in order. When some were not (someone decided one meanwhile), the rows now in
    ``status`` (what this write sets) are the ones that were. ``noted``: the caller has told
    the regency counter what the rows change (``changes.NOTED``)."""
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    options = {changes.NOTED: True} if noted else {}
    if update_rows(session, model.__table__, rows, options) != len(rows):
        now: set[int] = set()
        for batch in batches(ids):
            query = sa.select(model.id).where(model.id.in_(batch), model.status == status)
            now.update(session.scalars(query))
        ids = [i for i in ids if i in now]
    _expire(session, model, ids)
    return ids


def _expire(session: Session, model: Any, ids: Iterable[int]) -> None:
    """Rows written around the ORM: the session's copies, if it holds any, read them again."""
    for row_id in ids:
        held = session.identity_map.get(identity_key(model, row_id))
        if held is not None:
            session.expire(held)


def _closed(session: Session, ids: list[int]) -> dict[int, str]:
    """Why proposals the engine did not see go: their need or offer is no longer open."""
    found: dict[int, str] = {}
    for batch in batches(ids):
        query = (
            sa.select(Proposal.id, Need.status, Offer.status)
            .select_from(Proposal)
            .outerjoin(Need, Need.id == Proposal.need_id)
            .outerjoin(Offer, Offer.id == Proposal.offer_id)
            .where(Proposal.id.in_(batch))
        )
        for row_id, need, offer in session.execute(query):
            if need is not None and need != ExchangeStatus.OPEN:
                found[row_id] = "retired.need_closed"
            elif offer is not None and offer != ExchangeStatus.OPEN:
                found[row_id] = "retired.offer_gone"
    return found


@dataclass
class _Stored:
    """A flag as stored, as plain values."""

    id: int
    key: str
    village_code: str
    status: FlagStatus
    severity: float
    reasons: list[dict[str, Any]]


@dataclass
class _Grown:
    """A stored flag a newcomer joined: what to write, and what it had before."""

    row: _Stored
    values: dict[str, Any]
    before: set[int]
    joined: list[int]


def _store_flags(
    session: Session,
    regency_code: str,
    flags: Iterable[FlagOut],
    report: StoreReport,
    lines: list[Line],
    full: bool,
) -> None:
    """Flags by identity, not by member list: a flag the new cluster shares interventions with
    is that flag, grown or shrunk (its review kept); a decided flag reopens only when the newcomer
    brings a program outside what was decided, and says so."""
    wanted = sorted(flags, key=lambda f: (f.village, f.key))
    villages = sorted({f.village for f in wanted})
    query = sa.select(
        OverlapFlag.id,
        OverlapFlag.key,
        OverlapFlag.village_code,
        OverlapFlag.status,
        OverlapFlag.severity,
        OverlapFlag.reasons,
    ).order_by(OverlapFlag.id)
    if full:
        rows = session.execute(query.where(OverlapFlag.regency_code == regency_code)).all()
    else:
        rows = [
            row
            for batch in batches(villages)
            for row in session.execute(query.where(OverlapFlag.village_code.in_(batch)))
        ]
    existing = sorted((_Stored(*row) for row in rows), key=lambda r: r.id)
    by_village: dict[str, list[_Stored]] = defaultdict(list)
    for stored in existing:
        by_village[stored.village_code].append(stored)
    members = _members(session, [row.id for row in existing])
    claimed: set[int] = set()
    holder: dict[int, str] = {}  # intervention id -> the key of the cluster now holding it
    flag_of: dict[str, int] = {}  # a cluster's key -> its flag's id
    new: list[dict[str, Any]] = []
    new_members: dict[str, set[int]] = {}
    updates: list[dict[str, Any]] = []
    grown: list[_Grown] = []
    unlink: list[dict[str, int]] = []
    link: list[tuple[int, int]] = []
    for item in wanted:
        ids = set(item.intervention_ids)
        key = flag_key(item)
        holder.update(dict.fromkeys(ids, key))
        row = _same_flag(item, key, ids, by_village.get(item.village, []), members, claimed)
        severity = round(item.severity, 6)
        reasons = reasons_data(item.reasons)
        if row is None:
            new.append(
                {
                    "key": key,
                    "regency_code": item.regency,
                    "village_code": item.village,
                    "severity": severity,
                    "reasons": reasons,
                    "status": FlagStatus.OPEN,
                }
            )
            new_members[key] = ids
            continue
        claimed.add(row.id)
        flag_of[key] = row.id
        before = members.get(row.id, set())
        if row.key == key and (row.severity, row.reasons) == (severity, reasons):
            continue
        values = {"id": row.id, "key": row.key, "severity": severity, "reasons": reasons}
        if ids != before:
            values["key"] = key
            unlink += [{"f": row.id, "i": i} for i in sorted(before - ids)]
            link += [(row.id, i) for i in sorted(ids - before)]
        joined = sorted(ids - before)
        report.flags_updated += 1
        lines.append(
            ("flag.updated", "overlap_flag", row.id, {"severity": severity, "joined": joined})
        )
        if joined:
            grown.append(_Grown(row, values, before, joined))
        else:
            updates.append(values)
    reopen = _newcomers(session, grown, updates)
    if unlink:
        session.execute(
            LINKS.delete().where(
                LINKS.c.flag_id == sa.bindparam("f"), LINKS.c.intervention_id == sa.bindparam("i")
            ),
            unlink,
        )
    noted = [u for u in updates if "change_note" in u]
    for part in ([u for u in updates if "change_note" not in u], noted):
        update_rows(session, FLAGS, part)
    created = insert_new(session, FLAGS, new, "key")
    for values in new:
        key = str(values["key"])
        if key in created:
            flag_id = flag_of[key] = created[key]
            link += [(flag_id, i) for i in sorted(new_members[key])]
            report.flags_created.append(flag_id)
            detail = {"key": key, "severity": values["severity"]}
            lines.append(("flag.created", "overlap_flag", flag_id, detail))
    insert_all(session, LINKS, [{"flag_id": f, "intervention_id": i} for f, i in link])
    for flag_id, seen, note, shown in reopen:
        back = {"status": FlagStatus.OPEN, "change_note": note}
        if transition_all(session, OverlapFlag, [flag_id], {seen}, back):
            lines.append(("flag.reopened", "overlap_flag", flag_id, {"intervention": shown}))
    _clear(session, existing, members, claimed, holder, flag_of, report, lines, full)
    _expire(session, OverlapFlag, [r.id for r in existing])


def _clear(
    session: Session,
    existing: list[_Stored],
    members: dict[int, set[int]],
    claimed: set[int],
    holder: dict[int, str],
    flag_of: dict[str, int],
    report: StoreReport,
    lines: list[Line],
    full: bool,
) -> None:
    """Resolve the undecided flags no cluster is any more: merged into the flag now holding
    their interventions, or cleared (a full pass only: an incremental answer speaks only for the
    clusters it was asked about)."""
    by_note: dict[int | None, list[_Stored]] = defaultdict(list)
    for row in existing:
        if row.id in claimed or row.status not in UNDECIDED_FLAG:
            continue
        merged = next(
            (
                flag_of[holder[i]]
                for i in sorted(members.get(row.id, set()))
                if i in holder and holder[i] in flag_of
            ),
            None,
        )
        if merged is None and not full:
            continue
        by_note[merged].append(row)
    for merged, rows in by_note.items():
        # A flag whose interventions another flag now holds was merged into it, in a full pass
        # and in an incremental check alike: one card per cluster, never two side by side.
        # Why, as a change note in the reader's words; the coordinator's own note stays.
        note = (
            {"code": "flag.merged", "params": {"flag": merged}}
            if merged is not None
            else {"code": "flag.cleared", "params": {}}
        )
        clear = {"status": FlagStatus.RESOLVED, "change_note": note}
        done = set(
            transition_all(session, OverlapFlag, [r.id for r in rows], UNDECIDED_FLAG, clear)
        )
        for row in rows:
            if row.id in done:  # else a coordinator resolved or allowed it meanwhile
                report.flags_cleared += 1
                lines.append(
                    ("flag.cleared", "overlap_flag", row.id, {"key": row.key, "merged": merged})
                )


def flag_key(item: FlagOut) -> str:
    """The key a flag is stored under: the engine's ("12,40,41"), or for a cluster too big for
    the column (some 60 interventions and more) its start and a digest of the whole, so a big
    cluster keeps one identity pass after pass, like a small one."""
    if len(item.key) <= FLAG_KEY_LENGTH:
        return item.key
    digest = hashlib.sha256(item.key.encode()).hexdigest()
    return f"{item.key[: FLAG_KEY_LENGTH - len(digest) - 5]},...#{digest}"


def _members(session: Session, flag_ids: list[int]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {i: set() for i in flag_ids}
    table = overlap_flag_interventions
    for batch in batches(flag_ids):
        for flag_id, item_id in session.execute(
            sa.select(table.c.flag_id, table.c.intervention_id).where(table.c.flag_id.in_(batch))
        ):
            found[flag_id].add(item_id)
    return found


def _same_flag(
    item: FlagOut,
    key: str,
    ids: set[int],
    village: list[_Stored],
    members: dict[int, set[int]],
    claimed: set[int],
) -> _Stored | None:
    """The stored flag ``item`` is: the one with its key, else the one sharing the most of its
    interventions in its village (the oldest on a tie), not yet taken by another cluster."""
    candidates = [
        row
        for row in village
        if row.id not in claimed and (row.key == key or members.get(row.id, set()) & ids)
    ]
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda row: (row.key != key, -len(members.get(row.id, set()) & ids), row.id),
    )


def _newcomers(
    session: Session, grown: list[_Grown], updates: list[dict[str, Any]]
) -> list[tuple[int, FlagStatus, dict[str, Any], int]]:
    """Say who joined each grown flag (its values then go to ``updates``); the decided flags to
    reopen (id, status seen, note, newcomer) when a newcomer's program is not among those the
    decision was about (the same programs again change nothing that was decided)."""
    wanted = sorted({i for g in grown for i in (*g.before, *g.joined)})
    items: dict[int, tuple[int, str, str]] = {}  # id -> program id, title, program code
    for batch in batches(wanted):
        query = (
            sa.select(Intervention.id, Intervention.program_id, Intervention.title, Program.code)
            .join(Program, Program.id == Intervention.program_id)
            .where(Intervention.id.in_(batch))
        )
        items.update(
            {i: (program, title, code) for i, program, title, code in session.execute(query)}
        )
    reopen: list[tuple[int, FlagStatus, dict[str, Any], int]] = []
    for g in grown:
        decided_programs = {items[i][0] for i in g.before if i in items}
        outside = [i for i in g.joined if items[i][0] not in decided_programs]
        shown = outside[0] if outside else g.joined[0]
        params = {"title": items[shown][1], "program": items[shown][2]}
        if g.row.status in DECIDED_FLAG and outside:
            # Reopen the decision this pass saw, not one a coordinator took since.
            reopen.append(
                (g.row.id, g.row.status, {"code": "flag.reopened", "params": params}, shown)
            )
            updates.append(g.values)
        else:
            updates.append(g.values | {"change_note": {"code": "flag.grown", "params": params}})
    return reopen


def _store_gaps(
    session: Session, regency_code: str, gaps: list[GapOut], report: StoreReport
) -> None:
    existing = {
        need_id: (gap_id, reasons)
        for gap_id, need_id, reasons in session.execute(
            sa.select(Gap.id, Gap.need_id, Gap.reasons).where(Gap.regency_code == regency_code)
        )
    }
    wanted = {g.need_id: g for g in gaps}
    stale = sorted(need_id for need_id in existing if need_id not in wanted)
    for batch in batches(stale):
        session.execute(sa.delete(Gap).where(Gap.need_id.in_(batch)))
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for need_id, item in wanted.items():
        reasons = reasons_data([item.reason])
        found = existing.get(need_id)
        if found is None:
            new.append({"need_id": need_id, "regency_code": item.regency, "reasons": reasons})
        elif found[1] != reasons:
            changed.append({"id": found[0], "reasons": reasons})
    insert_new(session, GAPS, new, "need_id")
    update_rows(session, GAPS, changed)
    report.gaps = len(wanted)
