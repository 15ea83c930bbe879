"""Needs and offers: the commands that post, edit, withdraw, fulfil and reopen them.

Each checks who may (the owner; a coordinator of the regency only reads), validates, writes,
audits and enqueues its matching job, which runs only once the caller commits; each refusal is a
``titiktemu.errors`` kind, so the pages, the API and the importer only translate it.
(Interventions have their own commands: ``titiktemu.interventions.commands``.)"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Final, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from titiktemu.audit import record
from titiktemu.decisions import already_changed, transition
from titiktemu.errors import Conflict, NotAllowed, NotFound
from titiktemu.exchange.facilitator import Access, access_to
from titiktemu.fields import InputError as InputError
from titiktemu.fields import check_in_regency, check_window, clean_title
from titiktemu.interventions.commands import InterventionInput as InterventionInput
from titiktemu.interventions.commands import save_intervention as save_intervention
from titiktemu.jobs import enqueue
from titiktemu.jobs.names import TaskName
from titiktemu.models import ExchangeStatus, Kecamatan, Need, Offer, Person, Skill, Village

Item = TypeVar("Item", Need, Offer)


class NoSuchItem(NotFound, LookupError):  # noqa: N818 - a refusal, named as the reader hears it
    """Missing, or not this person's to see: ids reveal nothing, so both read the same."""

    def __init__(self, what: str) -> None:
        super().__init__(f"No such {what}.")


class NotYours(NotAllowed):
    """They may look (a coordinator of the regency) but only its owner changes it."""

    def __init__(self, what: str) -> None:
        super().__init__(f"Only its owner may change this {what}.")


def find(session: Session, person: Person, model: type[Item], item_id: int, want: Access) -> Item:
    """The need or offer ``item_id`` if ``person`` has ``want`` access to it: the one answer to
    "may they?" for the pages and the API. ``NoSuchItem`` when missing or not theirs to see,
    ``NotYours`` when they may look but ``want`` more."""
    row = session.get(model, item_id)
    what = model.__name__.lower()
    if row is None:
        raise NoSuchItem(what)
    require(access_of(person, row), want, what)
    return row


def access_of(person: Person, item: Need | Offer) -> Access:
    """The owner edits, a reviewer of its regency reads (``access_to``), the rest nothing."""
    return access_to(person, item.person_id, item.regency_code)


def require(access: Access, want: Access, what: str) -> None:
    """``NoSuchItem`` when ``access`` is none, ``NotYours`` when it is less than ``want``."""
    if access == Access.NONE:
        raise NoSuchItem(what)
    if access < want:
        raise NotYours(what)


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


#: What a person is told when a title repeats one of theirs (web/exchange/shared.py words it).
TITLE_TAKEN: Final = {
    "needs": "you already have a need with this title",
    "offers": "you already have an offer with this title",
}


def _flush_keyed(session: Session, model: type[Need] | type[Offer]) -> None:
    """Flush now: a title that is the same as another need's (offer's) of the person once case
    and spacing are folded (``title_key``: one person's titles name their needs and offers, as
    imports read them) meets the unique key here and is refused as an InputError on ``title``.
    The one check, whether the other came first or raced this one (two tabs, an API retry): a
    look before the write would be a statement more on every save, and still need this.

    No savepoint: ``begin_nested`` flushes what is pending before it opens one, so the insert
    was never inside it, and the failed flush spoils the transaction either way. Every caller
    rolls back on a refusal (``web.pages.commit_or_show_errors``, the API's ``save``)."""
    try:
        session.flush()
    except IntegrityError as exc:
        if "title_key" not in str(exc.orig):
            raise
        raise InputError({"title": TITLE_TAKEN[model.__tablename__]}) from None


def save_need(
    session: Session,
    person: Person,
    data: NeedInput,
    need: Need | None = None,
    *,
    regency: str | None = None,
) -> Need:
    """Create or edit a need of ``person`` and enqueue its matching; the caller commits.

    ``NotYours`` for someone else's need; ``InputError`` names each field that does not hold
    (a place outside ``regency``: see ``check_in_regency``)."""
    if need is not None and need.person_id != person.id:
        raise NotYours("need")
    errors: dict[str, str] = {}
    title = clean_title(data.title, errors)
    skills = _skills(session, data.skills, errors)
    check_window(data.needed_from, data.needed_until, "needed_until", errors)
    village = session.get(Village, data.village_code) if data.village_code else None
    kecamatan_code = village.kecamatan_code if village else data.kecamatan_code
    if data.village_code and village is None:
        errors["village"] = f"unknown village {data.village_code!r}"
    elif kecamatan_code is None or (
        village is None and session.get(Kecamatan, kecamatan_code) is None
    ):  # a village's kecamatan is there (its foreign key)
        errors["village"] = "choose a village or a kecamatan"
    else:
        check_in_regency(person, [kecamatan_code], "village", errors, regency)
    if errors:
        raise InputError(errors)
    assert kecamatan_code is not None
    created = need is None
    need = need or Need(person_id=person.id, status=ExchangeStatus.OPEN)
    with session.no_autoflush:  # a taken title is met at the flush below, not on a lazy load
        need.title, need.description = title, data.description.strip()
        need.village_code, need.kecamatan_code = data.village_code, kecamatan_code
        need.needed_from, need.needed_until = data.needed_from, data.needed_until
        need.skills = skills
        session.add(need)
    _flush_keyed(session, Need)
    record(
        session, "need.created" if created else "need.updated", "need", need.id, actor_id=person.id
    )
    enqueue(session, TaskName.MATCH_NEED, need.id, regency_code=need.regency_code)
    return need


def save_offer(
    session: Session,
    person: Person,
    data: OfferInput,
    offer: Offer | None = None,
    *,
    regency: str | None = None,
) -> Offer:
    """Create or edit an offer of ``person`` and enqueue its matching; the caller commits
    (refusals as ``save_need``)."""
    if offer is not None and offer.person_id != person.id:
        raise NotYours("offer")
    errors: dict[str, str] = {}
    title = clean_title(data.title, errors)
    skills = _skills(session, data.skills, errors)
    check_window(data.available_from, data.available_until, "available_until", errors)
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
        codes = [*data.village_codes, *data.kecamatan_codes]
        check_in_regency(person, codes, "villages", errors, regency)
    if not 1 <= data.capacity <= 100:
        errors["capacity"] = "between 1 and 100"
    if errors:
        raise InputError(errors)
    created = offer is None
    offer = offer or Offer(person_id=person.id, status=ExchangeStatus.OPEN)
    with session.no_autoflush:  # a taken title is met at the flush below, not on a lazy load
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
    enqueue(session, TaskName.MATCH_OFFER, offer.id, regency_code=offer.regency_code)
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
#: The API's word for an action, where it differs from the page's.
ACTION_NAMES = {"fulfil": "fulfilled"}


class StatusError(Conflict, ValueError):
    """A status change the item's own data does not allow (reopening after its end date)."""


def change_status(session: Session, person: Person, item: Need | Offer, action: str) -> None:
    """Withdraw, mark fulfilled (the API: fulfil) or reopen, as the page and the API offer it;
    the caller commits.

    ``NotYours`` unless it is theirs; ``AlreadyDecided`` when the status no longer allows it
    (someone, or a double tap, changed it first), ``StatusError`` when the end date has passed
    for a reopen.
    """
    if item.person_id != person.id:
        raise NotYours("need" if isinstance(item, Need) else "offer")
    status, _allowed = TRANSITIONS[ACTION_NAMES.get(action, action)]
    until = item.needed_until if isinstance(item, Need) else item.available_until
    if status == ExchangeStatus.OPEN and until is not None and until < dt.date.today():
        raise StatusError("The end date has passed: change the dates first, then reopen.")
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
    regency = item.regency_code if isinstance(item, Need) else None
    task = TaskName.MATCH_NEED if isinstance(item, Need) else TaskName.MATCH_OFFER
    enqueue(session, task, item.id, regency_code=regency)
