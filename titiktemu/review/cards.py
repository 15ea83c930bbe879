"""What a review card shows of a proposal, read as plain values: the page's ids, their cards,
their people's programs.

The queue is the page coordinators wait on most. Loading its fifteen proposals as mapped
objects with their needs, offers, people, programs and places joined in took as long as all its
other work together (a joined row per program of each person, an object per row); the card
needs a few dozen values, so they are selected as columns and held in small frozen records with
the same attribute names the card templates read (``p.need.person.programs``...).

Each card also carries ``content``: the values it was built from, hashable, which the web layer
keeps rendered cards under (``web/review/cards.py``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from titiktemu.models import (
    Kecamatan,
    Need,
    Offer,
    Person,
    Program,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Village,
)
from titiktemu.models.people import person_programs


@dataclass(frozen=True)
class CardProgram:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class CardPerson:
    id: int
    name: str
    skills_note: str | None
    programs: tuple[CardProgram, ...] = ()


@dataclass(frozen=True)
class CardPlace:
    code: str
    name: str


@dataclass(frozen=True)
class CardNeed:
    id: int
    title: str
    person: CardPerson | None
    village: CardPlace | None
    kecamatan: CardPlace


@dataclass(frozen=True)
class CardOffer:
    id: int
    title: str
    person: CardPerson | None


@dataclass(frozen=True)
class Card:
    """A proposal as its card shows it."""

    id: int
    kind: ProposalKind
    status: ProposalStatus
    score: float
    created_at: dt.datetime
    #: The stored reasons, as JSON text (``reasons`` parses them when a card is rendered).
    reasons_text: str | None
    village_codes: tuple[str, ...]
    need: CardNeed | None
    offer: CardOffer | None
    person: CardPerson | None
    program_a: CardProgram | None
    program_b: CardProgram | None
    #: The values the card was built from: equal contents render equal cards.
    content: Hashable = field(compare=False, repr=False, default=None)

    @cached_property
    def reasons(self) -> list[dict[str, Any]]:
        found = json.loads(self.reasons_text) if self.reasons_text else []
        return found if isinstance(found, list) else []


def page_cards(session: Session, query: sa.Select[Any], limit: int, offset: int) -> list[Card]:
    """The cards of one page of ``query`` (a select of proposals, filtered, not ordered), best
    score first: one statement for the page's ids, one for their cards, one for the programs."""
    ids = session.scalars(page_statement(query, limit, offset)).all()
    return cards_of(session, ids)


def page_statement(query: sa.Select[Any], limit: Any, offset: Any) -> sa.Select[Any]:
    """The ids of one page of ``query``, best score first; ``limit`` and ``offset`` numbers or
    parameters."""
    return cast(
        "sa.Select[Any]",
        query.with_only_columns(Proposal.id)
        .order_by(Proposal.score.desc(), Proposal.id)
        .limit(limit)
        .offset(offset),
    )


def cards_of(session: Session, ids: Sequence[int]) -> list[Card]:
    """The cards of the proposals ``ids`` (a page, as :func:`page_statement` reads it), best
    score first, with their people's programs (read in a second statement).

    Apart from the page, because PostgreSQL plans a statement that joins ten tables in about a
    millisecond, longer than it runs: with the page's offset in it, it was planned anew on
    every request (each offset is another plan); by ids alone it keeps one plan."""
    if not ids:
        return []
    rows = session.execute(_CARDS, {"ids": list(ids)}).all()
    people = {
        pid
        for row in rows
        for pid in (row.need_person_id, row.offer_person_id, row.person_id)
        if pid is not None
    }
    programs = _programs_of(session, people)
    return [_card(tuple(row), programs) for row in rows]


# The card's columns and joins, built once: aliases made per request cost more than the query.
_need, _offer = aliased(Need), aliased(Offer)
_need_person, _offer_person, _person = aliased(Person), aliased(Person), aliased(Person)
_village, _kecamatan = aliased(Village), aliased(Kecamatan)
_program_a, _program_b = aliased(Program), aliased(Program)
_JOINS: tuple[tuple[Any, sa.ColumnElement[bool]], ...] = (
    (_need, _need.id == Proposal.need_id),
    (_village, _village.code == _need.village_code),
    (_kecamatan, _kecamatan.code == _need.kecamatan_code),
    (_need_person, _need_person.id == _need.person_id),
    (_offer, _offer.id == Proposal.offer_id),
    (_offer_person, _offer_person.id == _offer.person_id),
    (_person, _person.id == Proposal.person_id),
    (_program_a, _program_a.id == Proposal.program_a_id),
    (_program_b, _program_b.id == Proposal.program_b_id),
)
_COLUMNS = (
    Proposal.id,
    Proposal.kind,
    Proposal.status,
    Proposal.score,
    Proposal.created_at,
    # As text: the card cache keys by it, and it is parsed only for a card rendered.
    sa.cast(Proposal.reasons, sa.Text),
    sa.cast(Proposal.village_codes, sa.Text),
    _need.id,
    _need.title,
    _village.code,
    _village.name,
    _kecamatan.code,
    _kecamatan.name,
    _need_person.id.label("need_person_id"),
    _need_person.name,
    _offer.id,
    _offer.title,
    _offer_person.id.label("offer_person_id"),
    _offer_person.name,
    _person.id.label("person_id"),
    _person.name,
    _person.skills_note,
    _program_a.id,
    _program_a.code,
    _program_a.name,
    _program_b.id,
    _program_b.code,
    _program_b.name,
)


def _cards_statement() -> sa.Select[Any]:
    """The card rows of the bound ``ids``, best score first: each join from the proposals."""
    joined: Any = Proposal.__table__
    for target, on in _JOINS:
        joined = sa.outerjoin(joined, target, on)
    statement = (
        sa.select(*_COLUMNS)
        .select_from(joined)
        .where(Proposal.id.in_(sa.bindparam("ids", expanding=True)))
        .order_by(Proposal.score.desc(), Proposal.id)
    )
    return cast("sa.Select[Any]", statement)  # ~30 columns: rows of Any


_CARDS = _cards_statement()


def _programs_of(session: Session, people: set[int]) -> dict[int, tuple[CardProgram, ...]]:
    """Each person's programs by code, as the person pages list them."""
    found: defaultdict[int, list[CardProgram]] = defaultdict(list)
    if people:
        for person_id, ident, code, name in session.execute(
            _programs_statement(), {"people": sorted(people)}
        ):
            found[person_id].append(CardProgram(ident, code, name))
    return {person_id: tuple(programs) for person_id, programs in found.items()}


@cache
def _programs_statement() -> sa.Select[int, int, str, str]:
    return (
        sa.select(person_programs.c.person_id, Program.id, Program.code, Program.name)
        .join(Program, Program.id == person_programs.c.program_id)
        .where(person_programs.c.person_id.in_(sa.bindparam("people", expanding=True)))
        .order_by(Program.code, Program.id)
    )


def _card(row: tuple[Any, ...], programs: dict[int, tuple[CardProgram, ...]]) -> Card:
    (
        pid, kind, status, score, created_at, reasons, village_codes,
        need_id, need_title, village_code, village_name, kecamatan_code, kecamatan_name,
        need_person_id, need_person_name,
        offer_id, offer_title, offer_person_id, offer_person_name,
        person_id, person_name, person_note,
        a_id, a_code, a_name, b_id, b_code, b_name,
    ) = row  # fmt: skip

    def someone(ident: int | None, name: str | None, note: str | None = None) -> CardPerson | None:
        if ident is None:
            return None
        return CardPerson(ident, name or "", note, programs.get(ident, ()))

    need = None
    if need_id is not None:
        need = CardNeed(
            need_id,
            need_title,
            someone(need_person_id, need_person_name),
            None if village_code is None else CardPlace(village_code, village_name),
            CardPlace(kecamatan_code, kecamatan_name),
        )
    offer = None
    if offer_id is not None:
        offer = CardOffer(offer_id, offer_title, someone(offer_person_id, offer_person_name))
    shown_people = (need_person_id, offer_person_id, person_id)
    return Card(
        id=pid,
        kind=ProposalKind(kind),
        status=ProposalStatus(status),
        score=float(score),
        created_at=created_at,
        reasons_text=reasons,
        village_codes=tuple(json.loads(village_codes)) if village_codes else (),
        need=need,
        offer=offer,
        person=someone(person_id, person_name, person_note),
        program_a=None if a_id is None else CardProgram(a_id, a_code, a_name),
        program_b=None if b_id is None else CardProgram(b_id, b_code, b_name),
        content=(row, tuple(programs.get(i, ()) for i in shown_people)),
    )
