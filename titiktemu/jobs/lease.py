"""Durable work rows: claim by conditional update, lease, count attempts, back off, sweep.

Two tables hold work that must survive a crash and be done once: ``job_runs`` (Celery jobs) and
``email_outbox`` (emails). Both follow the protocol written here once:

- a row *waits* in one of the ``waiting`` statuses until its ``retry_at`` (None: at once);
- a *claim* is one conditional UPDATE that moves a row to ``running``, counts the attempt and
  sets ``lease_until``: of two claimers the database lets exactly one win (PostgreSQL batches
  skip rows another transaction holds, ``FOR UPDATE SKIP LOCKED``);
- a running row whose lease has ended is taken as *lost* (its worker died) and may be claimed
  again; the work is then done at least once, never dropped;
- a failed attempt waits ``backoff.after(attempts)`` (capped exponential) and, at the last
  attempt, the row is ``given_up`` (a dead job, a failed email: shown to coordinators).

What a row means when done (a job's stage and percent, an email's ``sent_at``) stays with its
owner: :mod:`titiktemu.jobs` and :mod:`titiktemu.mail.sender`.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Session

Row = TypeVar("Row")

#: Room for the text of an error (the ``last_error`` columns are TEXT; this keeps them readable).
ERROR_CHARS = 2000


@dataclass(frozen=True)
class Backoff:
    """Delays that double from ``base`` after each failed attempt, never longer than ``cap``."""

    base: dt.timedelta
    cap: dt.timedelta

    def after(self, attempts: int) -> dt.timedelta:
        """The wait after ``attempts`` failed attempts: base, 2 x base, 4 x base ... cap."""
        delay: dt.timedelta = self.base * (2 ** max(attempts - 1, 0))
        return min(delay, self.cap)


@dataclass(frozen=True)
class DurableQueue(Generic[Row]):
    """One table of leased work rows: its columns, its statuses and its backoff."""

    model: type[Row]
    id: InstrumentedAttribute[int]
    status: InstrumentedAttribute[Any]
    attempts: InstrumentedAttribute[int]
    #: When a waiting row is due (None: now).
    retry_at: InstrumentedAttribute[dt.datetime | None]
    #: When a running row's claim ends (may be the same column as ``retry_at``).
    lease_until: InstrumentedAttribute[dt.datetime | None]
    last_error: InstrumentedAttribute[str]
    waiting: tuple[enum.Enum, ...]
    running: enum.Enum
    #: The waiting status of a row that failed and will be tried again.
    retrying: enum.Enum
    #: The final status of a row whose attempts are spent.
    given_up: enum.Enum
    backoff: Backoff
    #: ``claim_ready``'s statements, by the names of the values they set.
    _ready_claims: dict[tuple[str, ...], sa.Update] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    # --- which rows ---------------------------------------------------------------------------

    def lost(self, now: dt.datetime | sa.BindParameter[Any]) -> sa.ColumnElement[bool]:
        """Running rows whose lease has ended: their worker is taken to be dead."""
        return sa.and_(self.status == self.running, self.lease_until < now)

    def due(self, now: dt.datetime) -> sa.ColumnElement[bool]:
        """Rows to (re)start now: waiting whose time has come, or lost."""
        waited = sa.or_(self.retry_at.is_(None), self.retry_at <= now)
        return sa.or_(sa.and_(self.status.in_(self.waiting), waited), self.lost(now))

    def ready(self, now: dt.datetime | sa.BindParameter[Any]) -> sa.ColumnElement[bool]:
        """Rows a worker may start when handed one: waiting (whatever its time) or lost."""
        return sa.or_(self.status.in_(self.waiting), self.lost(now))

    def due_ids(
        self, session: Session, now: dt.datetime, limit: int, *, lease_order: bool = False
    ) -> list[int]:
        """Up to ``limit`` due rows, oldest id first (``lease_order``: the longest due first)."""
        order = (self.retry_at, self.id) if lease_order else (self.id,)
        query = sa.select(self.id).where(self.due(now)).order_by(*order).limit(limit)
        return list(session.scalars(query))

    # --- claiming -----------------------------------------------------------------------------

    def _claimed(self, lease_until: dt.datetime | sa.BindParameter[Any]) -> dict[str, Any]:
        """What a claim writes: running, one attempt more, leased until ``lease_until``."""
        return {
            self.status.key: self.running,
            self.attempts.key: self.attempts + 1,
            self.lease_until.key: lease_until,
        }

    def claim(
        self,
        session: Session,
        row_id: int,
        *,
        now: dt.datetime,
        lease: dt.timedelta,
        when: sa.ColumnElement[bool] | None = None,
        **values: Any,
    ) -> bool:
        """Claim one row if it still is ``when`` (default: due), setting ``values`` too; True
        when this caller won it. Not committed: the caller commits (or rolls back) the claim."""
        condition = self.due(now) if when is None else when
        won = session.execute(
            sa.update(self.model)
            .where(self.id == row_id, condition)
            .values(**self._claimed(now + lease), **values)
        )
        return bool(won.rowcount == 1)  # type: ignore[attr-defined]

    def claim_ready(
        self, session: Session, row_id: int, *, now: dt.datetime, lease: dt.timedelta, **values: Any
    ) -> bool:
        """``claim`` a row handed to this worker (``when=ready(now)``), by a statement built
        once per set of ``values`` names (a worker claims a job per task: only values bind)."""
        names = tuple(sorted(values))
        statement = self._ready_claims.get(names)
        if statement is None:
            at = sa.bindparam("now", type_=self.lease_until.type)
            statement = (
                sa.update(self.model)
                .where(self.id == sa.bindparam("row_id"), self.ready(at))
                .values(
                    **self._claimed(sa.bindparam("lease_until", type_=self.lease_until.type)),
                    **{name: sa.bindparam(name) for name in names},
                )
            )
            self._ready_claims[names] = statement
        bound = {"row_id": row_id, "now": now, "lease_until": now + lease, **values}
        won = session.execute(statement, bound)
        return bool(won.rowcount == 1)  # type: ignore[attr-defined]

    def claim_due(
        self, session: Session, limit: int, *, now: dt.datetime, lease: dt.timedelta
    ) -> list[int]:
        """Claim up to ``limit`` due rows, oldest first; the ids this caller won. Not committed.

        PostgreSQL locks the candidates and skips those another claimer holds; SQLite (one
        writer at a time) repeats the condition in each row's update instead.
        """
        if session.get_bind().dialect.name == "postgresql":
            ids = list(
                session.scalars(
                    sa.select(self.id)
                    .where(self.due(now))
                    .order_by(self.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            if ids:
                session.execute(
                    sa.update(self.model)
                    .where(self.id.in_(ids))
                    .values(**self._claimed(now + lease))
                )
            return ids
        candidates = self.due_ids(session, now, limit)
        return [i for i in candidates if self.claim(session, i, now=now, lease=lease)]

    def postpone(self, session: Session, ids: Sequence[int], until: dt.datetime) -> None:
        """Move the retry time of the waiting rows among ``ids`` (sent again: not due again
        before ``until``); running rows keep their lease. Not committed."""
        session.execute(
            sa.update(self.model)
            .where(self.id.in_(ids), self.status != self.running)
            .values({self.retry_at.key: until})
        )

    # --- failing ------------------------------------------------------------------------------

    def retry_or_give_up(
        self, row: Row, error: str, *, max_attempts: int, now: dt.datetime
    ) -> bool:
        """Record a failed attempt on a claimed ``row``: it waits its backoff, or, with its
        attempts spent, is given up. True when it will be tried again. Not committed."""
        setattr(row, self.last_error.key, error[:ERROR_CHARS])
        if self.lease_until.key != self.retry_at.key:
            setattr(row, self.lease_until.key, None)
        attempts: int = getattr(row, self.attempts.key)
        if attempts >= max_attempts:
            setattr(row, self.status.key, self.given_up)
            return False
        setattr(row, self.status.key, self.retrying)
        setattr(row, self.retry_at.key, now + self.backoff.after(attempts))
        return True

    def give_up(self, row: Row, error: str) -> None:
        """Fail a claimed ``row`` for good (a permanent error: retrying would not help)."""
        setattr(row, self.last_error.key, error[:ERROR_CHARS])
        if self.lease_until.key != self.retry_at.key:
            setattr(row, self.lease_until.key, None)
        setattr(row, self.status.key, self.given_up)
