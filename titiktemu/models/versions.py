"""What a worker's warm engine state is checked against: a counter per regency, bumped in the
same transaction as any change the engine reads, and the log of what each bump changed.

A worker keeps a regency's engine in memory between jobs (``titiktemu.matching.warm``) and may
use it only while the regency's counter still has the value it was built or caught up at. The
log lets a stale state catch up by reading the few rows that changed (a need submitted, the
proposals a match stored) instead of the whole regency; a change it cannot apply row by row says
``reload``. The regency ``*`` counts changes every regency reads (taxonomy, programs, people).
The bumping itself is one listener: ``titiktemu.matching.versions``.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from titiktemu.models.base import Base

#: The counter every regency's state also checks: changes not of one regency.
EVERY_REGENCY = "*"


class RegencyVersion(Base):
    __tablename__ = "regency_versions"

    #: A regency code, or ``EVERY_REGENCY`` (no foreign key: ``*`` is not a regency).
    regency_code: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class RegencyChange(Base):
    """One change a bump of ``version`` made: ``kind`` ``need`` (id: the need), ``proposal``
    (id: its need, None for a synergy) or ``reload`` (anything else the engine reads)."""

    __tablename__ = "regency_changes"
    __table_args__ = (sa.Index("ix_regency_changes_regency_version", "regency_code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    regency_code: Mapped[str] = mapped_column(sa.String(20))
    version: Mapped[int] = mapped_column(sa.BigInteger)
    kind: Mapped[str] = mapped_column(sa.String(16))
    item_id: Mapped[int | None]
