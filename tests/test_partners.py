"""Partners (donors, companies' CSR, Baznas): made from the command line on a new instance or
invited by a coordinator, they read the prospectus and post offers that the engine matches like
any other, and open nothing else of the regency."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from titiktemu.accounts.signin import hash_password
from titiktemu.accounts.tokens import create_token
from titiktemu.app import settings_of
from titiktemu.demo.seed import DEMO_COORDINATOR, DEMO_FACILITATOR
from titiktemu.extensions import db
from titiktemu.mail.context import thaw
from titiktemu.mail.sender import build_message
from titiktemu.models import AuditEntry, Kecamatan, Need, Offer, OutboxEmail, Person, Proposal, Role
from web.access import PARTNER_ENDPOINTS

from .conftest import PASSWORD, csrf_token
from .test_exports_web import seeded, signed_in
from .test_first_day import fresh, titiktemu  # noqa: F401 - a fixture, used by name

KLATEN = "33.10"
BAYAT = "33.10.11"  # Kecamatan Bayat
NEXT_YEAR = dt.date.today().year + 1


def _join(web: Flask, link: str, name: str) -> FlaskClient:
    """Follow a set-password link printed by ``user create``; the browser is signed in."""
    browser = web.test_client()
    path = "/" + link.split("/", 3)[3]
    answer = browser.post(
        path,
        data={
            "name": name,
            "password": PASSWORD,
            "confirm": PASSWORD,
            "csrf_token": csrf_token(browser, path),
        },
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    return browser


def _post(client: FlaskClient, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def test_a_partner_on_a_new_instance_reads_the_prospectus_and_meets_a_need(
    fresh: tuple[dict[str, str], Flask],  # noqa: F811 - the fixture
) -> None:
    """From an empty database: upgrade, Klaten, a partner and a facilitator by ``user create``;
    the partner offers funds for Bayat, a facilitator asks for funds there, and the engine
    proposes the one to the other."""
    env, web = fresh
    titiktemu(env, "db", "upgrade")
    titiktemu(env, "regions", "load", "3310")
    refused = titiktemu(env, "user", "create", "csr@pabrik.example", "--role", "partner", code=2)
    assert "a partner needs a regency: add --regency CODE" in refused.stderr
    made = titiktemu(
        env, "user", "create", "CSR@Pabrik.example", "--role", "partner", "--regency", "33.10"
    )
    assert "partner of Kabupaten Klaten (33.10)" in made.stderr
    partner = _join(web, made.stdout.strip(), "CSR PT Tirta Klaten")
    made = titiktemu(
        env, "user", "create", "sri@example.org", "--role", "facilitator", "--regency", "33.10"
    )
    facilitator = _join(web, made.stdout.strip(), "Sri Wahyuni")

    home = partner.get("/")
    assert home.status_code == 302 and home.headers["Location"] == "/prospectus"
    page = partner.get("/prospectus")
    assert page.status_code == 200
    assert "Nothing to show" in page.get_data(as_text=True) or "Belum ada" in page.get_data(
        as_text=True
    )
    assert partner.get("/needs").status_code == 403

    offered = _post(
        partner,
        "/offers/new",
        {
            "title": "Dana CSR untuk bedah rumah",
            "skills": ["funding", "building_materials"],
            "kecamatan": [BAYAT],
            "available_from": f"{NEXT_YEAR}-01-01",
            "available_until": f"{NEXT_YEAR}-12-31",
            "capacity": "3",
            "description": "Semen dan bata untuk 10 rumah.",
            "action": "save",
        },
    )
    assert offered.status_code == 302, offered.get_data(as_text=True)[:2000]
    with web.app_context():
        village = db.session.scalar(
            sa.text("SELECT code FROM villages WHERE kecamatan_code = :k ORDER BY code LIMIT 1"),
            {"k": BAYAT},
        )
        db.session.remove()
    asked = _post(
        facilitator,
        "/needs/new",
        {
            "title": "Butuh dana stimulan untuk rumah tidak layak huni",
            "area": village,
            "skills": ["funding"],
            "needed_from": f"{NEXT_YEAR}-03-01",
            "needed_until": f"{NEXT_YEAR}-09-30",
            "description": "Sepuluh rumah, swadaya warga sudah siap.",
            "action": "save",
        },
    )
    assert asked.status_code == 302, asked.get_data(as_text=True)[:2000]

    with web.app_context():
        session = db.session()
        offer = session.scalars(sa.select(Offer)).one()
        need = session.scalars(sa.select(Need)).one()
        assert offer.person.role == Role.PARTNER
        proposal = session.scalars(
            sa.select(Proposal).where(Proposal.need_id == need.id, Proposal.offer_id == offer.id)
        ).one_or_none()
        assert proposal is not None, "the partner's offer was not proposed for the need"
        proposal_id = proposal.id
        need.person.phone = "0813-2900-4455"
        session.commit()
        db.session.remove()
    matches = partner.get("/matches")
    assert matches.status_code == 200 and f"/matches/{proposal_id}" in matches.get_data(
        as_text=True
    )
    assert "wa.me" not in partner.get(f"/matches/{proposal_id}").get_data(as_text=True)
    made = titiktemu(
        env,
        "user",
        "create",
        "koordinator@example.org",
        "--role",
        "coordinator",
        "--regency",
        "3310",
    )
    coordinator = _join(web, made.stdout.strip(), "Bu Koordinator")
    token = csrf_token(coordinator, f"/review/{proposal_id}")
    accepted = coordinator.post(
        f"/review/{proposal_id}/decide", data={"decision": "accepted", "csrf_token": token}
    )
    assert accepted.status_code == 302
    # Accepted: the partner reaches the facilitator by email, phone and WhatsApp.
    detail = partner.get(f"/matches/{proposal_id}").get_data(as_text=True)
    assert "https://wa.me/6281329004455" in detail and "sri@example.org" in detail


@pytest.fixture
def partner(app: Flask) -> int:
    return add_partner(app)


def add_partner(app: Flask) -> int:
    """Klaten's demo (``seeded``) and a partner of Klaten, signing in with ``PASSWORD``."""
    seeded(app)
    with app.app_context():
        person = Person(
            email="csr@pabrik.example",
            name="CSR PT Tirta Klaten",
            phone="0812 2700 1234",
            role=Role.PARTNER,
            regency_code=KLATEN,
            password_hash=hash_password(PASSWORD),
        )
        db.session.add(person)
        db.session.commit()
        return person.id


def _partner_client(app: Flask) -> FlaskClient:
    client = app.test_client()
    answer = client.post(
        "/login",
        data={
            "email": "csr@pabrik.example",
            "password": PASSWORD,
            "csrf_token": csrf_token(client, "/login"),
        },
    )
    assert answer.status_code == 302
    return client


def test_a_partner_opens_only_the_prospectus_their_offers_and_matches(
    app: Flask, partner: int
) -> None:
    client = _partner_client(app)
    opened: dict[str, int] = {}
    for rule in app.url_map.iter_rules():
        if rule.arguments or "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        if rule.endpoint.startswith("api.") or rule.rule.startswith("/api"):
            continue
        opened[rule.endpoint] = client.get(rule.rule).status_code
    refused = {e for e, status in opened.items() if status == 403}
    allowed = {e for e, status in opened.items() if status != 403}
    assert allowed <= PARTNER_ENDPOINTS, f"a partner opened {sorted(allowed - PARTNER_ENDPOINTS)}"
    for endpoint in (
        "exchange.needs",
        "interventions.index",
        "places.coverage",
        "forum.index",
        "obstacles.index",
        "beneficiaries.index",
        "review.queue",
        "auth.invite_facilitator",
        "exports.sync",
    ):
        assert endpoint in refused, endpoint
    assert opened["prospectus.index"] == 200
    assert opened["matches.index"] == 200
    assert opened["exchange.new_offer"] == 200
    with app.app_context():
        someone_elses = db.session.scalars(sa.select(Offer.id).order_by(Offer.id).limit(1)).one()
        village = db.session.scalars(sa.text("SELECT code FROM villages LIMIT 1")).one()
    assert client.get(f"/offers/{someone_elses}").status_code == 404
    assert client.get(f"/villages/{village}").status_code == 403
    assert client.get("/api/v1/proposals").status_code == 403


def test_a_partners_token_is_refused_by_the_api(app: Flask, partner: int) -> None:
    with app.app_context():
        person = db.session.get(Person, partner)
        assert person is not None
        _row, token = create_token(db.session(), person, "old token")
        db.session.commit()
    answer = app.test_client().get(
        "/api/v1/proposals", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 403
    assert "partners use the pages" in answer.get_json()["detail"]


def test_a_coordinator_invites_a_partner_and_the_email_says_what_for(app: Flask) -> None:
    seeded(app)
    coordinator = signed_in(app, DEMO_COORDINATOR)
    form = coordinator.get("/invite?role=partner")
    assert form.status_code == 200
    assert re.search(
        r'<option selected value="partner"|<option value="partner" selected',
        form.get_data(as_text=True),
    )
    answer = _post(
        coordinator,
        "/invite",
        {"email": "Amil@Baznas-Klaten.example", "name": "Baznas Klaten", "role": "partner"},
    )
    assert answer.status_code == 302
    with app.app_context():
        person = db.session.scalars(
            sa.select(Person).where(Person.email == "amil@baznas-klaten.example")
        ).one()
        assert person.role == Role.PARTNER and person.regency_code == KLATEN
        mail = db.session.scalars(
            sa.select(OutboxEmail).where(OutboxEmail.person_id == person.id)
        ).one()
        assert mail.template == "invitation", mail.context
        assert thaw(mail.context)["values"]["role"] == "partner"
        body = build_message(settings_of(app), mail).get_body(preferencelist=("plain",))
        assert body is not None
        words = " ".join(body.get_content().split())
        audit = db.session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.action == "person.invited", AuditEntry.object_id == str(person.id)
            )
        ).one()
        assert audit.detail["role"] == "partner"
    # In the partner's language (Indonesian by default): what they will find, what they can do.
    assert "sebagai mitra" in words and "dana, barang, atau keahlian" in words, words
    # A facilitator invites nobody, a coordinator no coordinator.
    facilitator = signed_in(app, DEMO_FACILITATOR)
    assert facilitator.get("/invite").status_code == 403
    refused = _post(
        coordinator, "/invite", {"email": "boss@example.org", "name": "", "role": "coordinator"}
    )
    assert refused.status_code == 400


def test_no_page_a_partner_opens_links_to_one_they_may_not(app: Flask, partner: int) -> None:
    """Every link on the partner's pages, two clicks deep from the prospectus, opens for them:
    a menu entry or a "back" link that answers 403 is a dead end."""
    client = _partner_client(app)
    with app.app_context():
        offer = Offer(person_id=partner, title="Beasiswa untuk anak keluarga PKH")
        bayat = db.session.get(Kecamatan, BAYAT)
        assert bayat is not None
        offer.kecamatan = [bayat]
        db.session.add(offer)
        db.session.commit()
        offer_id = offer.id
    seen: dict[str, int] = {}
    frontier = ["/prospectus", "/matches", "/profile", f"/offers/{offer_id}"]
    for _depth in range(2):
        found: list[str] = []
        for url in frontier:
            if url in seen:
                continue
            answer = client.get(url)
            seen[url] = answer.status_code
            if answer.status_code != 200 or "html" not in answer.content_type:
                continue
            for href in re.findall(r'href="(/[^"#]*)', answer.get_data(as_text=True)):
                if not href.startswith(("/static/", "/logout")):
                    found.append(href.replace("&amp;", "&"))
        frontier = found
    for url in frontier:
        seen.setdefault(url, client.get(url).status_code)
    dead = {url: status for url, status in seen.items() if status in (403, 404, 500)}
    assert dead == {}, f"links a partner follows into a wall: {dead}"
    assert len(seen) > 10


def test_a_partner_in_an_invited_program_is_not_invited_to_the_forum(
    app: Flask, partner: int
) -> None:
    """The agenda holds the facilitators' own notes: inviting a program (a company's CSR has
    people of its own there) invites its facilitators, never its partner account."""
    from titiktemu.forum.calendar import to_utc
    from titiktemu.forum.commands import MeetingInput, schedule_meeting

    with app.app_context():
        session = db.session()
        coordinator = session.scalars(
            sa.select(Person).where(Person.email == DEMO_COORDINATOR)
        ).one()
        facilitator = session.scalars(
            sa.select(Person).where(Person.email == DEMO_FACILITATOR)
        ).one()
        program = facilitator.programs[0]
        person = session.get(Person, partner)
        assert person is not None
        person.programs.append(program)
        session.commit()
        starts = to_utc(dt.datetime(NEXT_YEAR, 1, 20, 9, 0))
        meeting = schedule_meeting(
            session,
            settings_of(app),
            coordinator,
            MeetingInput(
                title="Sarasehan pendamping",
                place="Pendopo Kabupaten Klaten",
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=2),
                program_ids=(program.id,),
                person_ids=(partner,),
            ),
            regency=KLATEN,
        )
        session.commit()
        invited = {p.id for p in meeting.invitees}
        assert facilitator.id in invited and partner not in invited
