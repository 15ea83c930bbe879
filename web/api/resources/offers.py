"""Offers: mine to read and change; a coordinator reads the regency's (as the offer pages)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from titiktemu import visibility
from titiktemu.exchange.commands import OfferInput, save_offer
from titiktemu.exchange.facilitator import Access
from titiktemu.extensions import db
from titiktemu.models import Offer, Person
from titiktemu.models.exchange import offer_skills
from web.api.auth import caller, regency_of_caller
from web.api.pagination import page_of
from web.api.resources.exchange import change_status, find, save
from web.api.schemas.common import IdPath
from web.api.schemas.exchange import ExchangeQuery, OfferIn, OfferOut, OfferPage, Owner, StatusIn
from web.api.spec import operation

FIELDS = {"villages": "village_codes"}


def offer_out(row: Offer, viewer: Person) -> OfferOut:
    return OfferOut(
        id=row.id,
        title=row.title,
        description=row.description,
        status=row.status,
        person=Owner(id=row.person.id, name=row.person.name),
        village_codes=[v.code for v in row.villages],
        kecamatan_codes=[k.code for k in row.kecamatan],
        available_from=row.available_from,
        available_until=row.available_until,
        capacity=row.capacity,
        skills=[s.code for s in row.skills],
        can_edit=row.person_id == viewer.id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _save(body: OfferIn, offer: Offer | None) -> Offer:
    data = OfferInput(
        title=body.title,
        skills=body.skills,
        village_codes=body.village_codes,
        kecamatan_codes=body.kecamatan_codes,
        available_from=body.available_from,
        available_until=body.available_until,
        capacity=body.capacity,
        description=body.description,
    )
    regency = regency_of_caller()
    return save(lambda: save_offer(db.session(), caller(), data, offer, regency=regency), FIELDS)


@operation(
    "GET", "/offers", tag="Offers", summary="List offers", query=ExchangeQuery, response=OfferPage
)
def list_offers(query: ExchangeQuery) -> OfferPage:
    """My offers; a coordinator also sees every offer of the regency (`mine=true`: only mine).
    A page may hold fewer than `limit` items; follow `next_cursor` until it is null."""
    viewer = caller()
    select = sa.select(Offer).where(visibility.offers(viewer, mine=query.mine))
    if query.status is not None:
        select = select.where(Offer.status == query.status)
    if query.kecamatan is not None:
        select = select.where(visibility.offers_in(query.kecamatan))
    if query.skill is not None:
        with_skill = sa.select(offer_skills.c.offer_id).where(
            offer_skills.c.skill_code == query.skill
        )
        select = select.where(Offer.id.in_(with_skill))
    select = select.options(
        selectinload(Offer.skills),
        selectinload(Offer.person),
        selectinload(Offer.villages),
        selectinload(Offer.kecamatan),
    )
    rows, cursor = page_of(db.session(), select, Offer.id, query)
    return OfferPage(items=[offer_out(r, viewer) for r in rows], next_cursor=cursor)


@operation(
    "POST",
    "/offers",
    tag="Offers",
    summary="Make an offer",
    body=OfferIn,
    response=OfferOut,
    status=201,
    idempotent=True,
)
def create_offer(body: OfferIn) -> OfferOut:
    """A new offer of mine, in villages or whole kecamatan of my regency; matching follows."""
    return offer_out(_save(body, None), caller())


@operation(
    "GET",
    "/offers/{id}",
    tag="Offers",
    summary="One offer",
    path_params=IdPath,
    response=OfferOut,
    errors=(404,),
)
def get_offer(id: int) -> OfferOut:
    """Mine, or (for a coordinator) one of the regency's."""
    return offer_out(find(Offer, id, Access.READ), caller())


@operation(
    "PUT",
    "/offers/{id}",
    tag="Offers",
    summary="Change an offer",
    path_params=IdPath,
    body=OfferIn,
    response=OfferOut,
    errors=(403, 404),
)
def update_offer(id: int, body: OfferIn) -> OfferOut:
    """Only the owner changes an offer (a coordinator reads: 403); matching runs again."""
    return offer_out(_save(body, find(Offer, id, Access.EDIT)), caller())


@operation(
    "POST",
    "/offers/{id}/status",
    tag="Offers",
    summary="Withdraw, fulfil or reopen an offer",
    path_params=IdPath,
    body=StatusIn,
    response=OfferOut,
    errors=(403, 404, 409),
)
def offer_status(id: int, body: StatusIn) -> OfferOut:
    """As the offer page allows; 409 when the status does not allow it."""
    offer = find(Offer, id, Access.EDIT)
    change_status(caller(), offer, body.action)
    return offer_out(offer, caller())
