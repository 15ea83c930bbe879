"""One answer to "who sees which rows" (``titiktemu.visibility``) and to "which regency?".

Klaten's demo, matched, next to a few rows of its neighbour Sukoharjo (33.11): a need, an
offer, an intervention, an overlap flag, a gap, a proposal, a person and an import run. The pages,
the API and the exports must agree, and none of them may show Klaten's coordinator Sukoharjo.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from titiktemu import visibility
from titiktemu.accounts.signin import hash_password
from titiktemu.exchange.facilitator import Access, access_to
from titiktemu.exports.tables import flags_table, gaps_table, interventions_table, proposals_table
from titiktemu.extensions import db
from titiktemu.models import (
    ExchangeStatus,
    Gap,
    ImportRun,
    ImportStatus,
    Intervention,
    Kecamatan,
    Need,
    Offer,
    OverlapFlag,
    Person,
    Program,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Regency,
    Role,
    Village,
)
from titiktemu.models.programs import FundingSource
from titiktemu.places.regions import load_regions, resolve_codes

from .api_support import KLATEN, bearer, seed_with_foreign
from .conftest import PASSWORD

SUKOHARJO = "33.11"
API = "/api/v1"


@dataclass
class Neighbours:
    """Klaten's coordinator and admin, a global admin, and the ids of Sukoharjo's rows."""

    coordinator: int  # of Klaten
    klaten_admin: int
    global_admin: int
    need: int
    offer: int
    intervention: int
    flag: int
    gap: int
    proposal: int
    person: int  # Sukoharjo's coordinator
    run: int  # an import run by Sukoharjo's coordinator
    klaten_run: int  # an import run by Klaten's coordinator


def _person(session: Session, email: str, role: Role, regency: str | None) -> Person:
    person = Person(
        email=email,
        name=email.split("@")[0],
        role=role,
        regency_code=regency,
        password_hash=hash_password(PASSWORD),
    )
    session.add(person)
    return person


def _first(session: Session, model: Any, column: Any, regency: str) -> Any:
    return session.scalars(
        sa.select(model).where(column >= regency + ".", column < regency + "/").order_by(column)
    ).first()


@pytest.fixture
def neighbours(app: Flask) -> Neighbours:
    with app.app_context():
        session = db.session()
        if session.get(Regency, SUKOHARJO) is None:
            load_regions(session, resolve_codes([SUKOHARJO]))
        seed_with_foreign(session)
        coordinator = session.scalars(
            sa.select(Person).where(Person.role == Role.COORDINATOR, Person.regency_code == KLATEN)
        ).first()
        assert coordinator is not None
        coordinator.password_hash = hash_password(PASSWORD)
        klaten_admin = _person(session, "admin.klaten@example.org", Role.ADMIN, KLATEN)
        global_admin = _person(session, "admin@example.org", Role.ADMIN, None)
        theirs = _person(session, "koordinator.sukoharjo@example.org", Role.COORDINATOR, SUKOHARJO)
        village = _first(session, Village, Village.code, SUKOHARJO)
        kecamatan = _first(session, Kecamatan, Kecamatan.code, SUKOHARJO)
        session.flush()
        need = Need(
            person_id=theirs.id,
            title="Juru buku BUMDes",
            kecamatan_code=village.kecamatan_code,
            village_code=village.code,
            status=ExchangeStatus.OPEN,
        )
        offer = Offer(person_id=theirs.id, title="Pelatihan pembukuan", kecamatan=[kecamatan])
        # A facilitator of Sukoharjo offers across the border (filed under Klaten, the first
        # regency reached), and offers with no place yet (filed under Sukoharjo, where they work).
        helper = _person(session, "fasilitator.sukoharjo@example.org", Role.FACILITATOR, SUKOHARJO)
        across = Offer(
            person=helper,
            title="Pendampingan lintas kabupaten",
            kecamatan=[kecamatan],
            villages=[_first(session, Village, Village.code, KLATEN)],
        )
        session.add_all([across, Offer(person=helper, title="Belum ada tempat")])
        program = Program(
            code="SKH-RTLH",
            name="RTLH Sukoharjo",
            agency="Dinas Perkim Sukoharjo",
            funding_source=FundingSource.APBD,
        )
        session.add_all([need, offer, program])
        session.flush()
        start = dt.date(2026, 3, 1)
        intervention = Intervention(
            program_id=program.id,
            village_code=village.code,
            category_code=session.scalars(sa.select(Intervention.category_code)).first(),
            title="Bedah rumah Sukoharjo (uji)",
            start_date=start,
            end_date=start + dt.timedelta(days=90),
            budget_year=2026,
            facilitator_id=theirs.id,
        )
        session.add(intervention)
        session.flush()
        flag = OverlapFlag(
            key=f"{intervention.id}",
            regency_code=SUKOHARJO,
            village_code=village.code,
            severity=0.9,
            interventions=[intervention],
        )
        gap = Gap(need_id=need.id, regency_code=SUKOHARJO)
        proposal = Proposal(
            key=f"need_offer:{need.id}:{offer.id}",
            kind=ProposalKind.NEED_OFFER,
            regency_code=SUKOHARJO,
            need_id=need.id,
            offer_id=offer.id,
            score=0.8,
            rank=1,
            status=ProposalStatus.PROPOSED,
        )
        run = ImportRun(person_id=theirs.id, status=ImportStatus.CHECKED, dry_run=True)
        klaten_run = ImportRun(person_id=coordinator.id, status=ImportStatus.CHECKED, dry_run=True)
        session.add_all([flag, gap, proposal, run, klaten_run])
        session.commit()
        return Neighbours(
            coordinator=coordinator.id,
            klaten_admin=klaten_admin.id,
            global_admin=global_admin.id,
            need=need.id,
            offer=offer.id,
            intervention=intervention.id,
            flag=flag.id,
            gap=gap.id,
            proposal=proposal.id,
            person=theirs.id,
            run=run.id,
            klaten_run=klaten_run.id,
        )


def _api_ids(client: FlaskClient, headers: dict[str, str], path: str) -> set[int]:
    """Every id a list of the API gives, following its cursor."""
    ids: set[int] = set()
    url = f"{API}{path}?limit=200"
    while True:
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200, (path, answer.get_data(as_text=True)[:300])
        body = answer.get_json()
        ids |= {int(item["id"]) for item in body["items"]}
        if not body["next_cursor"]:
            return ids
        url = f"{API}{path}?limit=200&cursor={body['next_cursor']}"


def _sign_in(client: FlaskClient, app: Flask, person_id: int) -> None:
    with app.app_context():
        person = db.session.get(Person, person_id)
        assert person is not None
        email = person.email
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    answer = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]


def _page_run_ids(client: FlaskClient, run_ids: list[int]) -> set[int]:
    """The runs the import pages show: listed on /imports and opened by their own page."""
    listed = client.get("/imports").get_data(as_text=True)
    opened = {i for i in run_ids if client.get(f"/imports/{i}").status_code == 200}
    assert opened == {i for i in run_ids if f'/imports/{i}"' in listed}
    return opened


@pytest.mark.parametrize("who", ["global_admin", "klaten_admin", "coordinator"])
def test_the_import_page_and_the_api_show_the_same_runs(
    app: Flask, client: FlaskClient, neighbours: Neighbours, who: str
) -> None:
    """An admin without a regency sees every run; an admin or coordinator of Klaten sees
    Klaten's, never Sukoharjo's, on the page as in the API (the page once showed every admin
    everything)."""
    viewer = getattr(neighbours, who)
    runs = [neighbours.run, neighbours.klaten_run]
    api = _api_ids(client, bearer(app, viewer), "/imports")
    _sign_in(client, app, viewer)
    page = _page_run_ids(client, runs)
    expected = set(runs) if who == "global_admin" else {neighbours.klaten_run}
    assert page == api & set(runs) == expected


def test_klaten_coordinator_never_sees_sukoharjo(
    app: Flask, client: FlaskClient, neighbours: Neighbours
) -> None:
    """Through the API lists and items, the pages and the exports: none of Sukoharjo's rows."""
    n = neighbours
    headers = bearer(app, n.coordinator)
    theirs = {
        "/needs": n.need,
        "/offers": n.offer,
        "/interventions": n.intervention,
        "/overlap-flags": n.flag,
        "/proposals": n.proposal,
        "/people": n.person,
        "/imports": n.run,
    }
    for path, row in theirs.items():
        listed = _api_ids(client, headers, path)
        assert listed and row not in listed, path
        assert client.get(f"{API}{path}/{row}", headers=headers).status_code == 404, path
    gaps = client.get(f"{API}/gaps?limit=200", headers=headers).get_json()
    assert gaps["items"] and n.need not in {g["need"]["id"] for g in gaps["items"]}

    _sign_in(client, app, n.coordinator)
    for path in (f"/needs/{n.need}", f"/offers/{n.offer}", f"/interventions/{n.intervention}"):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/imports/{n.run}").status_code == 404
    download = client.get(f"/exports/interventions.csv?regency={SUKOHARJO}")
    assert download.status_code == 200 and "Bedah rumah Sukoharjo" not in download.get_data(
        as_text=True
    )

    with app.app_context():
        session = db.session()
        coordinator = session.get(Person, n.coordinator)
        assert coordinator is not None
        # Asked outright for Sukoharjo, the tables still hold nothing of it.
        assert interventions_table(session, coordinator, SUKOHARJO).rows == []
        assert flags_table(session, coordinator, SUKOHARJO).rows == []
        assert gaps_table(session, coordinator, SUKOHARJO).rows == []
        assert proposals_table(session, coordinator, SUKOHARJO).rows == []
        # ... while Sukoharjo's own coordinator does get them: the filter is the viewer's.
        theirs_person = session.get(Person, n.person)
        assert theirs_person is not None
        assert len(interventions_table(session, theirs_person, SUKOHARJO).rows) == 1
        assert len(flags_table(session, theirs_person, SUKOHARJO).rows) == 1
        assert len(gaps_table(session, theirs_person, SUKOHARJO).rows) == 1
        assert len(proposals_table(session, theirs_person, SUKOHARJO).rows) == 1


@pytest.mark.parametrize("model", [Need, Offer])
def test_the_predicates_agree_with_access_to(
    app: Flask, neighbours: Neighbours, model: Any
) -> None:
    """A need or offer passes the list's predicate exactly when its page would open for the
    viewer: one rule, asked in SQL for lists and in Python for one row."""
    predicate = visibility.needs if model is Need else visibility.offers
    with app.app_context():
        session = db.session()
        rows = session.scalars(sa.select(model)).all()
        viewers = session.scalars(sa.select(Person)).all()
        assert len(viewers) > 5 and len(rows) > 5
        for viewer in viewers:
            listed = set(session.scalars(sa.select(model.id).where(predicate(viewer))))
            opened = {
                r.id for r in rows if access_to(viewer, r.person_id, r.regency_code) != Access.NONE
            }
            assert listed == opened, (viewer.email, viewer.role, viewer.regency_code)


def test_which_regency_is_one_answer_in_python_and_sql(app: Flask, neighbours: Neighbours) -> None:
    """``regency_code`` of a need, an offer and an intervention reads the same from the record
    and from SQL; an offer reaching two regencies is filed under the first, one with no place
    under its owner's."""
    with app.app_context():
        session = db.session()
        offer = session.get(Offer, neighbours.offer)
        assert offer is not None
        klaten_village = _first(session, Village, Village.code, KLATEN)
        offer.villages = [klaten_village]
        owner = session.get(Person, neighbours.person)
        placeless = Offer(person_id=neighbours.person, title="Tanpa tempat", person=owner)
        session.add(placeless)
        session.commit()
        assert offer.regency_codes == {KLATEN, SUKOHARJO}
        assert offer.regency_code == KLATEN
        assert placeless.regency_codes == frozenset()
        assert placeless.regency_code == SUKOHARJO
        models: tuple[Any, ...] = (Need, Offer, Intervention)
        for model in models:
            in_sql = {i: c for i, c in session.execute(sa.select(model.id, model.regency_code))}
            in_python = {r.id: r.regency_code for r in session.scalars(sa.select(model))}
            assert in_sql == in_python and len(in_sql) > 2, model.__name__
            assert {SUKOHARJO, KLATEN} <= set(in_sql.values()), model.__name__


def test_offers_in_a_place_are_those_reaching_it(app: Flask, neighbours: Neighbours) -> None:
    """An offer is in a kecamatan or regency when one of its villages or kecamatan lies there
    (the API's ``?kecamatan=`` filter), whichever regency it is filed under."""
    with app.app_context():
        session = db.session()
        offers = session.scalars(sa.select(Offer)).all()
        places = {v.kecamatan_code for o in offers for v in o.villages} | {
            k.code for o in offers for k in o.kecamatan
        }
        assert len(places) > 3
        for code in [*sorted(places), KLATEN, SUKOHARJO]:
            in_sql = set(session.scalars(sa.select(Offer.id).where(visibility.offers_in(code))))
            reaching = {
                o.id
                for o in offers
                if any(v.code.startswith(code + ".") for v in o.villages)
                or any(k.code == code or k.code.startswith(code + ".") for k in o.kecamatan)
            }
            assert in_sql == reaching and in_sql, code
