"""Submitting and editing needs, offers and interventions; each save enqueues its matching job,
which runs only once the save commits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Final

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from titiktemu.audit import record
from titiktemu.decisions import already_changed, transition
from titiktemu.jobs import enqueue
from titiktemu.models import (
    ActivityCategory,
    ExchangeStatus,
    Intervention,
    Kecamatan,
    Need,
    Offer,
    Person,
    Program,
    Skill,
    Village,
)
from titiktemu.models.exchange import title_key


class InputError(ValueError):
    """Field-level problems, so a form or the API can show each where it belongs."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class NeedInput:
    title: str
    skills: list[str]
    village_code: str | None = None
    kecamatan_code: str | None = None
    needed_from: dt.date | None = None
    needed_until: dt.date | None = None
    description: str = ""


@dataclass
class OfferInput:
    title: str
    skills: list[str]
    village_codes: list[str] = field(default_factory=list)
    kecamatan_codes: list[str] = field(default_factory=list)
    available_from: dt.date | None = None
    available_until: dt.date | None = None
    capacity: int = 1
    description: str = ""


@dataclass
class InterventionInput:
    program_id: int
    village_code: str
    category_code: str
    title: str
    start_date: dt.date
    end_date: dt.date
    households: int | None = None  # None: not known, which is not zero
    budget_idr: int | None = None


def _skills(session: Session, codes: list[str], errors: dict[str, str]) -> list[Skill]:
    found = list(
        session.scalars(sa.select(Skill).where(Skill.code.in_(codes)).order_by(Skill.code))
    )
    unknown = sorted(set(codes) - {s.code for s in found})
    if not codes:
        errors["skills"] = "choose at least one skill"
    elif unknown:
        errors["skills"] = f"unknown skill: {', '.join(unknown)}"
    return found


def _window(start: dt.date | None, end: dt.date | None, name: str, errors: dict[str, str]) -> None:
    if start and end and end < start:
        errors[name] = "the end comes before the start"


def _in_regency(person: Person, codes: list[str], name: str, errors: dict[str, str]) -> None:
    """What someone records lies in the regency they work in: its owner sees and opens it, so a
    place elsewhere would let them into another regency (every front end gets this rule)."""
    regency = person.regency_code
    if regency is not None and any(code[:5] != regency for code in codes):
        errors.setdefault(name, "choose a place in your regency")


def _title(title: str, errors: dict[str, str]) -> str:
    title = " ".join(title.split())
    if not title:
        errors["title"] = "a title is needed"
    elif len(title) > 200:
        errors["title"] = "at most 200 characters"
    return title


#: What a person is told when a title repeats one of theirs (web/exchange/shared.py words it).
TITLE_TAKEN: Final = {
    "needs": "you already have a need with this title",
    "offers": "you already have an offer with this title",
}


def _title_free(
    session: Session,
    model: type[Need] | type[Offer],
    person: Person,
    title: str,
    item: Need | Offer | None,
) -> None:
    """InputError when ``person`` has another need (offer) whose title is the same once case and
    spacing are folded: one person's titles name their needs and offers, as imports read them."""
    query = sa.select(model.id).where(
        model.person_id == person.id, model.title_key == title_key(title)
    )
    if item is not None:
        query = query.where(model.id != item.id)
    if session.scalar(query.limit(1)) is not None:
        raise InputError({"title": TITLE_TAKEN[model.__tablename__]})


def _flush_keyed(session: Session, model: type[Need] | type[Offer]) -> None:
    """Flush in a savepoint: a save that raced another to the same title (two tabs, an import)
    meets the unique key and gets the same InputError as when the other came first."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        if "title_key" not in str(exc.orig):
            raise
        raise InputError({"title": TITLE_TAKEN[model.__tablename__]}) from None


def save_need(session: Session, person: Person, data: NeedInput, need: Need | None = None) -> Need:
    """Create or edit a need of ``person`` and enqueue its matching; the caller commits."""
    errors: dict[str, str] = {}
    title = _title(data.title, errors)
    skills = _skills(session, data.skills, errors)
    _window(data.needed_from, data.needed_until, "needed_until", errors)
    village = session.get(Village, data.village_code) if data.village_code else None
    kecamatan_code = village.kecamatan_code if village else data.kecamatan_code
    if data.village_code and village is None:
        errors["village"] = f"unknown village {data.village_code!r}"
    elif kecamatan_code is None or session.get(Kecamatan, kecamatan_code) is None:
        errors["village"] = "choose a village or a kecamatan"
    else:
        _in_regency(person, [kecamatan_code], "village", errors)
    if errors:
        raise InputError(errors)
    assert kecamatan_code is not None
    _title_free(session, Need, person, title, need)
    created = need is None
    need = need or Need(person_id=person.id, status=ExchangeStatus.OPEN)
    need.title, need.description = title, data.description.strip()
    need.village_code, need.kecamatan_code = data.village_code, kecamatan_code
    need.needed_from, need.needed_until = data.needed_from, data.needed_until
    need.skills = skills
    session.add(need)
    _flush_keyed(session, Need)
    record(
        session, "need.created" if created else "need.updated", "need", need.id, actor_id=person.id
    )
    enqueue(session, "titiktemu.match_need", need.id, regency_code=kecamatan_code[:5])
    return need


def save_offer(
    session: Session, person: Person, data: OfferInput, offer: Offer | None = None
) -> Offer:
    """Create or edit an offer of ``person`` and enqueue its matching; the caller commits."""
    errors: dict[str, str] = {}
    title = _title(data.title, errors)
    skills = _skills(session, data.skills, errors)
    _window(data.available_from, data.available_until, "available_until", errors)
    villages = list(session.scalars(sa.select(Village).where(Village.code.in_(data.village_codes))))
    kecamatan = list(
        session.scalars(sa.select(Kecamatan).where(Kecamatan.code.in_(data.kecamatan_codes)))
    )
    if len(villages) != len(set(data.village_codes)) or len(kecamatan) != len(
        set(data.kecamatan_codes)
    ):
        errors["villages"] = "unknown village or kecamatan"
    elif not villages and not kecamatan:
        errors["villages"] = "choose at least one village or kecamatan"
    else:
        _in_regency(person, [*data.village_codes, *data.kecamatan_codes], "villages", errors)
    if not 1 <= data.capacity <= 100:
        errors["capacity"] = "between 1 and 100"
    if errors:
        raise InputError(errors)
    _title_free(session, Offer, person, title, offer)
    created = offer is None
    offer = offer or Offer(person_id=person.id, status=ExchangeStatus.OPEN)
    offer.title, offer.description = title, data.description.strip()
    offer.available_from, offer.available_until = data.available_from, data.available_until
    offer.capacity = data.capacity
    offer.skills, offer.villages, offer.kecamatan = skills, villages, kecamatan
    session.add(offer)
    _flush_keyed(session, Offer)
    record(
        session,
        "offer.created" if created else "offer.updated",
        "offer",
        offer.id,
        actor_id=person.id,
    )
    regency = (villages[0].code if villages else kecamatan[0].code)[:5]
    enqueue(session, "titiktemu.match_offer", offer.id, regency_code=regency)
    return offer


#: The pages' and the API's status actions: action -> (new status, the states it is taken from).
TRANSITIONS = {
    "withdraw": (ExchangeStatus.WITHDRAWN, (ExchangeStatus.OPEN,)),
    "fulfilled": (ExchangeStatus.FULFILLED, (ExchangeStatus.OPEN,)),
    "reopen": (
        ExchangeStatus.OPEN,
        (ExchangeStatus.WITHDRAWN, ExchangeStatus.FULFILLED, ExchangeStatus.EXPIRED),
    ),
}
_FROM = dict(TRANSITIONS.values())


class StatusError(ValueError):
    """A status change the item's own data does not allow (reopening after its end date)."""


def change_status(session: Session, person: Person, item: Need | Offer, action: str) -> None:
    """Withdraw, mark fulfilled or reopen, as the page and the API offer it; the caller commits.

    ``AlreadyDecided`` when the status no longer allows it (someone, or a double tap, changed it
    first), ``StatusError`` when the end date has passed for a reopen.
    """
    status, _allowed = TRANSITIONS[action]
    until = item.needed_until if isinstance(item, Need) else item.available_until
    if status == ExchangeStatus.OPEN and until is not None and until < dt.date.today():
        raise StatusError("the end date has passed: change the dates first, then reopen")
    set_status(session, person, item, status)


def set_status(
    session: Session, person: Person, item: Need | Offer, status: ExchangeStatus
) -> None:
    """Move to ``status`` by a conditional write from the states it may be reached from;
    matching then retires or renews its proposals. ``AlreadyDecided`` (nothing written, nothing
    queued) when another change got there first."""
    before = transition(session, item, _FROM[status], {"status": status})
    if not isinstance(before, ExchangeStatus):
        raise already_changed(session, item)
    kind = "need" if isinstance(item, Need) else "offer"
    record(
        session, f"{kind}.{status.value}", kind, item.id, actor_id=person.id, before=before.value
    )
    regency = item.kecamatan_code[:5] if isinstance(item, Need) else None
    enqueue(session, f"titiktemu.match_{kind}", item.id, regency_code=regency)


def save_intervention(
    session: Session, person: Person, data: InterventionInput, item: Intervention | None = None
) -> Intervention:
    """Record or edit an intervention (3W) and enqueue its overlap check; the caller commits."""
    errors: dict[str, str] = {}
    title = _title(data.title, errors)
    if session.get(Program, data.program_id) is None:
        errors["program"] = "unknown program"
    if session.get(Village, data.village_code) is None:
        errors["village"] = f"unknown village {data.village_code!r}"
    else:
        _in_regency(person, [data.village_code], "village", errors)
    if session.get(ActivityCategory, data.category_code) is None:
        errors["activity"] = f"unknown activity {data.category_code!r}"
    _window(data.start_date, data.end_date, "end_date", errors)
    if data.households is not None and data.households < 0:
        errors["households"] = "cannot be negative"
    if data.budget_idr is not None and data.budget_idr < 0:
        errors["budget_idr"] = "cannot be negative"
    if errors:
        raise InputError(errors)
    created = item is None
    item = item or Intervention(facilitator_id=person.id)
    item.program_id, item.village_code = data.program_id, data.village_code
    item.category_code, item.title = data.category_code, title
    item.start_date, item.end_date = data.start_date, data.end_date
    item.budget_year = data.start_date.year
    item.households, item.budget_idr = data.households, data.budget_idr
    session.add(item)
    session.flush()
    action = "intervention.created" if created else "intervention.updated"
    record(session, action, "intervention", item.id, actor_id=person.id)
    enqueue(session, "titiktemu.check_intervention", item.id, regency_code=data.village_code[:5])
    return item
