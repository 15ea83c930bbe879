"""One-time submission keys on the forms that create: the hidden field that carries one, and the
two steps a view takes around its save (``titiktemu.submissions`` holds the rule).

A double tap on Save sends the same form twice with the same key: the second POST gets the
first one's answer (a redirect to what it made), never a second row. A page drawn before keys
existed posts none and saves once, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from flask import abort
from wtforms import HiddenField

from titiktemu.extensions import db
from titiktemu.submissions import claim, new_key, settle, well_formed
from web.access import me


class HasId(Protocol):
    id: Any


Saved = TypeVar("Saved", bound=HasId)


class SubmissionKeyField(HiddenField):
    """A key drawn afresh with each form; ``posted`` is the one the submission carried (None when
    it carried none, or a malformed one)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", new_key)
        super().__init__(*args, **kwargs)
        self.posted: str | None = None

    def process_formdata(self, valuelist: list[Any]) -> None:
        key = str(valuelist[0]) if valuelist else None
        if well_formed(key):
            self.posted = self.data = key


@dataclass(frozen=True)
class First:
    """What the first submission with a key made (``id``), and what it said (``note``)."""

    id: int | None
    note: str


def first_submission(key: str | None, kind: str) -> First | None:
    """What an earlier submission with ``key`` made, to answer as it was answered; or None: the
    key is now taken by this request, which does its work and then calls ``settled``.

    Call before the request writes anything (a concurrent twin is waited for here)."""
    if key is None:
        return None
    found = claim(db.session(), me().id, key, kind)
    if found is None:
        return None
    if found.kind != kind or not found.settled:
        abort(400)  # a key of another form or of the API: not something a page sends
    return First(found.result_id, found.body or "")


def first_result(key: str | None, kind: str) -> int | None:
    """The id of what an earlier submission with ``key`` made, or None (then create, through
    ``created``)."""
    first = first_submission(key, kind)
    if first is None:
        return None
    if first.id is None:
        abort(400)
    return first.id


def settled(key: str | None, result_id: int | None = None, note: str = "") -> None:
    """Note what the claimed ``key`` made and said, in the transaction that made it."""
    if key is not None:
        settle(db.session(), me().id, key, result_id=result_id, body=note)


def created(key: str | None, saved: Saved) -> Saved:
    """``settled`` with the new row's id; returns the row."""
    settled(key, int(saved.id))
    return saved
