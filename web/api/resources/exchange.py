"""What the needs and offers resources share: who sees which, access as the pages decide it,
saving and status changes, and the service's field errors under the API's field names."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.decisions import AlreadyDecided
from titiktemu.exchange.commands import InputError, StatusError
from titiktemu.exchange.commands import change_status as service_change_status
from titiktemu.exchange.facilitator import Access, access_to, need_regency, offer_regency
from titiktemu.extensions import db
from titiktemu.models import Need, Offer, Person, Role
from titiktemu.review.commands import may_review
from web.api.auth import caller
from web.api.problems import ApiProblem, invalid

#: The API's words for the page's actions.
ACTIONS = {"withdraw": "withdraw", "fulfil": "fulfilled", "reopen": "reopen"}

Item = TypeVar("Item", Need, Offer)
Input = TypeVar("Input")


def visible(
    viewer: Person,
    mine: bool,
    own: sa.ColumnElement[bool],
    in_regency: Callable[[str], sa.ColumnElement[bool]],
) -> sa.ColumnElement[bool]:
    """Mine (``own``); unless ``mine``, a reviewer also sees ``in_regency`` of the regency they
    review, and an admin without a regency sees everything."""
    if mine:
        return own
    if viewer.role == Role.ADMIN and viewer.regency_code is None:
        return sa.true()
    regency = viewer.regency_code
    if regency is None or not may_review(viewer, regency):
        return own
    return sa.or_(own, in_regency(regency))


def require(access: Access, want: Access, what: str) -> None:
    """404 when the caller may not see it at all, 403 when they may look but not change it."""
    if access == Access.NONE:
        raise ApiProblem(404, f"No such {what}.")
    if access < want:
        raise ApiProblem(403, f"Only its owner may change this {what}.")


def find(model: type[Item], item_id: int, want: Access) -> Item:
    """The need or offer ``item_id`` if the caller has ``want`` access to it (404 or 403 if not)."""
    what = model.__name__.lower()
    row = db.session.get(model, item_id)
    if row is None:
        raise ApiProblem(404, f"No such {what}.")
    regency = need_regency(row) if isinstance(row, Need) else offer_regency(row)
    require(access_to(caller(), row.person_id, regency), want, what)
    return row


def input_problem(error: InputError, fields: Mapping[str, str]) -> ApiProblem:
    db.session.rollback()
    return invalid({fields.get(key, key): message for key, message in error.errors.items()})


def outside(codes: list[str], regency: str) -> list[str]:
    """Place codes that are not in the caller's regency (the pages offer only its places)."""
    return [code for code in codes if not code.startswith(regency + ".")]


def save(
    saver: Callable[[Session, Person, Input, Item | None], Item],
    data: Input,
    item: Item | None,
    fields: Mapping[str, str],
) -> Item:
    """Create (``item`` None) or change it through the service, whose field errors answer 422
    under the API's names (``fields``); commit."""
    try:
        saved = saver(db.session(), caller(), data, item)
    except InputError as exc:
        raise input_problem(exc, fields) from None
    db.session.commit()  # the match job runs once this commits
    return saved


def change_status(person: Person, item: Need | Offer, action: str) -> None:
    """Withdraw, fulfil or reopen through the service the page calls; 409 when the status no
    longer allows it (saying who changed it, and when) or the end date has passed."""
    try:
        service_change_status(db.session(), person, item, ACTIONS[action])
    except AlreadyDecided as exc:
        db.session.rollback()
        raise ApiProblem(409, str(exc)) from None
    except StatusError:
        db.session.rollback()
        raise ApiProblem(
            409, "The end date has passed: change the dates first, then reopen."
        ) from None
    db.session.commit()  # matching retires or renews its proposals after this
