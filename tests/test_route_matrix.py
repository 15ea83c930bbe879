"""Every route with an id, against the owner, another facilitator and a foreign coordinator.

Another person's object answers 404 (its existence is not revealed); a page of the wrong role
answers 403. ``test_every_route_with_an_id_is_in_the_matrix`` fails when a new route with an id
is added without a line here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from titiktemu.accounts.signin import hash_password
from titiktemu.accounts.tokens import create_token
from titiktemu.app import settings_of
from titiktemu.beneficiaries.commands import upload_list
from titiktemu.extensions import db
from titiktemu.forum.commands import MeetingInput, add_item, schedule_meeting
from titiktemu.jobs import enqueue
from titiktemu.jobs.names import TaskName
from titiktemu.models import (
    ExchangeStatus,
    ImportRun,
    ImportStatus,
    Intervention,
    JobRun,
    Need,
    Offer,
    OverlapFlag,
    Person,
    Program,
    Proposal,
    RegencySynonym,
    Role,
    Skill,
    SynonymKind,
    Village,
)
from titiktemu.obstacles.commands import ObstacleInput, record_obstacle

from .api_support import KLATEN, seed_with_foreign
from .conftest import PASSWORD, csrf_token

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
    import_run: int  # an import checked by the Klaten coordinator
    synonym: int  # a synonym of Klaten, kept by its coordinator
    beneficiaries: int  # a beneficiary list of the owner's program
    obstacle: int  # an obstacle the owner recorded on the intervention
    meeting: int  # a forum meeting the owner is invited to
    item: int  # its agenda item the owner follows up


@pytest.fixture
def world(app: Flask) -> World:
    with app.app_context():
        session = db.session()
        password = hash_password(PASSWORD)
        foreign = seed_with_foreign(session, password)
        proposal = session.scalars(
            sa.select(Proposal)
            .where(Proposal.rank == 1, Proposal.offer_id.is_not(None))
            .order_by(Proposal.id)
            .limit(1)
        ).one()
        assert proposal.need is not None
        owner = proposal.need.person
        owner.password_hash = password
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
        other.password_hash = password
        coordinator = session.get(Person, _login(session, "koordinator@example.org"))
        assert coordinator is not None
        coordinator.password_hash = password
        job = enqueue(session, TaskName.REBUILD_REGENCY, KLATEN, regency_code=KLATEN, send=False)
        token, _plain = create_token(session, owner, "matrix")
        run = ImportRun(person_id=coordinator.id, status=ImportStatus.CHECKED, dry_run=True)
        session.add(run)
        synonym = RegencySynonym(
            regency_code=KLATEN,
            kind=SynonymKind.SKILL,
            phrase="juru buku",
            key="jurubuku",
            code="bookkeeping",
            created_by=coordinator.id,
        )
        session.add(synonym)
        program = session.get(Program, intervention.program_id)
        assert program is not None
        owner.programs = (
            [*owner.programs, program] if program not in owner.programs else owner.programs
        )
        listed = upload_list(
            session,
            settings_of(app),
            owner,
            regency=KLATEN,
            program=program,
            year=2021,
            legal_basis="public_task",
            purpose="Verifikasi calon penerima",
            file_name="daftar.csv",
            data=b"No;NIK;Nama;Tgl Lahir;L/P;Desa;Kecamatan\n1;;Sri Wahyuni;05-03-1975;P;Sidowarno;Wonosari\n",
        )
        assert listed.list_id is not None
        obstacle = record_obstacle(
            session,
            owner,
            ObstacleInput(
                kind="community_refusal",
                description="Warga menolak desain rumah standar.",
                intervention_id=intervention.id,
            ),
            regency=KLATEN,
            today=dt.date.today(),
        )
        meeting = schedule_meeting(
            session,
            settings_of(app),
            coordinator,
            MeetingInput(
                title="Forum Desember",
                starts_at=dt.datetime(2026, 12, 18, 2),
                ends_at=dt.datetime(2026, 12, 18, 5),
                place="Aula Bappeda",
                person_ids=(owner.id,),
            ),
            regency=KLATEN,
        )
        item = add_item(session, coordinator, meeting.id, "Rencana sarasehan")
        item.follow_up_by, item.follow_up_due = owner.id, dt.date(2027, 1, 15)
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
            import_run=run.id,
            synonym=synonym.id,
            beneficiaries=listed.list_id,
            obstacle=obstacle.id,
            meeting=meeting.id,
            item=item.id,
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
    # Downloads (the argument is the format): a foreign coordinator gets their own regency's
    # rows, never Klaten's; a program's IATI is a 404 where it has no interventions.
    "exports.interventions": ("GET", lambda w: "/exports/interventions.csv", 200, 200, 200),
    "exports.proposals": ("GET", lambda w: "/exports/proposals.xlsx", 403, 403, 200),
    "exports.overlaps": ("GET", lambda w: "/exports/overlaps.csv", 403, 403, 200),
    "exports.gaps": ("GET", lambda w: "/exports/gaps.csv", 403, 403, 200),
    "exports.import_format": ("GET", lambda w: "/exports/people.csv", 403, 403, 200),
    "exports.iati_xml": ("GET", lambda w: f"/programs/{w.program}/iati.xml", 200, 200, 404),
    # Imports are the coordinators': facilitators may not use them, a stranger sees 404.
    "imports.detail": ("GET", lambda w: f"/imports/{w.import_run}", 403, 403, 404),
    "imports.apply": ("POST", lambda w: f"/imports/{w.import_run}/apply", 403, 403, 404),
    "imports.template": ("GET", lambda w: "/imports/templates/needs.csv", 403, 403, 200),
    # Keeping a reading as a synonym and removing one: coordinators of the regency only.
    "imports.keep_synonym": ("POST", lambda w: f"/imports/{w.import_run}/synonyms", 403, 403, 404),
    "synonyms.remove": ("POST", lambda w: f"/synonyms/{w.synonym}/remove", 403, 403, 404),
    # A beneficiary list: its program's people only; a facilitator of another program and a
    # coordinator of another regency do not learn it exists.
    # A meeting: its coordinators and invitees (the owner) read it; only coordinators run it.
    "forum.meeting": ("GET", lambda w: f"/forum/{w.meeting}", 200, 404, 404),
    "forum.printable": ("GET", lambda w: f"/forum/{w.meeting}/print", 200, 404, 404),
    "forum.calendar": ("GET", lambda w: f"/forum/{w.meeting}.ics", 200, 404, 404),
    "forum.add": ("POST", lambda w: f"/forum/{w.meeting}/items", 403, 404, 404),
    "forum.move": ("POST", lambda w: f"/forum/{w.meeting}/items/{w.item}/move", 403, 404, 404),
    "forum.minutes": (
        "POST",
        lambda w: f"/forum/{w.meeting}/items/{w.item}/minutes",
        403,
        404,
        404,
    ),
    "forum.follow_up_done": ("POST", lambda w: f"/forum/follow-ups/{w.item}/done", 302, 404, 404),
    # Obstacles are the regency's shared memory: its people read them; strangers do not.
    "obstacles.detail": ("GET", lambda w: f"/obstacles/{w.obstacle}", 200, 200, 404),
    # The public prospectus: off by default, so nobody finds Klaten's (tests/test_prospectus.py).
    "prospectus.public": ("GET", lambda w: f"/prospectus/{KLATEN}", 404, 404, 404),
    "beneficiaries.rows": ("GET", lambda w: f"/beneficiaries/{w.beneficiaries}", 200, 404, 404),
    "beneficiaries.delete": (
        "POST",
        lambda w: f"/beneficiaries/{w.beneficiaries}/delete",
        302,
        404,
        404,
    ),
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
    missing = sorted(with_ids - set(MATRIX) - set(API_MATRIX) - TOKEN_ROUTES)
    assert missing == [], f"routes with an id missing from the access matrix: {missing}"
    assert not (set(MATRIX) - with_ids), "the matrix names routes that no longer exist"
    assert not (set(API_MATRIX) - with_ids), "the API matrix names routes that no longer exist"


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
        f"/imports/{world.import_run}",
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


# --- The API, with bearer tokens -----------------------------------------------------------------


@dataclass
class ApiWorld(World):
    need_body: dict[str, object]
    offer_body: dict[str, object]
    intervention_body: dict[str, object]


#: endpoint -> (method, url, JSON body, expected for owner, other facilitator, foreign coordinator).
ApiRow = tuple[
    str, Callable[[ApiWorld], str], Callable[[ApiWorld], dict[str, object]] | None, int, int, int
]
STATUS: dict[str, object] = {"action": "withdraw"}
API_MATRIX: dict[str, ApiRow] = {
    "api.get_need": ("GET", lambda w: f"/api/v1/needs/{w.need}", None, 200, 404, 404),
    "api.update_need": (
        "PUT",
        lambda w: f"/api/v1/needs/{w.need}",
        lambda w: w.need_body,
        200,
        404,
        404,
    ),
    "api.need_status": (
        "POST",
        lambda w: f"/api/v1/needs/{w.need}/status",
        lambda w: STATUS,
        200,
        404,
        404,
    ),
    "api.get_offer": ("GET", lambda w: f"/api/v1/offers/{w.offer}", None, 200, 404, 404),
    "api.update_offer": (
        "PUT",
        lambda w: f"/api/v1/offers/{w.offer}",
        lambda w: w.offer_body,
        200,
        404,
        404,
    ),
    "api.offer_status": (
        "POST",
        lambda w: f"/api/v1/offers/{w.offer}/status",
        lambda w: STATUS,
        200,
        404,
        404,
    ),
    # The regency's 3W is for everyone of the regency (as the village and program pages list
    # it); only who recorded it changes it.
    "api.get_intervention": (
        "GET",
        lambda w: f"/api/v1/interventions/{w.intervention}",
        None,
        200,
        200,
        404,
    ),
    "api.update_intervention": (
        "PUT",
        lambda w: f"/api/v1/interventions/{w.intervention}",
        lambda w: w.intervention_body,
        200,
        403,
        404,
    ),
    "api.get_proposal": ("GET", lambda w: f"/api/v1/proposals/{w.proposal}", None, 200, 404, 404),
    # Decisions and flags are the coordinators' (403 for facilitators), of their regency (404).
    "api.accept_proposal": (
        "POST",
        lambda w: f"/api/v1/proposals/{w.proposal}/accept",
        lambda w: {},
        403,
        403,
        404,
    ),
    "api.decline_proposal": (
        "POST",
        lambda w: f"/api/v1/proposals/{w.proposal}/decline",
        lambda w: {"reason": "x"},
        403,
        403,
        404,
    ),
    "api.convene_proposal": (
        "POST",
        lambda w: f"/api/v1/proposals/{w.proposal}/convene",
        lambda w: {},
        403,
        403,
        404,
    ),
    "api.get_flag": ("GET", lambda w: f"/api/v1/overlap-flags/{w.flag}", None, 403, 403, 404),
    "api.get_import": ("GET", lambda w: f"/api/v1/imports/{w.import_run}", None, 403, 403, 404),
    "api.get_person": ("GET", lambda w: f"/api/v1/people/{w.owner}", None, 200, 200, 404),
    "api.get_program": ("GET", lambda w: f"/api/v1/programs/{w.program}", None, 200, 200, 200),
    "api.get_region": ("GET", lambda w: f"/api/v1/regions/{w.village}", None, 200, 200, 200),
}


@pytest.fixture
def api_world(app: Flask, world: World) -> ApiWorld:
    """The world, plus bodies that re-save objects."""
    with app.app_context():
        need = db.session.get(Need, world.need)
        offer = db.session.get(Offer, world.offer)
        item = db.session.get(Intervention, world.intervention)
        assert need is not None and offer is not None and item is not None
        need_body: dict[str, object] = {
            "title": need.title,
            "skills": [s.code for s in need.skills],
            "village_code": need.village_code,
            "kecamatan_code": need.kecamatan_code,
        }
        offer_body: dict[str, object] = {
            "title": offer.title,
            "skills": [s.code for s in offer.skills],
            "village_codes": [v.code for v in offer.villages],
            "kecamatan_codes": [k.code for k in offer.kecamatan],
            "capacity": offer.capacity,
        }
        intervention_body: dict[str, object] = {
            "program_id": item.program_id,
            "village_code": item.village_code,
            "category_code": item.category_code,
            "title": item.title,
            "start_date": item.start_date.isoformat(),
            "end_date": item.end_date.isoformat(),
        }
        return ApiWorld(
            **world.__dict__,
            need_body=need_body,
            offer_body=offer_body,
            intervention_body=intervention_body,
        )


def _bearer(app: Flask, person_id: int) -> dict[str, str]:
    with app.app_context():
        person = db.session.get(Person, person_id)
        assert person is not None
        _row, plain = create_token(db.session(), person, "matrix")
        db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


@pytest.mark.parametrize("endpoint", sorted(API_MATRIX))
def test_api_access_matrix(app: Flask, api_world: ApiWorld, endpoint: str) -> None:
    method, url_of, body_of, *expected = API_MATRIX[endpoint]
    url = url_of(api_world)
    actors = (api_world.owner, api_world.other, api_world.foreign)
    results: dict[int, int] = {}
    client = app.test_client()
    for index in (1, 2, 0):  # the owner last: their write changes the object
        headers = _bearer(app, actors[index])
        body = body_of(api_world) if body_of else None
        answer = client.open(url, method=method, headers=headers, json=body)
        results[index] = answer.status_code
        if answer.status_code >= 400:
            assert answer.mimetype == "application/problem+json"
    got = [results[i] for i in range(3)]
    assert got == expected, f"{endpoint} {url}: owner/other/foreign got {got}, expected {expected}"


def test_the_api_shows_the_coordinator_their_regency(app: Flask, api_world: ApiWorld) -> None:
    client = app.test_client()
    headers = _bearer(app, api_world.coordinator)
    for endpoint, (method, url_of, _body, *_expected) in API_MATRIX.items():
        if method == "GET":
            assert client.get(url_of(api_world), headers=headers).status_code == 200, endpoint
