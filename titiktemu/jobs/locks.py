"""Work that must not run twice at once for one regency (two imports writing the same needs).

``hold_regency(session, "import", "33.10")`` waits until no other transaction holds that lock and
keeps it until this transaction ends (commit or rollback): there is nothing to release.

- PostgreSQL: transaction-level advisory locks. A regency's work takes the shared lock of its
  purpose and the exclusive lock of the regency; work without a regency (an admin, the command
  line: any regency) takes the purpose's exclusive lock, so it waits for every regency and they
  for it. Keys are a stable hash of the names, the same in every process.
- SQLite: one writer at a time for the whole file. A write that changes nothing takes the write
  lock now instead of at the first real write; another writer waits for the commit (the engine's
  busy timeout). Lock before reading what the work depends on: a SQLite transaction that has
  read and then finds another writer committed cannot write at all.
"""

from __future__ import annotations

import hashlib
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.models.base import run


def lock_key(name: str) -> int:
    """A signed 64-bit advisory lock key for ``name``, stable across processes and runs."""
    digest = hashlib.blake2b(f"titiktemu:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def hold_regency(session: Session, purpose: str, regency_code: str | None) -> None:
    """Wait for, then hold until the transaction ends, the ``purpose`` lock of ``regency_code``
    (None: of every regency)."""
    if session.get_bind().dialect.name == "postgresql":
        if regency_code is None:
            session.execute(sa.select(sa.func.pg_advisory_xact_lock(lock_key(purpose))))
            return
        keys = {"purpose": lock_key(purpose), "regency": lock_key(f"{purpose}:{regency_code}")}
        run(session, _BOTH, keys)
        return
    hold_writer(session)


def _both() -> sa.Select[Any]:
    """The purpose's shared lock and the regency's exclusive one in one round trip, the
    purpose's first: the subquery fenced by OFFSET 0 is evaluated before the outer select, so
    no one waits for the purpose holding a regency. Built once: every match job takes it."""
    purpose_lock = (
        sa.select(
            sa.func.pg_advisory_xact_lock_shared(
                sa.bindparam("purpose", type_=sa.BigInteger)
            ).label("held")
        )
        .offset(0)
        .subquery()
    )
    regency_lock = sa.func.pg_advisory_xact_lock(sa.bindparam("regency", type_=sa.BigInteger))
    return sa.select(regency_lock, purpose_lock.c.held)


_BOTH = _both()


def hold_writer(session: Session) -> None:
    """SQLite: become the one writer now (a no-op for a transaction that has written already)."""
    session.execute(sa.text("UPDATE regencies SET code = code WHERE 1 = 0"))
