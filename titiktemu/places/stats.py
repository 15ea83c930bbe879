"""The counts on the home page, for one regency."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, cast

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
from titiktemu.models.places import code_param, under
from titiktemu.places.coverage import program_present_in


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
    """Counts for the regency; programs are those with people or interventions there. All ten
    in one statement: the home page is every signed-in person's first page, and ten round trips
    were half its time."""
    row = session.execute(_counts_statement(), {"regency": regency_code}).one()
    return RegencyCounts(**{name: int(value or 0) for name, value in row._mapping.items()})


@cache
def _counts_statement() -> sa.Select[Any]:
    """Built once per process, the regency given when it runs (its ten subqueries took longer
    to build than to run)."""
    regency = code_param("regency")
    people_here = sa.select(Person.id).where(Person.regency_code == regency)
    offers_here = (
        sa.select(sa.func.count())
        .select_from(Offer)
        .join(Person, Offer.person_id == Person.id)
        .where(Person.regency_code == regency, Offer.status == ExchangeStatus.OPEN)
    )
    proposals = (
        sa.select(sa.func.count()).select_from(Proposal).where(Proposal.regency_code == regency)
    )
    counts: dict[str, sa.Select[Any]] = {
        "kecamatan": sa.select(sa.func.count())
        .select_from(Kecamatan)
        .where(Kecamatan.regency_code == regency),
        "villages": sa.select(sa.func.count())
        .select_from(Village)
        .where(under(Village.code, regency)),
        "programs": sa.select(sa.func.count())
        .select_from(Program)
        .where(program_present_in(regency)),
        "people": sa.select(sa.func.count()).select_from(people_here.subquery()),
        "open_offers": offers_here,
        "open_needs": sa.select(sa.func.count())
        .select_from(Need)
        .where(under(Need.kecamatan_code, regency), Need.status == ExchangeStatus.OPEN),
        "proposals_awaiting": proposals.where(Proposal.status == ProposalStatus.PROPOSED),
        "proposals_accepted": proposals.where(Proposal.status == ProposalStatus.ACCEPTED),
        "open_flags": sa.select(sa.func.count())
        .select_from(OverlapFlag)
        .where(OverlapFlag.regency_code == regency, OverlapFlag.status == FlagStatus.OPEN),
        "interventions": sa.select(sa.func.count())
        .select_from(Intervention)
        .where(under(Intervention.village_code, regency)),
    }
    statement = sa.select(*(query.scalar_subquery().label(name) for name, query in counts.items()))
    return cast("sa.Select[Any]", statement)
