"""The field checks every record's command shares (needs, offers, interventions): one place says
what a title, a date window and "a place in your regency" must be, and the error that names each
field, so a form or the API can show each problem where it belongs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from titiktemu.errors import Invalid
from titiktemu.models import Person
from titiktemu.models.places import regency_of


class InputError(Invalid, ValueError):
    """Field-level problems, so a form or the API can show each where it belongs."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors=errors)
        self.errors = errors  # the very dict: callers may still add to it


def clean_title(title: str, errors: dict[str, str]) -> str:
    """The title with its spacing folded; a problem under "title" when empty or too long."""
    title = " ".join(title.split())
    if not title:
        errors["title"] = "a title is needed"
    elif len(title) > 200:
        errors["title"] = "at most 200 characters"
    return title


def check_window(
    start: dt.date | None, end: dt.date | None, name: str, errors: dict[str, str]
) -> None:
    if start and end and end < start:
        errors[name] = "the end comes before the start"


def check_in_regency(
    person: Person,
    codes: Iterable[str],
    name: str,
    errors: dict[str, str],
    regency: str | None = None,
) -> None:
    """What someone records lies in the regency they work in: its owner sees and opens it, so a
    place elsewhere would let them into another regency (every front end gets this rule).

    ``regency`` is where they work now when a front end knows better than their account (a
    global admin works in the regency they chose); without it, their account's regency, and a
    person without one may record anywhere (the importer's admin).
    """
    regency = regency or person.regency_code
    if regency is not None and any(regency_of(code) != regency for code in codes):
        errors.setdefault(name, "choose a place in your regency")
