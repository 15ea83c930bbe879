"""Reasons as data: what the engine found, as a code and its values, never as words.

The engine knows no language: a reason says ``skill.exact`` with ``skill="bookkeeping"``, and
the shared package (``titiktemu.matching.reason_text``) renders it through the one catalog in
the reader's language, with that language's number and date formats, on the page, in the email,
the export and the API. Nothing here is a sentence, so nothing here needs translating.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

#: A value a reason carries: a code, a name, a number, a date, or a list of codes or names.
Param = str | int | float | bool | dt.date | tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class Reason:
    """One term of a score: ``weight * value`` is its contribution; ``code`` and ``params`` say
    it (``params`` is a tuple of (name, value) pairs, so reasons can be shared and hashed)."""

    name: str
    weight: float
    value: float
    code: str
    params: tuple[tuple[str, Param], ...] = ()

    @property
    def contribution(self) -> float:
        return self.weight * self.value

    def param(self, name: str) -> Param:
        return dict(self.params).get(name)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO text, tuples as lists."""
        return {
            "name": self.name,
            "weight": self.weight,
            "value": self.value,
            "contribution": round(self.contribution, 6),
            "code": self.code,
            "params": {k: _json(v) for k, v in self.params},
        }


def _json(value: Param) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def reason(name: str, weight: float, value: float, code: str, **params: Param) -> Reason:
    """A :class:`Reason` with its parameters given by name."""
    return Reason(name, weight, value, code, tuple(sorted(params.items())))


def total(reasons: tuple[Reason, ...]) -> float:
    """The score the reasons add up to (clamped to [0, 1] against float drift)."""
    return min(1.0, max(0.0, sum(r.contribution for r in reasons)))
