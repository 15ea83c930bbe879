"""The review queue: a regency's proposals awaiting a coordinator, filtered, paged, overdue marked.

Decisions themselves are ``titiktemu.review.commands``; this module only reads.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from titiktemu.kept import kept
from titiktemu.models import (
    ExchangeStatus,
    Gap,
    Kecamatan,
    Need,
    Offer,
    Person,
    Program,
    Proposal,
    ProposalKind,
    ProposalStatus,
    RegencySettings,
    Village,
)
from titiktemu.models.base import days_before, one_of, utcnow
from titiktemu.models.people import person_programs
from titiktemu.models.places import code_param
from titiktemu.places.coverage import program_present_in
from titiktemu.review.cards import Card, CardPlace, cards_of, page_statement
from titiktemu.review.commands import OPEN_STATES

#: Days a proposal may wait when the regency has not chosen (RegencySettings' own default).
DEFAULT_DEADLINE_DAYS = 7
#: Cards per page: keeps the page well under 60 KB on a phone.
PER_PAGE = 15
KECAMATAN_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")
#: The statuses the queue can show: awaiting a first look, or marked for the forum.
QUEUE_STATES = (ProposalStatus.PROPOSED, ProposalStatus.CONVENE)
#: Gaps the review page lists; the coverage page and the gaps download have every one.
GAPS_SHOWN = 10


@dataclass(frozen=True)
class QueueFilter:
    """What the coordinator narrowed the queue to; every field optional."""

    kecamatan: str | None = None
    program_id: int | None = None
    kind: ProposalKind | None = None
    #: 0..1, as the engine scores.
    min_score: float = 0.0
    status: ProposalStatus = ProposalStatus.PROPOSED
    overdue_only: bool = False


@dataclass
class QueuePage:
    items: list[Card]
    total: int
    page: int
    pages: int
    deadline_days: int
    #: Proposals created before this moment are overdue.
    cutoff: dt.datetime
    village_names: dict[str, str] = field(default_factory=dict)
    #: Open proposals past the deadline in the whole regency, whatever the filter.
    overdue_total: int = 0

    def overdue(self, proposal: Proposal | Card) -> bool:
        return is_overdue(proposal, self.cutoff)


def deadline_days(session: Session, regency_code: str) -> int:
    """The regency's review deadline in days (7 when it never chose one)."""
    return int(session.scalar(_deadline_statement(), {"regency": regency_code}) or 0)


@cache
def _deadline_statement() -> sa.Select[int]:
    return sa.select(_deadline(sa.bindparam("regency")))


def _deadline(regency_code: Any) -> sa.ColumnElement[int]:
    """The review deadline of the regency ``regency_code`` (a value or a parameter), in days,
    as SQL: the queue's counts read it with the counting, not a statement before."""
    chosen = sa.select(RegencySettings.review_deadline_days).where(
        RegencySettings.regency_code == regency_code
    )
    return sa.func.coalesce(chosen.scalar_subquery(), DEFAULT_DEADLINE_DAYS)


def overdue_cutoff(
    session: Session, regency_code: str, now: dt.datetime | None = None
) -> dt.datetime:
    """Proposals created before this moment have waited longer than the regency allows."""
    return (now or utcnow()) - dt.timedelta(days=deadline_days(session, regency_code))


def is_overdue(proposal: Proposal | Card, cutoff: dt.datetime) -> bool:
    """Still open and created before the cutoff."""
    return proposal.status in OPEN_STATES and proposal.created_at < cutoff


#: How a filter's values enter a statement: as themselves (bound anonymously, for a statement
#: built for one use: the exports, the API), or as named parameters (:func:`_named`: the
#: queue's statements, built once per shape of filter, the values given when they run).
Value = Callable[[str, Any], Any]


def _as_is(_name: str, value: Any) -> Any:
    return value


def _named(name: str, _value: Any) -> Any:
    if name == "cutoff":  # the regency's deadline before the moment given, worked out in SQL
        return days_before(
            sa.bindparam("q_now", type_=sa.DateTime()), _deadline(_named("regency", None))
        )
    return sa.bindparam(f"q_{name}")


def in_kecamatan(kecamatan_code: str, value: Value = _as_is) -> sa.ColumnElement[bool]:
    """Proposals of a need there, or synergies naming one of its villages (the queue, the
    export and the API filter alike)."""
    needs_there = sa.select(Need.id).where(
        Need.kecamatan_code == value("kecamatan", kecamatan_code)
    )
    # Synergies name villages as a JSON list; its text holds '"33.10.01.' for any of them.
    villages_there = sa.cast(Proposal.village_codes, sa.String).like(
        value("kecamatan_like", _villages_like(kecamatan_code))
    )
    # ``= ANY(ARRAY(...))`` rather than ``IN (...)``: PostgreSQL then reads both arms by index
    # (need_id, and the synergies' partial index) instead of filtering every proposal of the
    # regency against a hashed subplan: 3.5 ms -> 0.3 ms at 10,000 proposals.
    return sa.or_(
        one_of(Proposal.need_id, needs_there),
        sa.and_(Proposal.kind == ProposalKind.PROGRAM_SYNERGY, villages_there),
    )


def _villages_like(kecamatan_code: str) -> str:
    return f'%"{kecamatan_code}.%'


def touching_program(program_id: int, value: Value = _as_is) -> sa.ColumnElement[bool]:
    """Proposals joining the program, or a need, offer or person of one of its members."""
    program = value("program", program_id)
    members = sa.select(person_programs.c.person_id).where(person_programs.c.program_id == program)
    return sa.or_(
        Proposal.program_a_id == program,
        Proposal.program_b_id == program,
        Proposal.person_id.in_(members),
        Proposal.need_id.in_(sa.select(Need.id).where(Need.person_id.in_(members))),
        Proposal.offer_id.in_(sa.select(Offer.id).where(Offer.person_id.in_(members))),
    )


def filtered(
    regency_code: str, f: QueueFilter, cutoff: dt.datetime, value: Value = _as_is
) -> sa.Select[Proposal]:
    """The queue's query before paging: the proposals export filters exactly like the page."""
    query = sa.select(Proposal).where(
        Proposal.regency_code == value("regency", regency_code),
        Proposal.status == value("status", f.status),
    )
    if f.kind is not None:
        query = query.where(Proposal.kind == value("kind", f.kind))
    if f.min_score > 0:
        query = query.where(Proposal.score >= value("min_score", f.min_score))
    if f.overdue_only:
        query = query.where(Proposal.created_at < value("cutoff", cutoff))
    if _narrowed_to_kecamatan(f):
        query = query.where(in_kecamatan(f.kecamatan or "", value))
    if f.program_id is not None:
        query = query.where(touching_program(f.program_id, value))
    return query


def _narrowed_to_kecamatan(f: QueueFilter) -> bool:
    return _is_kecamatan(f.kecamatan)


def _is_kecamatan(code: str | None) -> bool:
    """A kecamatan code narrows the queue and its gaps; anything else is ignored."""
    return bool(code and KECAMATAN_CODE.match(code))


def _values(regency_code: str, f: QueueFilter, now: dt.datetime) -> dict[str, Any]:
    """The named parameters of :func:`filtered` (and of the overdue count) for ``f``."""
    kecamatan = f.kecamatan or ""
    return {
        "q_regency": regency_code,
        "q_status": f.status,
        "q_kind": f.kind,
        "q_min_score": f.min_score,
        "q_now": now,
        "q_kecamatan": kecamatan,
        "q_kecamatan_like": _villages_like(kecamatan),
        "q_program": f.program_id,
    }


@dataclass(frozen=True)
class _Statements:
    #: The page's total, the regency's overdue and its deadline in days, in one round trip.
    counts: sa.Select[Any]
    #: The regency's overdue and its deadline: ``counts`` without the total, when it is kept.
    clock: sa.Select[Any]
    #: The page's total alone.
    total: sa.Select[Any]
    #: The ids of one page (``q_limit``, ``q_offset``); their cards: ``cards_of``.
    page: sa.Select[Any]


@lru_cache(maxsize=64)
def _statements(shape: QueueFilter) -> _Statements:
    """The queue's statements for one shape of filter (which fields are set), built once per
    process: building them and deriving their cache key took a third of the page's
    statements' time; run with :func:`_values`."""
    query = filtered("", shape, utcnow(), _named)
    total = sa.select(sa.func.count()).select_from(query.subquery())
    overdue = _overdue(_named("regency", None), _named("cutoff", None)).scalar_subquery()
    deadline = _deadline(_named("regency", None))
    return _Statements(
        counts=sa.select(total.scalar_subquery(), overdue, deadline),
        clock=sa.select(overdue, deadline),
        total=total,
        page=page_statement(query, _named("limit", None), _named("offset", None)),
    )


def _shape(f: QueueFilter) -> QueueFilter:
    """The filter's shape: which of its conditions a statement has (the values stand for any)."""
    return QueueFilter(
        kecamatan="00.00.00" if _narrowed_to_kecamatan(f) else None,
        program_id=0 if f.program_id is not None else None,
        kind=ProposalKind.NEED_OFFER if f.kind is not None else None,
        min_score=1.0 if f.min_score > 0 else 0.0,
        overdue_only=f.overdue_only,
    )


def queue(
    session: Session,
    regency_code: str,
    filters: QueueFilter | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
    now: dt.datetime | None = None,
) -> QueuePage:
    """One page of the queue, best score first, with what the cards show loaded up front."""
    f = filters or QueueFilter()
    now = now or utcnow()
    statements = _statements(_shape(f))
    values = _values(regency_code, f, now)
    # What the filter selects, and so the total and each page's ids, is kept while the
    # regency's counters stand (every proposal's status, score and sides are counted:
    # ``titiktemu.kept``), unless it is "overdue only", which moves with the clock. The
    # overdue count always does: it is read every time, and the deadline with it (the cutoff
    # is worked out in SQL from it; the cards' overdue marks use the same, from the same now).
    clocked = f.overdue_only
    if clocked:
        total, overdue_total, days = session.execute(statements.counts, values).one()
    else:
        overdue_total, days = session.execute(statements.clock, values).one()
        total = kept(
            session,
            "review.total",
            regency_code,
            f,
            lambda: int(session.scalar(statements.total, values) or 0),
        )
    cutoff = now - dt.timedelta(days=days)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)

    def read_ids() -> tuple[int, ...]:
        bound = {**values, "q_limit": per_page, "q_offset": (page - 1) * per_page}
        return tuple(session.scalars(statements.page, bound))

    ids = (
        read_ids()
        if clocked
        else kept(session, "review.page", regency_code, (f, page, per_page), read_ids)
    )
    items = cards_of(session, ids)
    return QueuePage(
        items=items,
        total=total or 0,
        page=page,
        pages=pages,
        deadline_days=days,
        cutoff=cutoff,
        village_names=village_names(session, items),
        overdue_total=overdue_total or 0,
    )


@dataclass(frozen=True)
class FilterChoices:
    """What the queue's filter offers: the regency's kecamatan by name, its programs by code."""

    kecamatan: tuple[tuple[str, str], ...]
    programs: tuple[tuple[int, str], ...]


def filter_choices(session: Session, regency_code: str) -> FilterChoices:
    """The filter's options (every queue page shows the form): read in one round trip, and
    kept while the regency's counters hold (its places, programs, people and interventions
    are all counted: ``titiktemu.kept``)."""

    def read() -> FilterChoices:
        kecamatan: list[tuple[str, str]] = []
        programs: list[tuple[int, str]] = []
        for kind, key, label in session.execute(_choices_statement(), {"regency": regency_code}):
            if kind == 0:
                kecamatan.append((key, label))
            else:
                programs.append((int(key), label))
        return FilterChoices(tuple(kecamatan), tuple(programs))

    return kept(session, "review.filter_choices", regency_code, None, read)


@cache
def _choices_statement() -> sa.CompoundSelect[int, str, str]:
    regency = code_param("regency")
    kecamatan = sa.select(
        sa.literal(0).label("kind"),
        Kecamatan.code.label("key"),
        Kecamatan.name.label("label"),
    ).where(Kecamatan.regency_code == regency)
    programs = sa.select(sa.literal(1), sa.cast(Program.id, sa.String), Program.code).where(
        program_present_in(regency)
    )
    return sa.union_all(kecamatan, programs).order_by("kind", "label", "key")


def card_loads() -> list[sa.orm.interfaces.LoaderOption]:
    """Everything a proposal card shows, loaded in a few queries instead of one per card."""
    return [
        selectinload(Proposal.need).selectinload(Need.person).selectinload(Person.programs),
        selectinload(Proposal.need).selectinload(Need.village),
        selectinload(Proposal.need).selectinload(Need.kecamatan),
        selectinload(Proposal.offer).selectinload(Offer.person).selectinload(Person.programs),
        selectinload(Proposal.person).selectinload(Person.programs),
        selectinload(Proposal.program_a),
        selectinload(Proposal.program_b),
    ]


def village_names(session: Session, proposals: Sequence[Proposal | Card]) -> dict[str, str]:
    """Names of the villages the synergies on this page cover, by code."""
    codes = sorted({c for p in proposals for c in p.village_codes})
    if not codes:
        return {}
    return {code: name for code, name in session.execute(_names_statement(), {"codes": codes})}


@cache
def _names_statement() -> sa.Select[str, str]:
    return sa.select(Village.code, Village.name).where(
        Village.code.in_(sa.bindparam("codes", expanding=True))
    )


def _overdue(regency_code: Any, cutoff: Any) -> sa.Select[int]:
    """How many open proposals of the regency were created before ``cutoff``."""
    return (
        sa.select(sa.func.count())
        .select_from(Proposal)
        .where(
            Proposal.regency_code == regency_code,
            Proposal.status.in_(QUEUE_STATES),
            Proposal.created_at < cutoff,
        )
    )


@dataclass(frozen=True)
class GapNeed:
    """What the gaps list shows of a need."""

    id: int
    title: str
    kecamatan_code: str
    village: CardPlace | None
    kecamatan: CardPlace


@dataclass(frozen=True)
class GapItem:
    """An open need nobody can meet yet, and why (the engine's reasons)."""

    need_id: int
    need: GapNeed
    reasons: list[dict[str, Any]]


@dataclass(frozen=True)
class GapList:
    """The first open needs nobody can meet yet, and how many there are in all."""

    items: list[GapItem]
    total: int


def open_gaps(
    session: Session, regency_code: str, kecamatan: str | None = None, limit: int = GAPS_SHOWN
) -> GapList:
    """The regency's open needs that nobody can meet yet (the engine's gaps, with why), newest
    first; only those of ``kecamatan`` when the queue is narrowed to one.

    Read as plain values in one statement, like the cards: as mapped gaps with their needs,
    villages and kecamatan it cost the queue more than its cards did."""
    narrowed = _is_kecamatan(kecamatan)
    rows = session.execute(
        _gaps_statement(narrowed),
        {"regency": regency_code, "kecamatan": kecamatan, "limit": limit},
    ).all()
    items = [
        GapItem(
            need_id=need_id,
            need=GapNeed(
                need_id,
                title,
                kecamatan_code,
                None if village_code is None else CardPlace(village_code, village_name),
                CardPlace(kecamatan_code, kecamatan_name),
            ),
            reasons=reasons if isinstance(reasons, list) else [],
        )
        for reasons, need_id, title, kecamatan_code, village_code, village_name, kecamatan_name, _ in rows
    ]
    return GapList(items=items, total=rows[0][-1] if rows else 0)


@lru_cache(maxsize=2)
def _gaps_statement(narrowed: bool) -> sa.Select[Any]:
    """The gaps list, built once per process for each of its two shapes (the whole regency, or
    one kecamatan); the total rides along as a window count: one statement, and no row means
    none at all."""
    where = [Gap.regency_code == sa.bindparam("regency"), Need.status == ExchangeStatus.OPEN]
    if narrowed:
        where.append(Need.kecamatan_code == sa.bindparam("kecamatan"))
    statement = (
        sa.select(
            Gap.reasons,
            Need.id,
            Need.title,
            Need.kecamatan_code,
            Village.code,
            Village.name,
            Kecamatan.name,
            sa.func.count().over(),
        )
        .join(Need, Need.id == Gap.need_id)
        .join(Kecamatan, Kecamatan.code == Need.kecamatan_code)
        .outerjoin(Village, Village.code == Need.village_code)
        .where(*where)
        .order_by(Gap.created_at.desc(), Gap.id.desc())
        .limit(sa.bindparam("limit"))
    )
    return cast("sa.Select[Any]", statement)
