"""Who may see which rows, as SQL predicates: pages, the API and exports all ask here.

Each function takes the viewer and returns a ``WHERE`` clause, so a list, a count, a page of
the API and a download filter the same way. The rules:

- a global admin (an admin without a regency) sees everything;
- the people of a regency see its people, interventions, overlap flags and import runs (which
  pages list the last two is the role guards' business: coordinators and admins);
- a reviewer (a coordinator, or an admin of that regency) also sees the regency's needs, offers,
  proposals and gaps;
- everyone sees their own needs, offers, interventions, import runs, and the gaps of their needs
  and the live proposals they are part of.

One need or offer at a time, pages ask :func:`titiktemu.exchange.facilitator.access_to` (which
also says who may change it); the two agree, row for row (tests/test_visibility.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.models import (
    Gap,
    ImportRun,
    Intervention,
    Kecamatan,
    Need,
    Offer,
    OverlapFlag,
    Person,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Role,
)
from titiktemu.models.exchange import offer_kecamatan, offer_villages
from titiktemu.models.places import under

#: Proposals that no longer say anything to the people in them.
HIDDEN = (ProposalStatus.OBSOLETE,)


def sees_everything(viewer: Person) -> bool:
    """A global admin: an admin without a regency."""
    return viewer.role == Role.ADMIN and viewer.regency_code is None


def working_regency(session: Session, viewer: Person) -> str | None:
    """The regency the viewer works in: their own; for a global admin, until they choose, the
    regency most people work in, else the first with places loaded (on a one-regency instance,
    that one: Boyolali's admin of every regency sees Boyolali, not an empty Klaten). None when
    no regency is loaded at all."""
    if viewer.regency_code is not None:
        return viewer.regency_code
    busiest = session.scalar(
        sa.select(Person.regency_code)
        .where(Person.regency_code.is_not(None))
        .group_by(Person.regency_code)
        .order_by(sa.func.count().desc(), Person.regency_code)
        .limit(1)
    )
    if busiest is not None:
        return busiest
    return session.scalar(
        sa.select(Kecamatan.regency_code).order_by(Kecamatan.regency_code).limit(1)
    )


def reviewed_regency(viewer: Person) -> str | None:
    """The regency whose proposals, flags and imports the viewer reviews, if any."""
    if viewer.role in (Role.COORDINATOR, Role.ADMIN):
        return viewer.regency_code
    return None


# Where a row is: "which regency?" in SQL ---------------------------------------------------------


def needs_in(code: str) -> sa.ColumnElement[bool]:
    """Needs in a regency or a kecamatan (``code`` is either)."""
    return under(Need.kecamatan_code, code)


def offers_in(code: str) -> sa.ColumnElement[bool]:
    """Offers reaching a regency or a kecamatan, through one of their villages or kecamatan."""
    return sa.or_(
        Offer.id.in_(
            sa.select(offer_villages.c.offer_id).where(under(offer_villages.c.village_code, code))
        ),
        Offer.id.in_(
            sa.select(offer_kecamatan.c.offer_id).where(
                sa.or_(
                    offer_kecamatan.c.kecamatan_code == code,
                    under(offer_kecamatan.c.kecamatan_code, code),
                )
            )
        ),
    )


def offers_filed_in(regency_code: str) -> sa.ColumnElement[bool]:
    """Offers whose regency (:attr:`Offer.regency_code`: the first they reach, else their
    owner's) is this one: the regency whose reviewers may read them."""
    return Offer.regency_code == regency_code


def interventions_in(code: str) -> sa.ColumnElement[bool]:
    """Interventions in a regency or a kecamatan (``code`` is either)."""
    return under(Intervention.village_code, code)


def people_in(regency_code: str) -> sa.ColumnElement[bool]:
    """The people working in a regency."""
    return Person.regency_code == regency_code


# Who sees what -------------------------------------------------------------------------------


def needs(viewer: Person, *, mine: bool = False) -> sa.ColumnElement[bool]:
    """My needs; unless ``mine``, a reviewer's regency's too (a global admin: all)."""
    return _own_or_reviewed(viewer, mine, Need.person_id == viewer.id, needs_in)


def offers(viewer: Person, *, mine: bool = False) -> sa.ColumnElement[bool]:
    """My offers; unless ``mine``, those filed in a reviewer's regency (a global admin: all)."""
    return _own_or_reviewed(viewer, mine, Offer.person_id == viewer.id, offers_filed_in)


def interventions(viewer: Person, *, mine: bool = False) -> sa.ColumnElement[bool]:
    """Those I record; unless ``mine``, all of my regency's (a global admin: all)."""
    own = Intervention.facilitator_id == viewer.id
    if mine:
        return own
    if sees_everything(viewer):
        return sa.true()
    if viewer.regency_code is None:
        return own
    return sa.or_(interventions_in(viewer.regency_code), own)


def proposals_involving(person_id: int) -> sa.ColumnElement[bool]:
    """Proposals where the person owns the need or the offer, or is the person proposed."""
    return sa.and_(
        Proposal.kind.in_([ProposalKind.NEED_OFFER, ProposalKind.NEED_PERSON]),
        sa.or_(
            Proposal.need_id.in_(sa.select(Need.id).where(Need.person_id == person_id)),
            Proposal.offer_id.in_(sa.select(Offer.id).where(Offer.person_id == person_id)),
            Proposal.person_id == person_id,
        ),
    )


def proposals(viewer: Person) -> sa.ColumnElement[bool]:
    """A reviewer: every proposal of the regency (a global admin: all); the others: the live
    proposals they are part of."""
    if sees_everything(viewer):
        return sa.true()
    regency = reviewed_regency(viewer)
    if regency is not None:
        return Proposal.regency_code == regency
    return sa.and_(proposals_involving(viewer.id), Proposal.status.not_in(HIDDEN))


def flags(viewer: Person) -> sa.ColumnElement[bool]:
    """Overlap flags of my regency (a global admin: all)."""
    if sees_everything(viewer):
        return sa.true()
    if viewer.regency_code is None:
        return sa.false()
    return OverlapFlag.regency_code == viewer.regency_code


def gaps(viewer: Person) -> sa.ColumnElement[bool]:
    """The gaps of my needs; a reviewer's regency's too (a global admin: all)."""
    if sees_everything(viewer):
        return sa.true()
    own = Gap.need_id.in_(sa.select(Need.id).where(Need.person_id == viewer.id))
    regency = reviewed_regency(viewer)
    if regency is None:
        return own
    return sa.or_(own, Gap.regency_code == regency)


def people(viewer: Person) -> sa.ColumnElement[bool]:
    """The people of my regency (a global admin: everyone)."""
    if sees_everything(viewer):
        return sa.true()
    if viewer.regency_code is None:
        return sa.false()
    return people_in(viewer.regency_code)


def import_runs(viewer: Person) -> sa.ColumnElement[bool]:
    """My runs and those of the people of my regency (a global admin: every run).

    An admin of a regency sees that regency's, as for every other row: the page once showed
    every admin every run while the API did not.
    """
    if sees_everything(viewer):
        return sa.true()
    own = ImportRun.person_id == viewer.id
    if viewer.regency_code is None:
        return own
    here = sa.select(Person.id).where(people_in(viewer.regency_code))
    return sa.or_(own, ImportRun.person_id.in_(here))


def _own_or_reviewed(
    viewer: Person,
    mine: bool,
    own: sa.ColumnElement[bool],
    in_regency: Callable[[str], sa.ColumnElement[bool]],
) -> sa.ColumnElement[bool]:
    if mine:
        return own
    if sees_everything(viewer):
        return sa.true()
    regency = reviewed_regency(viewer)
    if regency is None:
        return own
    return sa.or_(own, in_regency(regency))


class _Decided(Protocol):
    @property
    def status(self) -> ProposalStatus: ...


def contact_visible(proposal: _Decided) -> bool:
    """The two sides of a proposal see each other's email, phone and WhatsApp only once a
    coordinator accepted the collaboration (its page, the introduction, the follow-ups)."""
    return proposal.status == ProposalStatus.ACCEPTED


def works_for(session: Session, person: Person, program_id: int) -> bool:
    """Whether ``person`` is one of ``program_id``'s people (the programs on their profile):
    who sees a beneficiary list's rows, who may write an obstacle's lesson."""
    from titiktemu.models.people import person_programs

    member = session.scalar(
        sa.select(sa.literal(True)).where(
            person_programs.c.person_id == person.id,
            person_programs.c.program_id == program_id,
        )
    )
    return bool(member)
