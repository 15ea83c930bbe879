"""How often one person may import: runs per hour, counted in the database.

Counting the person's import runs of the last hour (rather than keeping counts in Redis) holds
for every web process, the page and the API alike, and keeps working while the broker is down.
Every run counts, a check as much as an import: each reads and checks the whole upload and keeps
its files. The operator's command line (no person) is not limited.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.errors import TooMany
from titiktemu.models import ImportRun, Person
from titiktemu.models.base import utcnow

WINDOW: Final = dt.timedelta(hours=1)


class TooManyImports(TooMany):
    """The person has made ``limit`` import runs within the last hour; ``retry_after`` seconds
    from now the oldest of them leaves the window."""

    retry_after: int  # always known here

    def __init__(self, limit: int, retry_after: int) -> None:
        super().__init__(f"at most {limit} imports an hour: try again in {retry_after} s")
        self.limit = limit
        self.retry_after = retry_after

    @property
    def minutes(self) -> int:
        """The wait in whole minutes, at least one, as a page says it."""
        return max(math.ceil(self.retry_after / 60), 1)


def check_rate(
    session: Session, actor: Person | None, per_hour: int, now: dt.datetime | None = None
) -> None:
    """Raise TooManyImports when ``actor`` already made ``per_hour`` runs in the last hour."""
    if actor is None:
        return
    now = now or utcnow()
    recent = session.scalars(
        sa.select(ImportRun.created_at)
        .where(ImportRun.person_id == actor.id, ImportRun.created_at > now - WINDOW)
        .order_by(ImportRun.created_at.desc())
        .limit(per_hour)
    ).all()
    if len(recent) >= per_hour:
        frees_at = min(recent) + WINDOW
        raise TooManyImports(per_hour, max(math.ceil((frees_at - now).total_seconds()), 1))
