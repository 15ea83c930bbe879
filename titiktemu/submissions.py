"""One-time submission keys: a create sent twice (a double tap on Save over a slow phone link, a
script's retry) makes one row, and the repeat gets the first request's result.

``claim`` writes the key in the transaction that will create, before the create. A repeat that
comes after the first committed finds the key; one that comes while the first is still running
waits on the unique (person, key) index until the first commits, fails, and then finds it. If
the first rolls back (the input was refused), its key goes with it and the repeat runs as if it
were the first. Works alike on PostgreSQL and SQLite (where writers take turns anyway).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from titiktemu.models import SubmissionKey
from titiktemu.models.base import utcnow

#: A key is 1 to 255 visible ASCII characters (what an HTTP header carries without escaping).
KEY_PATTERN = re.compile(r"[!-~]{1,255}")
#: Keys are kept this long: a form left open longer and sent again creates again.
KEEP = dt.timedelta(days=1)
#: How long a repeat waits for the first request's answer before giving up.
WAIT = dt.timedelta(seconds=10)
POLL_SECONDS = 0.05

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Earlier:
    """What the first request with a key made (or, while it runs, what is known of it)."""

    kind: str
    fingerprint: str
    result_id: int | None
    status: int | None
    headers: list[Any] | None
    body: str | None
    created_at: dt.datetime
    settled: bool


def new_key() -> str:
    """A fresh key for a form, drawn when the form is drawn."""
    return secrets.token_urlsafe(24)


def well_formed(key: str | None) -> bool:
    return key is not None and KEY_PATTERN.fullmatch(key) is not None


def earlier(session: Session, person_id: int, key: str) -> Earlier | None:
    """The submission ``person_id`` made with ``key``, as committed (or as this transaction
    wrote it)."""
    row = session.execute(
        sa.select(
            SubmissionKey.kind,
            SubmissionKey.fingerprint,
            SubmissionKey.result_id,
            SubmissionKey.status,
            SubmissionKey.headers,
            SubmissionKey.body,
            SubmissionKey.created_at,
            SubmissionKey.settled_at,
        ).where(SubmissionKey.person_id == person_id, SubmissionKey.key == key)
    ).first()
    if row is None:
        return None
    return Earlier(
        kind=row.kind,
        fingerprint=row.fingerprint,
        result_id=row.result_id,
        status=row.status,
        headers=row.headers,
        body=row.body,
        created_at=row.created_at,
        settled=row.settled_at is not None,
    )


def claim(
    session: Session, person_id: int, key: str, kind: str, fingerprint: str = ""
) -> Earlier | None:
    """Take ``key`` for the create about to run in this transaction, or say what already took it.

    None: the key is ours; create, then ``settle``, in this transaction. Otherwise the earlier
    submission with this key, committed (a concurrent first request is waited for until it
    commits). Call it before the transaction writes anything: a clash rolls the session back.
    """
    found = earlier(session, person_id, key)
    if found is not None:
        return found
    session.add(SubmissionKey(person_id=person_id, key=key, kind=kind, fingerprint=fingerprint))
    try:
        session.flush()  # waits here while a request with the same key is still running
    except IntegrityError:
        session.rollback()
        found = earlier(session, person_id, key)
        if found is None:  # the clash was something else
            raise
        log.info("a concurrent %s of person %d with the same key made it first", kind, person_id)
        return found
    return None


def settle(
    session: Session,
    person_id: int,
    key: str,
    *,
    result_id: int | None = None,
    status: int | None = None,
    headers: list[Any] | None = None,
    body: str | None = None,
) -> bool:
    """Record what the claimed key made: a form's new row (in the creating transaction), or the
    API's answer (after it). False when this transaction holds no unsettled claim of ``key``
    (it was rolled back with a refused create); the caller commits."""
    done = session.execute(
        sa.update(SubmissionKey)
        .where(
            SubmissionKey.person_id == person_id,
            SubmissionKey.key == key,
            SubmissionKey.settled_at.is_(None),
        )
        .values(result_id=result_id, status=status, headers=headers, body=body, settled_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(done, "rowcount", 0) == 1)


def wait_for(session: Session, person_id: int, key: str, wait: dt.timedelta = WAIT) -> Earlier:
    """The earlier submission once settled: its request committed the create and is still
    answering. Gives up ``wait`` after the key was taken (then it is returned unsettled: its
    request died between its commits)."""
    while True:
        found = earlier(session, person_id, key)
        if found is None:
            raise LookupError(f"no submission key {key!r}")
        if found.settled or utcnow() - found.created_at > wait:
            return found
        log.debug("waiting for the answer of the first request with a key of person %d", person_id)
        session.rollback()  # end this read, so the next one sees the latest commit
        time.sleep(POLL_SECONDS)


def purge(session: Session, keep: dt.timedelta = KEEP, now: dt.datetime | None = None) -> int:
    """Forget keys older than ``keep``; how many went. The caller commits."""
    cutoff = (now or utcnow()) - keep
    gone = session.execute(
        sa.delete(SubmissionKey)
        .where(SubmissionKey.created_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(gone, "rowcount", 0) or 0)
