"""Obstacles (kendala) and lessons (pelajaran): recorded on an intervention or in a village, shown
to the next plan there, or of the same activity elsewhere, before it is saved.

The story: in Sidowarno (Wonosari) the RTLH renovation of 2025 met community refusal (the
households would not accept the standard design); the lesson: hold a village meeting first and
let households choose between two designs. Months later a BSPS facilitator plans a renovation in
Sidowarno, and a CSR facilitator one in Bener: both are told before saving.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from titiktemu.errors import Conflict, Invalid, NotAllowed
from titiktemu.exchange.commands import InterventionInput, save_intervention
from titiktemu.extensions import db
from titiktemu.models import (
    AuditEntry,
    FundingSource,
    Language,
    Obstacle,
    ObstacleStatus,
    Person,
    Program,
    Role,
)
from titiktemu.obstacles import commands

from .conftest import PASSWORD, AuthActions, csrf_token

KLATEN = "33.10"
SIDOWARNO = "33.10.15.2001"
BENER = "33.10.15.2002"
TODAY = dt.date.today()
LESSON = "Musyawarah desa dulu; warga memilih satu dari dua desain rumah."


@pytest.fixture
def world(app: Flask, make_person: Any) -> dict[str, int]:
    """RTLH's facilitator Sri with a 2025 renovation in Sidowarno; Budi (BSPS), a coordinator."""
    sri = make_person("sri@example.org", name="Sri Wahyuni")
    budi = make_person("budi@example.org", name="Budi Santoso")
    coordinator = make_person("koor@example.org", name="Bu Koordinator", role=Role.COORDINATOR)
    with app.app_context():
        rtlh, bsps = (
            Program(code=code, name=code, agency="Dinas", funding_source=FundingSource.APBD)
            for code in ("RTLH", "BSPS")
        )
        db.session.add_all([rtlh, bsps])
        db.session.flush()
        for person_id, program, home in ((sri, rtlh, SIDOWARNO), (budi, bsps, BENER)):
            person = db.session.get(Person, person_id)
            assert person is not None
            person.programs, person.home_village_code = [program], home
            person.language = Language.EN
        person = db.session.get(Person, sri)
        assert person is not None
        renovation = save_intervention(
            db.session(),
            person,
            InterventionInput(
                program_id=rtlh.id,
                village_code=SIDOWARNO,
                category_code="house_renovation",
                title="Rehab RTLH Sidowarno 2025",
                start_date=dt.date(2025, 3, 1),
                end_date=dt.date(2025, 10, 31),
                households=12,
                budget_idr=180_000_000,
            ),
        )
        db.session.commit()
        return {
            "sri": sri,
            "budi": budi,
            "coordinator": coordinator,
            "rtlh": rtlh.id,
            "bsps": bsps.id,
            "renovation": renovation.id,
        }


def _record(client: FlaskClient, **fields: str) -> Any:
    token = csrf_token(client, "/obstacles/new")
    return client.post("/obstacles/new", data={"csrf_token": token, **fields})


def _page(client: FlaskClient, path: str) -> str:
    answer = client.get(path)
    assert answer.status_code == 200, path
    return str(answer.get_data(as_text=True))


def test_an_obstacle_on_an_intervention_and_its_lesson(
    app: Flask, client: FlaskClient, auth: AuthActions, world: dict[str, int]
) -> None:
    auth.login("sri@example.org", PASSWORD)
    assert "/obstacles/new?intervention=" in _page(client, f"/interventions/{world['renovation']}")
    saved = _record(
        client,
        intervention=str(world["renovation"]),
        kind="community_refusal",
        description="Warga menolak desain rumah standar; tiga KK mundur dari daftar.",
        happened_on="2025-04-10",
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
    with app.app_context():
        obstacle = db.session.scalars(sa.select(Obstacle)).one()
        assert (obstacle.village_code, obstacle.program_id, obstacle.category_code) == (
            SIDOWARNO,
            world["rtlh"],
            "house_renovation",
        )
        obstacle_id = obstacle.id
    page = _page(client, f"/obstacles/{obstacle_id}")
    assert "Community refusal" in page and "No lesson written yet" in page
    token = csrf_token(client, f"/obstacles/{obstacle_id}")
    done = client.post(
        f"/obstacles/{obstacle_id}",
        data={"csrf_token": token, "seen_status": "open", "lesson": LESSON, "resolved": "y"},
    )
    assert done.status_code == 302
    assert LESSON in _page(client, f"/obstacles/{obstacle_id}")
    listing = _page(client, "/obstacles?status=resolved")
    assert "Sidowarno" in listing and "lesson written" in listing
    assert "Sidowarno" not in _page(client, "/obstacles?status=open")


def _lesson_learned(app: Flask, world: dict[str, int]) -> int:
    with app.app_context():
        sri = db.session.get(Person, world["sri"])
        assert sri is not None
        obstacle = commands.record_obstacle(
            db.session(),
            sri,
            commands.ObstacleInput(
                kind="community_refusal",
                description="Warga menolak desain rumah standar.",
                intervention_id=world["renovation"],
                happened_on=dt.date(2025, 4, 10),
            ),
            regency=KLATEN,
            today=TODAY,
        )
        commands.update_obstacle(
            db.session(),
            sri,
            obstacle.id,
            lesson=LESSON,
            resolve=True,
            seen_status=ObstacleStatus.OPEN,
        )
        db.session.commit()
        return obstacle.id


def test_the_next_plan_there_is_told_before_saving_with_and_without_javascript(
    app: Flask, client: FlaskClient, auth: AuthActions, world: dict[str, int]
) -> None:
    obstacle_id = _lesson_learned(app, world)
    auth.login("budi@example.org", PASSWORD)
    # Without JavaScript: the form for Sidowarno (chosen, then checked) says so.
    token = csrf_token(client, "/interventions/new")
    checked = client.post(
        "/interventions/new",
        data={
            "csrf_token": token,
            "action": "check",
            "program": str(world["bsps"]),
            "village": SIDOWARNO,
            "category": "house_renovation",
            "title": "Bedah rumah BSPS Sidowarno",
        },
    )
    page = str(checked.get_data(as_text=True))
    assert "In Sidowarno, RTLH met community refusal in 2025." in page
    assert f"/obstacles/{obstacle_id}" in page and "See what helped" in page
    # While typing (similar.js): the same box from the fragment.
    fragment = _page(
        client, f"/similar/interventions?village={SIDOWARNO}&category=house_renovation"
    )
    assert "RTLH met community refusal" in fragment
    # The same activity elsewhere (Bener): its lesson, said as elsewhere.
    elsewhere = _page(client, f"/similar/interventions?village={BENER}&category=house_renovation")
    assert "Same activity elsewhere: in Sidowarno" in elsewhere
    # Another activity in Bener: nothing to say.
    assert "obstacles-title" not in _page(
        client, f"/similar/interventions?village={BENER}&category=latrines"
    )
    # A need for Sidowarno, or for all of Wonosari: the obstacle there.
    assert "RTLH met community refusal" in _page(client, f"/similar/needs?village={SIDOWARNO}")
    assert "RTLH met community refusal" in _page(client, "/similar/needs?kecamatan=33.10.15")


def test_who_may_write_the_lesson_and_two_at_once(app: Flask, world: dict[str, int]) -> None:
    with app.app_context():
        sri, budi, coordinator = (
            db.session.get(Person, world[k]) for k in ("sri", "budi", "coordinator")
        )
        assert sri is not None and budi is not None and coordinator is not None
        obstacle = commands.record_obstacle(
            db.session(),
            sri,
            commands.ObstacleInput(
                kind="village_stakeholders",
                description="Kepala desa dan BPD berbeda pendapat soal lokasi.",
                village_code=SIDOWARNO,
            ),
            regency=KLATEN,
            today=TODAY,
        )
        with pytest.raises(NotAllowed):  # BSPS, not its reporter, not a coordinator
            commands.update_obstacle(
                db.session(),
                budi,
                obstacle.id,
                lesson="x",
                resolve=True,
                seen_status=ObstacleStatus.OPEN,
            )
        commands.update_obstacle(
            db.session(),
            coordinator,
            obstacle.id,
            lesson=LESSON,
            resolve=True,
            seen_status=ObstacleStatus.OPEN,
        )
        with pytest.raises(Conflict):  # the reporter resolving what she saw open: already done
            commands.update_obstacle(
                db.session(),
                sri,
                obstacle.id,
                lesson="",
                resolve=True,
                seen_status=ObstacleStatus.OPEN,
            )
        assert db.session.get(Obstacle, obstacle.id).lesson == LESSON  # type: ignore[union-attr]
        actions = db.session.scalars(
            sa.select(AuditEntry.action).where(AuditEntry.object_type == "obstacle")
        ).all()
        assert sorted(actions) == ["obstacle.record", "obstacle.update"]
        with pytest.raises(Invalid):
            commands.record_obstacle(
                db.session(),
                sri,
                commands.ObstacleInput(
                    kind="gossip", description="short", village_code="33.09.01.2001"
                ),
                regency=KLATEN,
                today=TODAY,
            )


def test_coordinators_see_obstacles_by_kind_kecamatan_and_program(
    app: Flask, client: FlaskClient, auth: AuthActions, world: dict[str, int]
) -> None:
    _lesson_learned(app, world)
    auth.login("koor@example.org", PASSWORD)
    page = _page(client, "/obstacles")
    assert page.count('class="compact tally"') == 3  # by kind, kecamatan and program
    assert "Wonosari" in page and "RTLH" in page
    auth.logout()
    auth.login("budi@example.org", PASSWORD)
    assert "tally" not in _page(client, "/obstacles")  # facilitators: the list, not the tallies


def test_an_offer_reaching_the_village_is_told_too(
    app: Flask, client: FlaskClient, auth: AuthActions, world: dict[str, int]
) -> None:
    """An offer for Sidowarno (or all of Wonosari), shown again after "show villages", says so."""
    _lesson_learned(app, world)
    auth.login("budi@example.org", PASSWORD)
    token = csrf_token(client, "/offers/new")
    browsed = client.post(
        "/offers/new",
        data={
            "csrf_token": token,
            "action": "browse",
            "title": "Tukang bangunan untuk bedah rumah",
            "skills": "construction",
            "kecamatan": "33.10.15",
            "browse": "33.10.15",
        },
    )
    assert "RTLH met community refusal" in str(browsed.get_data(as_text=True))
