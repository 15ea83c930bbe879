"""What the needs and offers resources share: access, saving and status changes through the
commands the pages call, and the commands' field errors under the API's field names."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from titiktemu.errors import DomainError
from titiktemu.exchange import commands
from titiktemu.exchange.facilitator import Access
from titiktemu.extensions import db
from titiktemu.models import Need, Offer, Person
from web.api.auth import caller
from web.api.problems import problem_of

Item = TypeVar("Item", Need, Offer)


def find(model: type[Item], item_id: int, want: Access) -> Item:
    """The need or offer ``item_id`` if the caller has ``want`` access to it; the command's
    refusal otherwise (404 when they may not see it, 403 when they may look but not change it)."""
    return commands.find(db.session(), caller(), model, item_id, want)


def save(run: Callable[[], Item], fields: Mapping[str, str]) -> Item:
    """Create or change it through the command (``run``); its refusals answer by kind, field
    errors (422) under the API's names (``fields``); commit."""
    try:
        saved = run()
    except DomainError as exc:  # as a problem here: an idempotent create settles its key on it
        raise problem_of(exc, fields) from None
    db.session.commit()  # the match job runs once this commits
    return saved


def change_status(person: Person, item: Need | Offer, action: str) -> None:
    """Withdraw, fulfil or reopen through the command the page calls; its refusals answer by
    kind: 409 when the status no longer allows it (saying who changed it, and when) or the end
    date has passed."""
    commands.change_status(db.session(), person, item, action)
    db.session.commit()  # matching retires or renews its proposals after this
