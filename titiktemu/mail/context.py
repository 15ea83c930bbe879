"""An email's template context as JSON, so a queued email is data the sender renders later.

Plain JSON values stay as they are; what JSON has no type for is tagged: ``{"$date": "2026-12-07"}``,
``{"$datetime": ...}``, ``{"$decimal": "12.50"}``, ``{"$tuple": [...]}``, and a dict whose keys are
not all plain strings (or one that could be mistaken for a tag) as ``{"$dict": [[key, value],
...]}``. :func:`thaw` gives back equal values of the same types; anything else (an enum too: pass
its value) is refused when the email is queued, not when it is sent.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

#: JSON's own scalars, kept as they are.
_PLAIN = (str, int, float, bool, type(None))


def freeze(value: Any) -> Any:
    """``value`` as JSON-safe data that :func:`thaw` turns back into an equal value."""
    if isinstance(value, enum.Enum):
        # An enum would come back as its value, which may print otherwise: pass ``.value``.
        raise TypeError(f"an email context takes an enum's value, not {value!r}")
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, dt.datetime):  # before dt.date: a datetime is a date too
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, list):
        return [freeze(v) for v in value]
    if isinstance(value, tuple):
        return {"$tuple": [freeze(v) for v in value]}
    if isinstance(value, Mapping):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: freeze(v) for k, v in value.items()}
        return {"$dict": [[freeze(k), freeze(v)] for k, v in value.items()]}
    raise TypeError(f"an email context cannot hold {type(value).__name__}: {value!r}")


def thaw(value: Any) -> Any:
    """The value :func:`freeze` was given."""
    if isinstance(value, list):
        return [thaw(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((tag, inner),) = value.items()
        if tag == "$date":
            return dt.date.fromisoformat(inner)
        if tag == "$datetime":
            return dt.datetime.fromisoformat(inner)
        if tag == "$decimal":
            return Decimal(inner)
        if tag == "$tuple":
            return tuple(thaw(v) for v in inner)
        if tag == "$dict":
            return {thaw(k): thaw(v) for k, v in inner}
    return {k: thaw(v) for k, v in value.items()}
