"""Reasons as data: the one explanation the page, the email and the API all render."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Reason:
    """One term of a score: ``weight * value`` is its contribution; the texts say it in words."""

    name: str
    weight: float
    value: float
    text_id: str
    text_en: str

    @property
    def contribution(self) -> float:
        return self.weight * self.value

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["contribution"] = round(self.contribution, 6)
        return data


def total(reasons: tuple[Reason, ...]) -> float:
    """The score the reasons add up to (clamped to [0, 1] against float drift)."""
    return min(1.0, max(0.0, sum(r.contribution for r in reasons)))
