"""What an upload would change: each record against the stored one with the same natural key.

A record is new (no stored match), unchanged (every imported column and link set equal) or
updated. Unchanged records are never written, so a re-import touches no ``updated_at``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Final, Literal

from titiktemu.imports.problems import Problems
from titiktemu.imports.rows import Record

Status = Literal["new", "updated", "unchanged"]
STATUSES: Final[tuple[Status, ...]] = ("new", "updated", "unchanged")

#: What the duplicate problem calls a kind's natural key.
KEY_NAMES: Final[dict[str, str]] = {
    "programs": "program code",
    "people": "email",
    "interventions": "program, village, activity and start date",
    "offers": "email and title",
    "needs": "email and title",
}


@dataclass(frozen=True)
class Current:
    """A stored record, in the shape of :class:`Record` values and links."""

    id: int
    values: dict[str, object]
    links: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass
class Change:
    record: Record
    current: Current | None
    status: Status
    #: The link sets that differ from the stored ones (all of them for a new record).
    changed_links: frozenset[str] = frozenset()


def unique(records: Iterable[Record], problems: Problems) -> list[Record]:
    """The records with a natural key not seen before; each repeat is a problem naming both rows."""
    first: dict[tuple[object, ...], Record] = {}
    kept: list[Record] = []
    for record in records:
        seen = first.get(record.key)
        if seen is None:
            first[record.key] = record
            kept.append(record)
            continue
        problems.add(
            "duplicate_key",
            file=record.file,
            kind=record.kind,
            row=record.row,
            value=" / ".join(str(part) for part in record.key),
            what=KEY_NAMES[record.kind],
            other=seen.row,
            other_file=seen.file,
        )
    return kept


def compare(
    record: Record, current: Current | None, absent: frozenset[str] = frozenset()
) -> Change:
    """New, updated or unchanged; ``absent`` names values and link sets the file did not have a
    column for: a stored record keeps them (the record takes them over before comparing)."""
    if current is None:
        return Change(record, None, "new", frozenset(record.links))
    for key in absent:
        if key in record.values:
            record.values[key] = current.values.get(key)
        if key in record.links:
            record.links[key] = current.links.get(key, frozenset())
    links = frozenset(k for k, v in record.links.items() if current.links.get(k) != v)
    same = all(current.values.get(k) == v for k, v in record.values.items())
    return Change(record, current, "unchanged" if same and not links else "updated", links)


#: Rows listed in a run's change list at most; beyond, the counts say how many.
MAX_CHANGES: Final = 1000


def listed(
    plan: dict[str, list[Change]], describe: Callable[[Record], str]
) -> list[dict[str, object]]:
    """The new and updated rows, each with what it is (``describe``: words a person reads, not
    codes) and, when updated, which fields change."""
    out: list[dict[str, object]] = []
    for kind, changes in plan.items():
        for change in changes:
            if change.status == "unchanged":
                continue
            if len(out) >= MAX_CHANGES:
                return out
            record = change.record
            fields = sorted(
                [
                    k
                    for k, v in record.values.items()
                    if change.current is not None and change.current.values.get(k) != v
                ]
                + list(change.changed_links if change.current is not None else ())
            )
            out.append(
                {
                    "kind": kind,
                    "file": record.file,
                    "row": record.row,
                    "status": change.status,
                    "what": describe(record),
                    "fields": fields,
                }
            )
    return out


def counts(changes: Iterable[Change]) -> dict[str, int]:
    tally = Counter(c.status for c in changes)
    return {status: tally[status] for status in STATUSES}


def chunked(values: Iterable[object], size: int = 5000) -> Iterable[list[object]]:
    """``values`` in lists of ``size``: SQLite allows only so many parameters in one IN."""
    batch: list[object] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
