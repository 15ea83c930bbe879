"""What a request's path and query string may carry, checked in one place.

Every request passes ``refuse_unreadable``: a path segment or query value with a control character
(NUL above all: PostgreSQL refuses it in text) or longer than ``MAX_VALUE_LENGTH`` is a 400 before
any view reads it. Ids in paths are ``<int:...>`` and fit the database's integer (a larger one is
a 404: no such row); village codes in paths have their Kemendagri form. Views read integer query
parameters through ``arg_int``, which keeps the old leniency (a value that is not a number is
ignored) but answers 400 for a number outside the range the database can hold. A page that carries
its query string into links takes it from ``link_args``, never with ``url_for``'s own names.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final, overload

from flask import Flask, abort, request
from werkzeug.routing import BaseConverter, IntegerConverter, Map

from titiktemu.models.places import VILLAGE_CODE_PATTERN

#: PostgreSQL's ``integer``: every id column, and the widest number a filter compares with.
DB_INT_MAX: Final = 2**31 - 1
#: Longer than any value a page of ours puts in a link (a search is cut to 200 characters).
MAX_VALUE_LENGTH: Final = 1000
#: C0 controls, DEL and C1 controls: never typed into a form, never in one of our links.
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_INTEGER: Final = re.compile(r"[+-]?[0-9]+")
#: Longer than any number in range: refused before ``int()`` (which gives up at 4,300 digits).
_DIGITS_MAX: Final = 20


class DbIntConverter(IntegerConverter):
    """``<int:...>``: ASCII digits and at most ``DB_INT_MAX``, so a larger id is a 404."""

    regex = r"[0-9]{1,10}"

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = DB_INT_MAX,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


class VillageCodeConverter(BaseConverter):
    """``<village:code>``: "33.10.01.2001"; anything else is a 404 before the view runs."""

    regex = VILLAGE_CODE_PATTERN


def readable(value: str) -> bool:
    """True when ``value`` has no control character and is not over-long."""
    return len(value) <= MAX_VALUE_LENGTH and _CONTROL.search(value) is None


def refuse_unreadable() -> None:
    """Before every request: 400 for a path segment, query name or value we would never send."""
    if not all(readable(segment) for segment in request.path.split("/")):
        abort(400)
    for name, values in request.args.lists():
        if not readable(name) or not all(readable(value) for value in values):
            abort(400)


def db_int(text: str | None, low: int = -DB_INT_MAX - 1, high: int = DB_INT_MAX) -> int | None:
    """``text`` as a whole number in [low, high], else None ("²", "1e3", a 30-digit id)."""
    text = (text or "").strip()
    if not _INTEGER.fullmatch(text) or len(text) > _DIGITS_MAX:
        return None
    value = int(text)
    return value if low <= value <= high else None


@overload
def int_or_400(text: str | None, default: int, *, low: int = 0, high: int = DB_INT_MAX) -> int: ...
@overload
def int_or_400(
    text: str | None, default: None = None, *, low: int = 0, high: int = DB_INT_MAX
) -> int | None: ...
def int_or_400(
    text: str | None, default: int | None = None, *, low: int = 0, high: int = DB_INT_MAX
) -> int | None:
    """``text`` as a whole number: ``default`` when it is missing or not a number (as Flask's
    ``type=int`` did), a 400 when it is a number outside [low, high]."""
    text = (text or "").strip()
    if not _INTEGER.fullmatch(text):
        return default
    if len(text) > _DIGITS_MAX or not low <= int(text) <= high:
        abort(400)
    return int(text)


@overload
def arg_int(name: str, default: int, *, low: int = 0, high: int = DB_INT_MAX) -> int: ...
@overload
def arg_int(
    name: str, default: None = None, *, low: int = 0, high: int = DB_INT_MAX
) -> int | None: ...
def arg_int(
    name: str, default: int | None = None, *, low: int = 0, high: int = DB_INT_MAX
) -> int | None:
    """The query parameter ``name``, read by ``int_or_400``."""
    return int_or_400(request.args.get(name), default, low=low, high=high)


def link_args(*drop: str) -> dict[str, str]:
    """The query string's parameters to carry into a link ``url_for`` builds: those with a value,
    but not ``drop``, nor a name ``url_for`` keeps for itself (``endpoint``, ``_method``, ...)."""
    return {
        name: value
        for name, value in request.args.items()
        if value and name not in drop and name != "endpoint" and not name.startswith("_")
    }


def init_params(app: Flask) -> None:
    """The converters (before any blueprint adds its rules) and the check of every request."""
    app.url_map.converters["int"] = DbIntConverter
    app.url_map.converters["village"] = VillageCodeConverter
    app.before_request(refuse_unreadable)


def year_arg() -> int:
    """``?year=``: this year without it; anything but a plausible year is a 404 (the reports of
    a year, the prospectus)."""
    raw = request.args.get("year", "")
    if not raw:
        return dt.date.today().year
    if not (raw.isascii() and raw.isdigit() and len(raw) == 4 and 2000 <= int(raw) <= 2100):
        abort(404)
    return int(raw)
