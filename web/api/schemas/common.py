"""Types every resource shares: ids, codes, timestamps, references, reasons and the problem."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from titiktemu.extensions import db
from titiktemu.lru import Lru
from titiktemu.matching.reason_text import Labels, in_both, labels_for

MAX_ID = 2**31 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
KecamatanCode = Annotated[
    str, Field(pattern=r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$", examples=["33.10.01"])
]
VillageCode = Annotated[
    str, Field(pattern=r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$", examples=["33.10.01.2001"])
]
RegionCode = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?$", examples=["33.10", "33.10.01"]
    ),
]
TaxonomyCode = Annotated[str, Field(pattern=r"^[a-z0-9_.-]{1,40}$", examples=["bookkeeping"])]
Title = Annotated[str, Field(min_length=1, max_length=200)]
Description = Annotated[str, Field(max_length=2000)]
Note = Annotated[str, Field(max_length=2000)]


def _utc(value: dt.datetime) -> dt.datetime:
    """The database keeps naive UTC; the API says so (RFC 3339 wants the offset)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


Timestamp = Annotated[dt.datetime, AfterValidator(_utc)]


class Out(BaseModel):
    """Response models: built from our own rows, never from input."""

    model_config = ConfigDict(from_attributes=True)


class In(BaseModel):
    """Request models: unknown fields are refused, so a typo is not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class IdPath(In):
    id: Id


class Ref(Out):
    """One side of a proposal, or an intervention of a flag: what it is, its id and title."""

    type: Literal["need", "offer", "person", "program", "intervention"]
    id: int
    title: str


class Reason(Out):
    """Why the engine proposed or flagged something, as data in both languages."""

    name: str
    weight: float
    value: float
    contribution: float = Field(description="weight × value: this reason's part of the score")
    text_id: str
    text_en: str


def reasons_of(rows: list[dict[str, object]]) -> list[Reason]:
    """The engine's stored reasons (code and values) with their words in both languages, from
    the one renderer; tolerant of older rows that lack a field."""
    return _reasons(rows, labels_for(db.session()))


def reasons_in_text(text: str | None) -> list[Reason]:
    """``reasons_of`` the stored reasons as their JSON text, kept per process by that text and
    the labels: a list of fifty proposals is 250 reasons in two languages each (a third of its
    time), and clients ask for the same first pages again and again."""
    labels = labels_for(db.session())
    key = (labels.fingerprint, text)
    found = _KEPT.get(key)
    if found is None:
        rows = json.loads(text) if text else []
        found = _KEPT.put(key, tuple(_reasons(rows if isinstance(rows, list) else [], labels)))
    return list(found)


#: Reasons built from their text, by (labels' fingerprint, text): a regency's first pages.
_KEPT: Lru[tuple[Reason, ...]] = Lru(4096)


def _reasons(rows: list[dict[str, object]], labels: Labels) -> list[Reason]:
    return [
        Reason(
            name=str(row.get("name", "")),
            weight=_number(row.get("weight")),
            value=_number(row.get("value")),
            contribution=_number(row.get("contribution")),
            text_id=words["id"],
            text_en=words["en"],
        )
        for row in rows
        for words in [in_both(row, labels)]
    ]


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


class FieldError(Out):
    field: str = Field(description="`title`, `skills.0`, `query.limit`, ...")
    message: str


class Problem(Out):
    """RFC 9457 problem details, with the fields that are wrong."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldError] = []
