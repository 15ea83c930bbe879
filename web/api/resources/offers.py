"""Offers: mine to read and change; a coordinator reads the regency's (as the offer pages)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from titiktemu.exchange.commands import OfferInput, save_offer
from titiktemu.exchange.facilitator import Access, access_to, offer_regency
from titiktemu.extensions import db
from titiktemu.models import Offer, Person
from titiktemu.models.exchange import offer_kecamatan, offer_skills, offer_villages
from titiktemu.models.places import under
from web.api.auth import caller, regency_of_caller
from web.api.pagination import keep_visible, page_of
from web.api.problems import invalid
from web.api.registry import operation
from web.api.resources.exchange import change_status, find, outside, save, visible
from web.api.schemas.common import IdPath
from web.api.schemas.exchange import ExchangeQuery, OfferIn, OfferOut, OfferPage, Owner, StatusIn

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


def _candidates(viewer: Person, mine: bool) -> sa.ColumnElement[bool]:
    """Offers the caller may see, or a few more: the regency of an offer (its first place) is
    checked in Python by ``access_to``, as the pages check it."""
    return visible(viewer, mine, Offer.person_id == viewer.id, _reaching)


def _reaching(regency: str) -> sa.ColumnElement[bool]:
    """Offers with a place in ``regency``, or whose owner works there."""
    reaching = sa.union(
        sa.select(offer_villages.c.offer_id).where(under(offer_villages.c.village_code, regency)),
        sa.select(offer_kecamatan.c.offer_id).where(
            under(offer_kecamatan.c.kecamatan_code, regency)
        ),
    ).subquery()
    people_here = sa.select(Person.id).where(Person.regency_code == regency)
    return sa.or_(Offer.id.in_(sa.select(reaching.c[0])), Offer.person_id.in_(people_here))


def _save(body: OfferIn, offer: Offer | None) -> Offer:
    if outside([*body.village_codes, *body.kecamatan_codes], regency_of_caller()):
        raise invalid({"village_codes": "choose places in your regency"})
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
    return save(save_offer, data, offer, FIELDS)


@operation(
    "GET", "/offers", tag="Offers", summary="List offers", query=ExchangeQuery, response=OfferPage
)
def list_offers(query: ExchangeQuery) -> OfferPage:
    """My offers; a coordinator also sees every offer of the regency (`mine=true`: only mine).
    A page may hold fewer than `limit` items; follow `next_cursor` until it is null."""
    viewer = caller()
    select = sa.select(Offer).where(_candidates(viewer, query.mine))
    if query.status is not None:
        select = select.where(Offer.status == query.status)
    if query.kecamatan is not None:
        there = sa.union(
            sa.select(offer_villages.c.offer_id).where(
                under(offer_villages.c.village_code, query.kecamatan)
            ),
            sa.select(offer_kecamatan.c.offer_id).where(
                offer_kecamatan.c.kecamatan_code == query.kecamatan
            ),
        ).subquery()
        select = select.where(Offer.id.in_(sa.select(there.c[0])))
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
    visible = keep_visible(
        rows, lambda o: access_to(viewer, o.person_id, offer_regency(o)) != Access.NONE
    )
    return OfferPage(items=[offer_out(r, viewer) for r in visible], next_cursor=cursor)


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
