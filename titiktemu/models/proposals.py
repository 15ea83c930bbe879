"""Proposals (suggested collaborations) and gaps (needs nobody can meet), as the engine left them.

A proposal is keyed by what it joins (``key``: kind and both sides), so a rebuild upserts it
instead of adding a second one, and a coordinator's decision on it survives every rebuild.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from titiktemu.models.base import Base, Timestamped, str_enum
from titiktemu.models.exchange import Need, Offer
from titiktemu.models.people import Person
from titiktemu.models.programs import Program


class ProposalKind(enum.StrEnum):
    NEED_OFFER = "need_offer"
    NEED_PERSON = "need_person"
    PROGRAM_SYNERGY = "program_synergy"


class ProposalStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CONVENE = "convene"  # marked for a forum meeting
    OBSOLETE = "obsolete"


#: A reason as stored: the engine's {"name", "weight", "value", "contribution", "code",
#: "params"}, no words: each channel renders it for its reader (titiktemu.matching.reason_text).
Reason = dict[str, Any]


class Proposal(Timestamped, Base):
    __tablename__ = "proposals"
    __table_args__ = (
        # The review queue: a regency's proposals in one status, best score first, a page at a
        # time (read in index order, not by sorting 10,000 rows for 15); and how many are overdue.
        sa.Index("ix_proposals_queue", "regency_code", "status", "score"),
        sa.Index("ix_proposals_waiting", "regency_code", "status", "created_at"),
        # The few synergies, found without reading every proposal: the kecamatan filter asks
        # for "a need there OR a synergy naming a village there", both arms by index.
        sa.Index(
            "ix_proposals_synergies",
            "regency_code",
            "status",
            postgresql_where=sa.text("kind = 'program_synergy'"),
            sqlite_where=sa.text("kind = 'program_synergy'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "need_offer:12:34", "need_person:12:7", "program_synergy:33.10:3:5" - what it joins.
    key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    kind: Mapped[ProposalKind] = mapped_column(str_enum(ProposalKind, "proposal_kind"))
    regency_code: Mapped[str] = mapped_column(sa.ForeignKey("regencies.code"), index=True)
    need_id: Mapped[int | None] = mapped_column(sa.ForeignKey("needs.id"), index=True)
    offer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("offers.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"), index=True)
    program_a_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programs.id"))
    program_b_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programs.id"))
    #: Village codes a program synergy covers ("plan together in these villages").
    village_codes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    score: Mapped[float]
    #: 1 = primary from the assignment, 2 and 3 = alternatives; None for synergies.
    rank: Mapped[int | None]
    reasons: Mapped[list[Reason]] = mapped_column(sa.JSON, default=list)
    status: Mapped[ProposalStatus] = mapped_column(
        str_enum(ProposalStatus, "proposal_status"), default=ProposalStatus.PROPOSED, index=True
    )
    reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    decided_at: Mapped[dt.datetime | None]
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")
    #: Why the engine no longer proposes it (status obsolete): shown on its page and in digests.
    retired_reason: Mapped[Reason | None] = mapped_column(sa.JSON)

    need: Mapped[Need | None] = relationship()
    offer: Mapped[Offer | None] = relationship()
    person: Mapped[Person | None] = relationship(foreign_keys=[person_id])
    program_a: Mapped[Program | None] = relationship(foreign_keys=[program_a_id])
    program_b: Mapped[Program | None] = relationship(foreign_keys=[program_b_id])
    reviewer: Mapped[Person | None] = relationship(foreign_keys=[reviewer_id])


class Gap(Timestamped, Base):
    """A need nobody can meet, with why (no skill in reach, capacity taken, ...)."""

    __tablename__ = "gaps"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(sa.ForeignKey("needs.id", ondelete="CASCADE"), unique=True)
    regency_code: Mapped[str] = mapped_column(sa.ForeignKey("regencies.code"), index=True)
    reasons: Mapped[list[Reason]] = mapped_column(sa.JSON, default=list)

    need: Mapped[Need] = relationship()
