"""Every route with an id, against the owner, another facilitator and a foreign coordinator.

Another person's object answers 404 (its existence is not revealed); a page of the wrong role
answers 403. ``test_every_route_with_an_id_is_in_the_matrix`` fails when a new route with an id
is added without a line here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from titiktemu.extensions import db
from titiktemu.jobs import enqueue
from titiktemu.models import (
    ExchangeStatus,
    Intervention,
    JobRun,
    Need,
    Offer,
    OverlapFlag,
    Person,
    Program,
    Proposal,
    Regency,
    Role,
    Skill,
    Village,
)
from titiktemu.services.accounts import hash_password
from titiktemu.services.demo import seed_demo
from titiktemu.services.matching import rebuild_regency
from titiktemu.services.regions import load_regions, resolve_codes
from titiktemu.services.tokens import create_token

from .conftest import PASSWORD, csrf_token

KLATEN, SLEMAN = "33.10", "34.04"

#: Routes whose argument is a signed token, not an id: they are tested where they live.
TOKEN_ROUTES = {
    "auth.accept_invitation",
    "auth.reset",
    "unsubscribe.confirm",
    "unsubscribe.unsubscribe",
}


@dataclass
class World:
    owner: int  # facilitator A, owns everything below
    other: int  # facilitator B, same regency, involved in nothing
    coordinator: int  # coordinator of Klaten
    foreign: int  # coordinator of Sleman
    need: int
    offer: int
    intervention: int
    proposal: int
    flag: int
    job: int
    village: str
    program: int
    token: int  # an API token of the owner


@pytest.fixture
def world(app: Flask) -> World:
    with app.app_context():
        session = db.session()
        if session.get(Regency, SLEMAN) is None:
            load_regions(session, resolve_codes([SLEMAN]))
        seed_demo(session, KLATEN)
        rebuild_regency(session, KLATEN)
        proposal = session.scalars(
            sa.select(Proposal)
            .where(Proposal.rank == 1, Proposal.offer_id.is_not(None))
            .order_by(Proposal.id)
            .limit(1)
        ).one()
        assert proposal.need is not None
        owner = proposal.need.person
        owner.password_hash = hash_password(PASSWORD)
        offer = session.scalars(
            sa.select(Offer)
            .where(Offer.person_id != owner.id, Offer.id != proposal.offer_id)
            .order_by(Offer.id)
            .limit(1)
        ).one()
        offer.person_id = owner.id  # the owner also owns an offer
        flag = session.scalars(sa.select(OverlapFlag).order_by(OverlapFlag.id).limit(1)).one()
        intervention = flag.interventions[0]
        intervention.facilitator_id = owner.id
        involved = {
            proposal.need.person_id,
            proposal.person_id,
            proposal.offer.person_id if proposal.offer else None,
        }
        other = session.scalars(
            sa.select(Person)
            .where(
                Person.role == Role.FACILITATOR,
                Person.regency_code == KLATEN,
                Person.id.not_in([i for i in involved if i is not None] + [owner.id]),
            )
            .order_by(Person.id)
            .limit(1)
        ).one()
        other.password_hash = owner.password_hash
        foreign = Person(
            email="koordinator.sleman@example.org",
            name="Koordinator Sleman",
            role=Role.COORDINATOR,
            regency_code=SLEMAN,
            password_hash=owner.password_hash,
        )
        session.add(foreign)
        coordinator = session.get(Person, _login(session, "koordinator@example.org"))
        assert coordinator is not None
        coordinator.password_hash = owner.password_hash
        job = enqueue(session, "titiktemu.rebuild_regency", KLATEN, regency_code=KLATEN, send=False)
        token, _plain = create_token(session, owner, "matrix")
        session.commit()
        made = World(
            owner=owner.id,
            other=other.id,
            coordinator=_login(session, "koordinator@example.org"),
            foreign=foreign.id,
            need=proposal.need.id,
            offer=offer.id,
            intervention=intervention.id,
            proposal=proposal.id,
            flag=flag.id,
            job=job.id,
            village=intervention.village_code,
            program=intervention.program_id,
            token=token.id,
        )
    # Returned outside the app context: requests would share it (and its ``g``) otherwise.
    return made


def _login(session: sa.orm.Session, email: str) -> int:
    return session.scalars(sa.select(Person.id).where(Person.email == email)).one()


# endpoint -> (method, url of the owner's object, expected for owner, other facilitator, foreign
# coordinator). 403: the role may not use the page at all; 404: not yours / not your regency.
Row = tuple[str, Callable[[World], str], int, int, int]
MATRIX: dict[str, Row] = {
    "exchange.need": ("GET", lambda w: f"/needs/{w.need}", 200, 404, 404),
    "exchange.edit_need": ("GET", lambda w: f"/needs/{w.need}/edit", 200, 404, 404),
    "exchange.need_status": ("POST", lambda w: f"/needs/{w.need}/withdraw", 302, 404, 404),
    "exchange.offer": ("GET", lambda w: f"/offers/{w.offer}", 200, 404, 404),
    "exchange.edit_offer": ("GET", lambda w: f"/offers/{w.offer}/edit", 200, 404, 404),
    "exchange.offer_status": ("POST", lambda w: f"/offers/{w.offer}/withdraw", 302, 404, 404),
    "interventions.detail": ("GET", lambda w: f"/interventions/{w.intervention}", 200, 404, 404),
    "interventions.edit": ("GET", lambda w: f"/interventions/{w.intervention}/edit", 200, 404, 404),
    "matches.detail": ("GET", lambda w: f"/matches/{w.proposal}", 200, 404, 404),
    # Coordinators' pages: facilitators may not use them at all, a foreign coordinator sees 404.
    "review.detail": ("GET", lambda w: f"/review/{w.proposal}", 403, 403, 404),
    "review.decide_one": ("POST", lambda w: f"/review/{w.proposal}/decide", 403, 403, 404),
    "overlaps.detail": ("GET", lambda w: f"/overlaps/{w.flag}", 403, 403, 404),
    "overlaps.decide": ("POST", lambda w: f"/overlaps/{w.flag}/decide", 403, 403, 404),
    "profile.revoke": ("POST", lambda w: f"/profile/tokens/{w.token}/revoke", 302, 404, 404),
    "admin.job": ("GET", lambda w: f"/admin/jobs/{w.job}", 403, 403, 404),
    # The regency's shared pages: every facilitator of the regency, nobody from elsewhere.
    "places.village": ("GET", lambda w: f"/villages/{w.village}", 200, 200, 404),
    "places.person": ("GET", lambda w: f"/people/{w.owner}", 200, 200, 404),
    "places.program": ("GET", lambda w: f"/programs/{w.program}", 200, 200, 200),
    "places.graph": ("GET", lambda w: f"/graph/village/{w.village}", 200, 200, 404),
}


def _client(app: Flask, person_id: int) -> FlaskClient:
    with app.app_context():
        email = db.session.get(Person, person_id).email  # type: ignore[union-attr]
    client = app.test_client()
    token = csrf_token(client, "/login")
    answer = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302, f"{email} could not sign in"
    return client


def test_every_route_with_an_id_is_in_the_matrix(app: Flask) -> None:
    with_ids = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.arguments and rule.endpoint != "static"
    }
    missing = sorted(with_ids - set(MATRIX) - TOKEN_ROUTES)
    assert missing == [], f"routes with an id missing from the access matrix: {missing}"
    assert not (set(MATRIX) - with_ids), "the matrix names routes that no longer exist"


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_access_matrix(app: Flask, world: World, endpoint: str) -> None:
    method, url_of, *expected = MATRIX[endpoint]
    url = url_of(world)
    actors = (world.owner, world.other, world.foreign)
    # The owner goes last: a POST by the owner changes the object.
    order = (1, 2, 0)
    results: dict[int, int] = {}
    for index in order:
        client = _client(app, actors[index])
        if method == "GET":
            results[index] = client.get(url).status_code
        else:
            token = csrf_token(client, "/")
            results[index] = client.post(url, data={"csrf_token": token}).status_code
    got = [results[i] for i in range(3)]
    assert got == expected, f"{endpoint} {url}: owner/other/foreign got {got}, expected {expected}"


def test_the_coordinator_of_the_regency_sees_what_a_stranger_cannot(
    app: Flask, world: World
) -> None:
    client = _client(app, world.coordinator)
    for url in (
        f"/review/{world.proposal}",
        f"/overlaps/{world.flag}",
        f"/admin/jobs/{world.job}",
        f"/needs/{world.need}",
        f"/interventions/{world.intervention}",
    ):
        assert client.get(url).status_code == 200, url


def test_withdrawn_object_still_answers_404_to_others(app: Flask, world: World) -> None:
    with app.app_context():
        need = db.session.get(Need, world.need)
        assert need is not None
        need.status = ExchangeStatus.WITHDRAWN
        db.session.commit()
    assert _client(app, world.other).get(f"/needs/{world.need}").status_code == 404


def test_the_fixture_objects_exist(app: Flask, world: World) -> None:
    """Guard against a matrix that passes because the objects were never made."""
    with app.app_context():
        for model, ident in (
            (Need, world.need),
            (Offer, world.offer),
            (Intervention, world.intervention),
            (Proposal, world.proposal),
            (OverlapFlag, world.flag),
            (JobRun, world.job),
            (Program, world.program),
            (Village, world.village),
        ):
            assert db.session.get(model, ident) is not None, model
        assert db.session.scalars(sa.select(Skill).limit(1)).first() is not None
