"""Reads kept per process for as long as the counters they depend on have not moved.

Some reads give every request the same answer until something they read changes: a regency's
review filter offers its kecamatan and the programs present there. The regency counters
(``titiktemu.models.versions``) are bumped in the same commit as any change the engine reads,
which covers what such reads read (places, programs, people, interventions); so an answer read
while the counters stood at (regency, every) is good for as long as they still do.

Only reads of what the counters count may be kept: the rows and columns the engine reads
(``titiktemu.models.changes.READ``), and places. A gap or an overlap flag, or an intervention's
budget year, is written without a bump.

One statement reads both counters, once per transaction (``versions``); the taxonomy labels
(``titiktemu.matching.reason_text``) check the "every regency" counter with it. An answer is
read after the counters, so it is at least as new as they say, never older. A transaction that
has written neither uses nor keeps an answer: it may see its own changes, which no counter
shows until it commits.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.lru import Lru
from titiktemu.models.base import run
from titiktemu.models.versions import EVERY_REGENCY, RegencyVersion
from titiktemu.transactions import only_read

T = TypeVar("T")

#: Answers kept per process: a few per regency.
KEPT = 256
_MEMO = "titiktemu.versions"


@dataclass(frozen=True)
class Versions:
    """A regency's counter and the "every regency" one, as one transaction read them (0: never
    bumped)."""

    regency: int
    every: int


_COUNTERS = sa.select(RegencyVersion.regency_code, RegencyVersion.version).where(
    RegencyVersion.regency_code.in_(
        [sa.bindparam("regency", type_=RegencyVersion.regency_code.type), EVERY_REGENCY]
    )
)


def versions(session: Session, regency_code: str | None = None) -> Versions:
    """The counters of ``regency_code`` (None: only "every regency") in this transaction: read
    once, then remembered until it ends."""
    session.connection()  # the transaction begins here, if it has not yet
    transaction = session.get_transaction()
    held = session.info.get(_MEMO)
    memo: dict[str | None, Versions]
    if held is not None and held[0] is transaction:
        memo = held[1]
    else:
        memo = {}
        session.info[_MEMO] = (transaction, memo)
    found = memo.get(regency_code)
    if found is None and regency_code is None and memo:
        found = next(iter(memo.values()))  # any read has the "every regency" counter
    if found is None:
        rows = dict(run(session, _COUNTERS, {"regency": regency_code or EVERY_REGENCY}).all())
        found = memo[regency_code] = Versions(
            int(rows.get(regency_code, 0)) if regency_code else 0, int(rows.get(EVERY_REGENCY, 0))
        )
    return found


_ANSWERS: Lru[Any] = Lru(KEPT)


def kept(
    session: Session, name: str, regency_code: str | None, key: Hashable, read: Callable[[], T]
) -> T:
    """``read()``'s answer, kept under ``name`` and ``key`` while the counters of
    ``regency_code`` and of every regency stand where they were when it was read (None: what
    every regency reads, the taxonomy, kept by that counter alone)."""
    if not only_read(session.connection()):
        return read()
    counted = versions(session, regency_code)
    full = (name, regency_code, key, counted.regency if regency_code else 0, counted.every)
    found = _ANSWERS.get(full)
    if found is None:
        found = read()
        _ANSWERS.put(full, found)
    return cast("T", found)


def forget_kept() -> None:
    """Read every answer again (tests that empty the database reset the counters)."""
    _ANSWERS.clear()
