"""What the needs and offers resources share: access as the pages decide it, status changes,
and the service's field errors under the API's field names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from titiktemu.extensions import db
from titiktemu.models import ExchangeStatus, Need, Offer, Person
from titiktemu.services.exchange import InputError, set_status
from titiktemu.services.facilitator import Access
from web.api.problems import ApiProblem, invalid
from web.exchange.blueprint import TRANSITIONS

#: The API's words for the page's actions.
ACTIONS = {"withdraw": "withdraw", "fulfil": "fulfilled", "reopen": "reopen"}


def require(access: Access, want: Access, what: str) -> None:
    """404 when the caller may not see it at all, 403 when they may look but not change it."""
    if access == Access.NONE:
        raise ApiProblem(404, f"No such {what}.")
    if access < want:
        raise ApiProblem(403, f"Only its owner may change this {what}.")


def input_problem(error: InputError, fields: Mapping[str, str]) -> ApiProblem:
    db.session.rollback()
    return invalid({fields.get(key, key): message for key, message in error.errors.items()})


def outside(codes: list[str], regency: str) -> list[str]:
    """Place codes that are not in the caller's regency (the pages offer only its places)."""
    return [code for code in codes if not code.startswith(regency + ".")]


def change_status(person: Person, item: Need | Offer, action: str, until: dt.date | None) -> None:
    """Withdraw, fulfil or reopen as the page allows; 409 when the state does not allow it."""
    status, allowed = TRANSITIONS[ACTIONS[action]]
    if item.status not in allowed:
        raise ApiProblem(409, f"That cannot be done now: the status is {item.status.value}.")
    if status == ExchangeStatus.OPEN and until is not None and until < dt.date.today():
        raise ApiProblem(409, "The end date has passed: change the dates first, then reopen.")
    set_status(db.session(), person, item, status)
    db.session.commit()  # matching retires or renews its proposals after this
