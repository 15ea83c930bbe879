"""Proposals: suggested collaborations, and the coordinators' decisions on them."""

from __future__ import annotations

from pydantic import Field

from titiktemu.models import ProposalKind, ProposalStatus
from web.api.pagination import PageQuery
from web.api.schemas.common import Id, In, KecamatanCode, Note, Out, Reason, Ref, Timestamp


class Contact(Out):
    """How to reach the other side of an accepted proposal."""

    id: int
    name: str
    email: str
    phone: str


class ProposalOut(Out):
    id: int
    kind: ProposalKind
    rank: int | None = Field(description="1 = the primary of the assignment, 2-3 = alternatives")
    score: float
    status: ProposalStatus
    regency_code: str
    sides: list[Ref] = Field(
        description="The need first, then the offer or person; or two programs"
    )
    village_codes: list[str]
    reasons: list[Reason]
    reviewer_id: int | None
    decided_at: Timestamp | None
    decision_note: str
    contact: Contact | None = Field(
        description="The other side, to the people of an accepted proposal (as the match page)"
    )
    created_at: Timestamp


class ProposalPage(Out):
    items: list[ProposalOut]
    next_cursor: str | None


class ProposalQuery(PageQuery):
    status: ProposalStatus | None = None
    kind: ProposalKind | None = None
    kecamatan: KecamatanCode | None = None
    program: Id | None = None
    min_score: float = Field(0.0, ge=0, le=1, allow_inf_nan=False)


class DecisionIn(In):
    note: Note = ""


class DeclineIn(In):
    reason: Note = Field(min_length=1, description="Why: the page asks for it too")
