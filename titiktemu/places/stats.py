"""The counts on the home page, for one regency."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.models import (
    ExchangeStatus,
    FlagStatus,
    Intervention,
    Kecamatan,
    Need,
    Offer,
    OverlapFlag,
    Person,
    Program,
    Proposal,
    ProposalStatus,
    Village,
)
from titiktemu.models.people import person_programs
from titiktemu.models.places import under


@dataclass(frozen=True)
class RegencyCounts:
    kecamatan: int
    villages: int
    programs: int
    people: int
    open_offers: int
    open_needs: int
    proposals_awaiting: int
    proposals_accepted: int
    open_flags: int
    interventions: int


def regency_counts(session: Session, regency_code: str) -> RegencyCounts:
    """Counts for the regency; programs are those with people or interventions there."""

    def count(query: sa.Select[int]) -> int:
        return session.scalar(query) or 0

    people_here = sa.select(Person.id).where(Person.regency_code == regency_code)
    programs_here = sa.union(
        sa.select(person_programs.c.program_id).where(person_programs.c.person_id.in_(people_here)),
        sa.select(Intervention.program_id).where(under(Intervention.village_code, regency_code)),
    ).subquery()
    offers_here = (
        sa.select(sa.func.count())
        .select_from(Offer)
        .join(Person, Offer.person_id == Person.id)
        .where(Person.regency_code == regency_code, Offer.status == ExchangeStatus.OPEN)
    )
    proposals = (
        sa.select(sa.func.count())
        .select_from(Proposal)
        .where(Proposal.regency_code == regency_code)
    )
    return RegencyCounts(
        kecamatan=count(
            sa.select(sa.func.count())
            .select_from(Kecamatan)
            .where(Kecamatan.regency_code == regency_code)
        ),
        villages=count(
            sa.select(sa.func.count()).select_from(Village).where(under(Village.code, regency_code))
        ),
        programs=count(
            sa.select(sa.func.count())
            .select_from(Program)
            .where(Program.id.in_(sa.select(programs_here.c[0])))
        ),
        people=count(sa.select(sa.func.count()).select_from(people_here.subquery())),
        open_offers=count(offers_here),
        open_needs=count(
            sa.select(sa.func.count())
            .select_from(Need)
            .where(under(Need.kecamatan_code, regency_code), Need.status == ExchangeStatus.OPEN)
        ),
        proposals_awaiting=count(proposals.where(Proposal.status == ProposalStatus.PROPOSED)),
        proposals_accepted=count(proposals.where(Proposal.status == ProposalStatus.ACCEPTED)),
        open_flags=count(
            sa.select(sa.func.count())
            .select_from(OverlapFlag)
            .where(OverlapFlag.regency_code == regency_code, OverlapFlag.status == FlagStatus.OPEN)
        ),
        interventions=count(
            sa.select(sa.func.count())
            .select_from(Intervention)
            .where(under(Intervention.village_code, regency_code))
        ),
    )
