"""The facilitator pages: profile, needs and offers, interventions, my matches, and who sees what.

People here read the English UI (their saved language), so the assertions read like the page; the
Indonesian default is covered by the first-face tests. Matching and overlap checks run in process
(the embedded default), so a saved need shows its Gap or Proposal at once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from titiktemu.app import settings_of
from titiktemu.exchange.commands import (
    InterventionInput,
    NeedInput,
    OfferInput,
    save_intervention,
    save_need,
    save_offer,
    set_status,
)
from titiktemu.extensions import db
from titiktemu.interventions.similar import similar_interventions, similar_needs, words
from titiktemu.matching.reason_text import in_both, labels_for
from titiktemu.models import (
    AuditEntry,
    Base,
    ExchangeStatus,
    Gap,
    Intervention,
    JobRun,
    JobStatus,
    Language,
    Need,
    Offer,
    OverlapFlag,
    Person,
    Program,
    Proposal,
    ProposalStatus,
    Regency,
    RegencyKind,
    Role,
    Skill,
    Village,
)
from titiktemu.models.programs import FundingSource
from titiktemu.review.commands import decide
from web.fields import parse_amount

from .conftest import KEPT_TABLES, PASSWORD, AuthActions, csrf_token

SENGON = "33.10.01.2001"  # Desa Sengon, Kecamatan Prambanan
KOTESAN = "33.10.01.2003"
PRAMBANAN = "33.10.01"
GANTIWARNO = "33.10.02"
NEXT_YEAR = dt.date.today().year + 1


# Helpers ---------------------------------------------------------------------------------------


def make_program(app: Flask, code: str) -> int:
    with app.app_context():
        program = Program(
            code=code, name=f"Program {code}", agency="Kemensos", funding_source=FundingSource.APBN
        )
        db.session.add(program)
        db.session.commit()
        return program.id


def facilitator(
    app: Flask,
    make_person: Any,
    email: str,
    *,
    name: str = "Sri Wahyuni",
    role: Role = Role.FACILITATOR,
    regency_code: str | None = "33.10",
    programs: tuple[int, ...] = (),
    villages: tuple[str, ...] = (),
    skills: tuple[str, ...] = (),
    phone: str = "",
) -> int:
    """A person who reads the English UI, with programs, villages and skills."""
    person_id = int(make_person(email, role=role, regency_code=regency_code, name=name))
    with app.app_context():
        person = db.session.get(Person, person_id)
        assert person is not None
        person.language = Language.EN
        person.phone = phone
        person.programs = [p for p in (db.session.get(Program, i) for i in programs) if p]
        person.villages = [v for v in (db.session.get(Village, c) for c in villages) if v]
        person.skills = [s for s in (db.session.get(Skill, c) for c in skills) if s]
        db.session.commit()
    return person_id


def post(client: FlaskClient, path: str, data: dict[str, Any]) -> Any:
    """POST with the CSRF token a real page carries."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/needs")})


def need_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Pelatihan pembukuan untuk KWT Desa Sengon",
        "area": SENGON,
        "skills": ["bookkeeping"],
        "needed_from": f"{NEXT_YEAR}-02-01",
        "needed_until": f"{NEXT_YEAR}-06-30",
        "description": "Dua puluh anggota kelompok wanita tani.",
        "action": "save",
    }
    data.update(overrides)
    return data


def offer_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Pelatih pembukuan sederhana",
        "skills": ["bookkeeping"],
        "kecamatan": [PRAMBANAN],
        "villages": [],
        "available_from": f"{NEXT_YEAR}-01-01",
        "available_until": f"{NEXT_YEAR}-12-31",
        "capacity": "2",
        "description": "",
        "action": "save",
    }
    data.update(overrides)
    return data


def text(answer: Any) -> str:
    return str(answer.get_data(as_text=True))


def count(app: Flask, model: type[Base]) -> int:
    with app.app_context():
        return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def service_need(app: Flask, person_id: int, title: str, village: str = SENGON) -> int:
    with app.app_context():
        person = db.session.get(Person, person_id)
        assert person is not None
        need = save_need(
            db.session(),
            person,
            NeedInput(title=title, skills=["bookkeeping"], village_code=village),
        )
        db.session.commit()
        return need.id


def service_offer(app: Flask, person_id: int, title: str = "Pelatih pembukuan") -> int:
    with app.app_context():
        person = db.session.get(Person, person_id)
        assert person is not None
        offer = save_offer(
            db.session(),
            person,
            OfferInput(title=title, skills=["bookkeeping"], kecamatan_codes=[PRAMBANAN]),
        )
        db.session.commit()
        return offer.id


def service_intervention(
    app: Flask, person_id: int, program_id: int, title: str, start: dt.date, end: dt.date
) -> int:
    with app.app_context():
        person = db.session.get(Person, person_id)
        assert person is not None
        item = save_intervention(
            db.session(),
            person,
            InterventionInput(
                program_id=program_id,
                village_code=SENGON,
                category_code="house_renovation",
                title=title,
                start_date=start,
                end_date=end,
                households=20,
                budget_idr=300_000_000,
            ),
        )
        db.session.commit()
        return item.id


@pytest.fixture
def other_regency(app: Flask) -> Iterator[str]:
    """Kabupaten Sukoharjo, for a coordinator who works elsewhere (bare, unless a test of the
    session loaded all of Indonesia already; then it stays as found)."""
    with app.app_context():
        created = db.session.get(Regency, "33.11") is None
        if created:
            db.session.add(
                Regency(
                    code="33.11", province_code="33", name="Sukoharjo", kind=RegencyKind.KABUPATEN
                )
            )
            db.session.commit()
    yield "33.11"
    if not created:
        return
    with app.app_context():  # empty what points at it first, then take the reference row away
        db.session.rollback()
        with db.engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                if table.name not in KEPT_TABLES:
                    conn.execute(table.delete())
            conn.execute(sa.delete(Regency).where(Regency.code == "33.11"))


# Sign-in and page weight -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/profile", "/needs", "/needs/new", "/offers/new", "/interventions", "/matches"]
)
def test_pages_need_sign_in(client: FlaskClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")


def test_state_changes_need_csrf(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person: Any
) -> None:
    me = facilitator(app, make_person, "sri@example.org")
    need_id = service_need(app, me, "Butuh pembukuan")
    auth.login("sri@example.org", PASSWORD)
    assert client.post("/needs/new", data=need_data()).status_code == 400
    assert client.post(f"/needs/{need_id}/withdraw").status_code == 400
    assert client.post("/profile", data={"name": "X"}).status_code == 400
    assert count(app, Need) == 1


def test_pages_stay_light_for_a_phone(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person: Any
) -> None:
    """HTML + CSS + JS of each page under 60 KB uncompressed, for slow links."""
    program = make_program(app, "PKH")
    facilitator(app, make_person, "sri@example.org", programs=(program,), villages=(SENGON,))
    auth.login("sri@example.org", PASSWORD)
    static = Path(str(app.static_folder))
    assets = {
        name: (static / name).stat().st_size
        for name in ("style.css", "facilitator.css", "similar.js")
    }
    for path in ("/needs/new", "/offers/new", "/interventions/new", "/profile?q=an", "/needs"):
        page = client.get(path)
        assert page.status_code == 200, path
        used = [name for name in assets if f"/static/{name}" in text(page)]
        assert len(page.data) + sum(assets[n] for n in used) < 60_000, path


# Needs -----------------------------------------------------------------------------------------


def test_post_a_need_lists_it_and_runs_matching(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person: Any
) -> None:
    facilitator(app, make_person, "sri@example.org", villages=(SENGON,))
    auth.login("sri@example.org", PASSWORD)
    form = client.get("/needs/new")
    assert form.status_code == 200
    assert f'<option value="{SENGON}"' in text(form) and 'value="bookkeeping"' in text(form)
    answer = post(client, "/needs/new", need_data())
    assert answer.status_code == 302
    with app.app_context():
        need = db.session.scalars(sa.select(Need)).one()
        assert need.village_code == SENGON and need.kecamatan_code == PRAMBANAN
        assert [s.code for s in need.skills] == ["bookkeeping"]
        assert need.needed_until == dt.date(NEXT_YEAR, 6, 30)
        need_id = need.id
        # The match job ran in process: with nobody to help, the need is a gap.
        gap = db.session.scalars(sa.select(Gap).where(Gap.need_id == need_id)).one()
        assert gap.reasons
        words = in_both(gap.reasons[0], labels_for(db.session()))
        said = (words["en"], words["id"])
    assert answer.headers["Location"] == f"/needs/{need_id}"
    detail = text(client.get(f"/needs/{need_id}"))
    assert "Your need is saved" in detail and "Nobody can meet this need yet" in detail
    # Not yet: why (the stored gap reason, in the UI language), and that we keep looking.
    assert f"Nobody can meet this need yet: {said[0]}." in detail and said[1] not in detail
    assert "We look again whenever someone posts an offer." in detail
    listing = text(client.get("/needs"))
    assert "Pelatihan pembukuan untuk KWT Desa Sengon" in listing and "Open" in listing
    client.post("/language", data={"lang": "id", "csrf_token": csrf_token(client, "/needs")})
    indonesian = text(client.get(f"/needs/{need_id}"))
    assert f"Belum ada yang bisa membantu kebutuhan ini: {said[1]}." in indonesian


def test_a_need_for_a_whole_kecamatan(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person: Any
) -> None:
    facilitator(app, make_person, "sri@example.org")
    auth.login("sri@example.org", PASSWORD)
    assert post(client, "/needs/new", need_data(area=GANTIWARNO)).status_code == 302
    with app.app_context():
        need = db.session.scalars(sa.select(Need)).one()
        assert need.village_code is None and need.kecamatan_code == GANTIWARNO
    assert "All of Kecamatan Gantiwarno" in text(client.get("/needs"))


def test_need_form_errors_are_shown_and_nothing_is_stored(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person: Any
) -> None:
    facilitator(app, make_person, "sri@example.org")
    auth.login("sri@example.org", PASSWORD)
    bad = need_data(
        title="  ",
        skills=[],
        area="",
        needed_from=f"{NEXT_YEAR}-06-01",
        needed_until=f"{NEXT_YEAR}-01-01",
    )
    answer = post(client, "/needs/new", bad)
    html = text(answer)
    assert answer.status_code == 400
    assert '<p class="error" id="title-error">Please give a title.</p>' in html
    assert '<p class="error" id="skills-error">Choose at least one skill.</p>' in html
    assert '<p class="error" id="area-error">Choose a village or a kecamatan.</p>' in html
    assert "The end date comes before the start date." in html
    assert "Nothing was saved" in html
    # A village of another regency, an unknown skill and a bad date are refused too.
    odd = need_data(area="35.01.01.2001", skills=["flying"], needed_from="31/02/2027")
    answer = post(client, "/needs/new", odd)
    assert answer.status_code == 400
    assert "Write the date as year-month-day" in text(answer)
    assert count(app, Need) == 0


def test_edit_withdraw_fulfil_and_reopen_a_need(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person: Any
) -> None:
    me = facilitator(app, make_person, "sri@example.org")
    need_id = service_need(app, me, "Butuh pembukuan")
    auth.login("sri@example.org", PASSWORD)
    edit = client.get(f"/needs/{need_id}/edit")
    assert 'value="Butuh pembukuan"' in text(edit)
    answer = post(client, f"/needs/{need_id}/edit", need_data(title="Butuh pelatih pembukuan"))
    assert answer.status_code == 302
    assert post(client, f"/needs/{need_id}/withdraw", {}).status_code == 302

    def status() -> ExchangeStatus:
        with app.app_context():
            need = db.session.get(Need, need_id)
            assert need is not None and need.title == "Butuh pelatih pembukuan"
            return need.status

    assert status() == ExchangeStatus.WITHDRAWN
    page = client.get(f"/needs/{need_id}")
    assert "Withdrawn" in text(page) and "Reopen" in text(page)
    refused = post(client, f"/needs/{need_id}/fulfilled", {})  # not from withdrawn
    assert refused.status_code == 409
    assert status() == ExchangeStatus.WITHDRAWN
    said = "That cannot be done now: it was already marked Withdrawn by Sri Wahyuni"
    assert said in text(refused)
    post(client, f"/needs/{need_id}/reopen", {})
    assert status() == ExchangeStatus.OPEN
    post(client, f"/needs/{need_id}/fulfilled", {})
    assert status() == ExchangeStatus.FULFILLED
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEntry.action).where(AuditEntry.object_id == str(need_id))
        ).all()
        assert {"need.updated", "need.withdrawn", "need.open", "need.fulfilled"} <= set(actions)
        jobs = db.session.scalars(
            sa.select(JobRun.status).where(JobRun.task == "titiktemu.match_need")
        ).all()
        assert jobs == [JobStatus.DONE] * 5  # created, edited, withdrawn, reopened, fulfilled


def test_check_for_similar_needs_without_javascript(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person: Any
) -> None:
    other = facilitator(app, make_person, "budi@example.org", name="Budi Santoso")
    service_need(app, other, "Pelatihan pembukuan kelompok wanita tani Sengon")
    service_need(app, other, "Butuh pembukuan di Gantiwarno", village="33.10.02.2001")
    facilitator(app, make_person, "sri@example.org")
    auth.login("sri@example.org", PASSWORD)
    answer = post(client, "/needs/new", need_data(title="Pelatihan pembukuan KWT", action="check"))
    html = text(answer)
    assert answer.status_code == 200
    assert "Similar open needs nearby" in html
    assert "Pelatihan pembukuan kelompok wanita tani Sengon" in html and "Budi Santoso" in html
    assert "Gantiwarno" not in html.split('id="similar"')[1]  # another kecamatan
    assert 'value="Pelatihan pembukuan KWT"' in html  # the form keeps what was typed
    assert count(app, Need) == 2  # checking saves nothing


def test_similar_needs_fragment_for_javascript(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person: Any
) -> None:
    other = facilitator(app, make_person, "budi@example.org", name="Budi Santoso")
    need_id = service_need(app, other, "Pelatihan pembukuan kelompok wanita tani Sengon")
    facilitator(app, make_person, "sri@example.org")
    auth.login("sri@example.org", PASSWORD)
    answer = client.get("/similar/needs", query_string={"title": "pembukuan", "village": KOTESAN})
    assert answer.status_code == 200 and "<html" not in text(answer)
    assert "Pelatihan pembukuan kelompok wanita tani Sengon" in text(answer)
    editing = client.get(
        "/similar/needs", query_string={"title": "pembukuan", "area": SENGON, "exclude": need_id}
    )
    assert "Nothing similar found nearby." in text(editing)
    elsewhere = client.get("/similar/needs", query_string={"title": "pembukuan", "area": "35.01"})
    assert "Pelatihan" not in text(elsewhere)


def test_similarity_is_word_and_skill_overlap(ctx: Flask, make_person: Any) -> None:
    assert words("Butuh pelatihan Pembukuan untuk KWT di Desa 2027") == {
        "pelatihan",
        "pembukuan",
        "kwt",
    }
    owner = facilitator(ctx, make_person, "budi@example.org")
    ids = [
        service_need(ctx, owner, "Pelatihan pembukuan KWT Sengon"),
        service_need(ctx, owner, "Pelatihan kader posyandu Sengon"),
        service_need(ctx, owner, "Sewa proyektor untuk rapat", village=KOTESAN),
    ]
    with ctx.app_context():
        hits = similar_needs(
            db.session(),
            title="Butuh pelatihan pembukuan Sengon",
            kecamatan_code=PRAMBANAN,
            village_code=SENGON,
        )
        assert [h.id for h in hits] == ids  # all share the skill; most words first
        assert hits[0].shared_words == ("pelatihan", "pembukuan")  # not the village name
        assert hits[0].same_village and not hits[2].same_village
        assert hits[0].score > hits[1].score > hits[2].score
        again = similar_needs(
            db.session(),
            title="Butuh pelatihan pembukuan Sengon",
            kecamatan_code=PRAMBANAN,
            village_code=SENGON,
        )
        assert again == hits
        assert similar_needs(db.session(), title="Desa Sengon", kecamatan_code=PRAMBANAN) == []


# Offers ----------------------------------------------------------------------------------------


def test_an_offer_meets_an_open_need(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person: Any
) -> None:
    other = facilitator(app, make_person, "budi@example.org", name="Budi Santoso")
    need_id = service_need(app, other, "Butuh pelatihan pembukuan KWT")
    facilitator(app, make_person, "sri@example.org")
    auth.login("sri@example.org", PASSWORD)
    answer = post(client, "/offers/new", offer_data())
    assert answer.status_code == 302
    with app.app_context():
        offer = db.session.scalars(sa.select(Offer)).one()
        assert [k.code for k in offer.kecamatan] == [PRAMBANAN] and offer.capacity == 2
        proposal = db.session.scalars(
            sa.select(Proposal).where(Proposal.offer_id == offer.id)
        ).one()
        assert proposal.need_id == need_id and proposal.status == ProposalStatus.PROPOSED
        offer_id = offer.id
    assert answer.headers["Location"] == f"/offers/{offer_id}"
    detail = text(client.get(f"/offers/{offer_id}"))
    assert "Butuh pelatihan pembukuan KWT" in detail  # its suggested match
    listing = text(client.get("/needs"))
    assert "Pelatih pembukuan sederhana" in listing and "1 suggested match" in listing
    # Withdrawing retires what matching proposed for it.
    assert post(client, f"/offers/{offer_id}/withdraw", {}).status_code == 302
    with app.app_context():
        withdrawn = db.session.get(Offer, offer_id)
        assert withdrawn is not None and withdrawn.status == ExchangeStatus.WITHDRAWN
        stored = db.session.get(Proposal, proposal.id)
        assert stored is not None and stored.status == ProposalStatus.OBSOLETE
    post(client, f"/offers/{offer_id}/reopen", {})
    post(client, f"/offers/{offer_id}/fulfilled", {})
    with app.app_context():
        fulfilled = db.session.get(Offer, offer_id)
        assert fulfilled is not None and fulfilled.status == ExchangeStatus.FULFILLED


def test_edit_an_offer_and_pick_villages_by_kecamatan(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person: Any
) -> None:
    me = facilitator(app, make_person, "sri@example.org")
    offer_id = service_offer(app, me)
    auth.login("sri@example.org", PASSWORD)
    assert f'value="{PRAMBANAN}" checked' in text(client.get(f"/offers/{offer_id}/edit"))
    browse = post(
        client, f"/offers/{offer_id}/edit", offer_data(action="browse", browse=GANTIWARNO)
    )
    html = text(browse)
    assert browse.status_code == 200
    assert "Villages of Kecamatan Gantiwarno" in html and 'value="33.10.02.2001"' in html
    changed = offer_data(kecamatan=[], villages=["33.10.02.2001", SENGON], capacity="3")
    assert post(client, f"/offers/{offer_id}/edit", changed).status_code == 302
    with app.app_context():
        offer = db.session.get(Offer, offer_id)
        assert offer is not None
        assert [v.code for v in offer.villages] == ["33.10.01.2001", "33.10.02.2001"]
        assert offer.kecamatan == [] and offer.capacity == 3
    nowhere = post(client, f"/offers/{offer_id}/edit", offer_data(kecamatan=[], capacity="0"))
    assert nowhere.status_code == 400
    assert "Choose at least one village or kecamatan." in text(nowhere)
    assert "Between 1 and 100." in text(nowhere)


# Profile ---------------------------------------------------------------------------------------


def test_profile_villages_by_kecamatan_and_language_switch(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person: Any
) -> None:
    pkh = make_program(app, "PKH")
    me = facilitator(app, make_person, "sri@example.org", villages=(KOTESAN,))
    auth.login("sri@example.org", PASSWORD)
    page = text(client.get(f"/profile?kecamatan={PRAMBANAN}"))
    assert f'name="villages" value="{KOTESAN}" checked' in page  # mine, removable
    assert f'name="villages" value="{SENGON}">' in page  # listed to add
    assert "Already in your list: Kotesan" in page and "> Sengon</label>" in page
    assert "Bookkeeping" in page and "Finance" in page  # skills in English, under their group
    answer = client.post(
        f"/profile?kecamatan={PRAMBANAN}",
        data={
            "csrf_token": csrf_token(client, "/profile"),
            "name": "  Sri   Wahyuni ",
            "phone": "0812 3456 7890",
            "programs": [str(pkh)],
            "villages": [SENGON],  # Kotesan unticked, Sengon added
            "home_village": SENGON,
            "skills": ["bookkeeping", "poor_household_data"],
            "skills_note": "Bisa bahasa Jawa.",
            "language": "id",
            "notify": "daily",
        },
    )
    assert answer.status_code == 302 and answer.headers["Location"] == "/profile"
    with app.app_context():
        person = db.session.get(Person, me)
        assert person is not None
        assert person.name == "Sri Wahyuni" and person.phone == "0812 3456 7890"
        assert [p.code for p in person.programs] == ["PKH"]
        assert [v.code for v in person.villages] == [SENGON]
        assert person.home_village_code == SENGON
        assert [s.code for s in person.skills] == ["bookkeeping", "poor_household_data"]
        assert person.language == Language.ID and person.notify.value == "daily"
    after = text(client.get("/profile"))
    assert '<html lang="id">' in after and "Pembukuan" in after  # the UI switched to Indonesian


def test_profile_search_villages_by_name(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person: Any
) -> None:
    facilitator(app, make_person, "sri@example.org")
    auth.login("sri@example.org", PASSWORD)
    html = text(client.get("/profile?q=SENGON"))
    assert f'value="{SENGON}"' in html and "Sengon (Prambanan)" in html
    assert "No village found." in text(client.get("/profile?q=zzzz"))


def test_profile_errors_store_nothing(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person: Any
) -> None:
    me = facilitator(app, make_person, "sri@example.org", villages=(SENGON,))
    auth.login("sri@example.org", PASSWORD)
    answer = client.post(
        "/profile",
        data={
            "csrf_token": csrf_token(client, "/profile"),
            "name": "",
            "phone": "call me",
            "villages": [KOTESAN],
            "language": "en",
            "notify": "weekly",
        },
    )
    html = text(answer)
    assert answer.status_code == 400
    assert '<p class="error" id="name-error">Please enter your name.</p>' in html
    assert "Choose from the list." in html
    # The service's checks run only once the form's pass: fix the name, keep a bad phone.
    answer = client.post(
        "/profile",
        data={
            "csrf_token": csrf_token(client, "/profile"),
            "name": "Sri",
            "phone": "call me",
            "villages": [KOTESAN, "35.01.01.2001"],
            "language": "en",
            "notify": "off",
        },
    )
    html = text(answer)
    assert answer.status_code == 400
    assert "Write the phone number in digits" in html
    assert "Choose villages of your regency." in html
    with app.app_context():
        person = db.session.get(Person, me)
        assert person is not None and person.name == "Sri Wahyuni"
        assert [v.code for v in person.villages] == [SENGON]


# Interventions ---------------------------------------------------------------------------------


def intervention_data(program_id: int, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "program": str(program_id),
        "village": SENGON,
        "category": "house_renovation",
        "title": "Rehab 10 rumah tidak layak huni",
        "start_date": f"{NEXT_YEAR}-03-01",
        "end_date": f"{NEXT_YEAR}-08-31",
        "households": "10",
        "budget": "Rp 150.000.000",
        "action": "save",
    }
    data.update(overrides)
    return data


def test_record_an_intervention_and_refuse_a_duplicate(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person: Any
) -> None:
    rtlh = make_program(app, "RTLH")
    other = make_program(app, "BSPS")
    facilitator(app, make_person, "sri@example.org", programs=(rtlh,))
    auth.login("sri@example.org", PASSWORD)
    form = text(client.get("/interventions/new"))
    assert f'<option selected value="{rtlh}">' in form and f'value="{other}"' not in form
    answer = post(client, "/interventions/new", intervention_data(rtlh))
    assert answer.status_code == 302
    with app.app_context():
        item = db.session.scalars(sa.select(Intervention)).one()
        assert item.budget_idr == 150_000_000 and item.households == 10
        assert item.budget_year == NEXT_YEAR
    again = post(client, "/interventions/new", intervention_data(rtlh, title="Rehab lagi"))
    assert again.status_code == 400
    assert "This program already records this activity in this village" in text(again)
    assert "Already recorded:" in text(again)
    # Someone else's program is not mine to record.
    foreign = post(client, "/interventions/new", intervention_data(other))
    assert foreign.status_code == 400
    bad = post(client, "/interventions/new", intervention_data(rtlh, budget="banyak"))
    assert "Write a whole number" in text(bad)
    assert count(app, Intervention) == 1
    assert "Rehab 10 rumah tidak layak huni" in text(client.get("/interventions"))


def test_similar_interventions_with_and_without_javascript(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person: Any
) -> None:
    rtlh = make_program(app, "RTLH")
    bsps = make_program(app, "BSPS")
    other = facilitator(app, make_person, "budi@example.org", name="Budi Santoso")
    start, end = dt.date(NEXT_YEAR, 3, 1), dt.date(NEXT_YEAR, 9, 30)
    service_intervention(app, other, bsps, "Bedah rumah BSPS Sengon", start, end)
    facilitator(app, make_person, "sri@example.org", programs=(rtlh,))
    auth.login("sri@example.org", PASSWORD)
    checked = post(
        client,
        "/interventions/new",
        intervention_data(rtlh, title="Rehab rumah warga", village=KOTESAN, action="check"),
    )
    html = text(checked)
    assert checked.status_code == 200 and "Similar interventions nearby" in html
    assert "Bedah rumah BSPS Sengon" in html and "same activity: House renovation" in html
    assert count(app, Intervention) == 1  # checking saves nothing
    fragment = client.get(
        "/similar/interventions",
        query_string={"title": "bedah rumah", "village": SENGON, "category": "sanitation"},
    )
    assert "Bedah rumah BSPS Sengon" in text(fragment) and "<html" not in text(fragment)
    nothing = client.get(
        "/similar/interventions", query_string={"title": "jamban", "village": SENGON}
    )
    assert "Nothing similar found nearby." in text(nothing)


def test_intervention_detail_lists_its_overlap_flags(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person: Any
) -> None:
    rtlh = make_program(app, "RTLH")
    bsps = make_program(app, "BSPS")
    me = facilitator(app, make_person, "sri@example.org", programs=(rtlh,))
    other = facilitator(app, make_person, "budi@example.org", name="Budi Santoso")
    start, end = dt.date(NEXT_YEAR, 3, 1), dt.date(NEXT_YEAR, 9, 30)
    mine = service_intervention(app, me, rtlh, "Rehab RTLH Sengon", start, end)
    service_intervention(app, other, bsps, "BSPS Sengon", start, end)
    with app.app_context():
        flag = db.session.scalars(sa.select(OverlapFlag)).one()  # the check ran in process
        assert {i.id for i in flag.interventions} >= {mine}
    auth.login("sri@example.org", PASSWORD)
    html = text(client.get(f"/interventions/{mine}"))
    assert "Overlaps" in html and "BSPS Sengon" in html and "Budi Santoso" in html
    assert re.search(r"Severity: (High|Medium|Low)", html)
    assert "2 programs in Sengon: BSPS, RTLH" in html  # the reason, in English
    assert "1 overlap" in text(client.get("/interventions"))


def test_coordinator_sees_the_regency_read_only(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person: Any
) -> None:
    rtlh = make_program(app, "RTLH")
    someone = facilitator(app, make_person, "budi@example.org", programs=(rtlh,))
    start, end = dt.date(NEXT_YEAR, 3, 1), dt.date(NEXT_YEAR, 9, 30)
    item = service_intervention(app, someone, rtlh, "Rehab RTLH Sengon", start, end)
    need_id = service_need(app, someone, "Butuh pembukuan")
    offer_id = service_offer(app, someone)
    facilitator(app, make_person, "koor@example.org", role=Role.COORDINATOR, name="Bu Koor")
    auth.login("koor@example.org", PASSWORD)
    listing = text(client.get("/interventions"))
    assert "All of the regency" in listing and "Rehab RTLH Sengon" in listing
    for path in (f"/interventions/{item}", f"/needs/{need_id}", f"/offers/{offer_id}"):
        page = client.get(path)
        assert page.status_code == 200 and "You can look, not change." in text(page)
        assert client.get(f"{path}/edit").status_code == 403
    assert post(client, f"/needs/{need_id}/withdraw", {}).status_code == 403
    # A coordinator may record for any program.
    assert f'value="{rtlh}"' in text(client.get("/interventions/new"))


# Matches ---------------------------------------------------------------------------------------


def test_my_matches_show_contact_only_once_accepted(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person: Any
) -> None:
    helper = facilitator(
        app, make_person, "budi@example.org", name="Budi Santoso", phone="0813 1111 2222"
    )
    me = facilitator(app, make_person, "sri@example.org", phone="0812 3333 4444")
    coordinator = facilitator(app, make_person, "koor@example.org", role=Role.COORDINATOR)
    service_offer(app, helper, "Pelatih pembukuan dari Budi")
    need_id = service_need(app, me, "Butuh pelatihan pembukuan KWT")
    with app.app_context():
        proposal = db.session.scalars(
            sa.select(Proposal).where(Proposal.need_id == need_id, Proposal.rank == 1)
        ).one()
        proposal_id = proposal.id
    auth.login("sri@example.org", PASSWORD)
    listing = text(client.get("/matches"))
    assert "Butuh pelatihan pembukuan KWT" in listing and "Waiting for the coordinator" in listing
    assert "Pelatih pembukuan dari Budi (Budi Santoso)" in listing
    before = text(client.get(f"/matches/{proposal_id}"))
    assert "Budi Santoso" in before and "the same skill: Bookkeeping" in before
    assert "budi@example.org" not in before and "0813 1111 2222" not in before
    assert "Shown once a coordinator accepts" in before
    assert "wa.me" not in client.get(f"/matches/{proposal_id}").get_data(as_text=True)
    with app.app_context():
        reviewer = db.session.get(Person, coordinator)
        assert reviewer is not None
        decide(db.session(), settings_of(app), reviewer, proposal_id, ProposalStatus.ACCEPTED)
        db.session.commit()
    after = text(client.get(f"/matches/{proposal_id}"))
    assert "Accepted" in after
    assert "budi@example.org" in after and "0813 1111 2222" in after
    # Where facilitators talk: a click-to-chat link, the number as WhatsApp wants it.
    assert 'href="https://wa.me/6281311112222"' in client.get(f"/matches/{proposal_id}").get_data(
        as_text=True
    )
    auth.logout()
    auth.login("budi@example.org", PASSWORD)  # the other side sees me the same way
    theirs = text(client.get(f"/matches/{proposal_id}"))
    assert "sri@example.org" in theirs and "0812 3333 4444" in theirs


def test_a_match_that_goes_says_why_and_the_page_explains_the_rule(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person: Any
) -> None:
    helper = facilitator(app, make_person, "budi@example.org", name="Budi Santoso")
    me = facilitator(app, make_person, "sri@example.org")
    offer_id = service_offer(app, helper, "Pelatih pembukuan dari Budi")
    need_id = service_need(app, me, "Butuh pelatihan pembukuan KWT")
    with app.app_context():
        proposal_id = db.session.scalars(
            sa.select(Proposal.id).where(Proposal.need_id == need_id, Proposal.rank == 1)
        ).one()
    auth.login("sri@example.org", PASSWORD)
    before = text(client.get(f"/matches/{proposal_id}"))
    assert "no longer current" not in before
    # The matches page says the rule in words, folded so the list comes first.
    listing = text(client.get("/matches"))
    assert '<details class="help card">' in listing
    assert "only guess a skill when the need chose none" in listing
    assert "a neighbouring kecamatan" in listing and "names the nearest" in listing
    with app.app_context():
        offer = db.session.get(Offer, offer_id)
        assert offer is not None
        set_status(db.session(), offer.person, offer, ExchangeStatus.WITHDRAWN)
        db.session.commit()  # matching retires what the offer was in, in process
        gone = db.session.get(Proposal, proposal_id)
        assert gone is not None and gone.status == ProposalStatus.OBSOLETE
        assert gone.retired_reason is not None
        words = in_both(gone.retired_reason, labels_for(db.session()))
        why = (words["en"], words["id"])
    after = text(client.get(f"/matches/{proposal_id}"))
    assert f"This suggestion is no longer current: {why[0]}" in after
    assert why[0] == "the offer was closed or withdrawn" and why[1] not in after
    client.post("/language", data={"lang": "id", "csrf_token": csrf_token(client, "/matches")})
    indonesian = text(client.get(f"/matches/{proposal_id}"))
    assert f"Saran ini tidak berlaku lagi: {why[1]}" in indonesian
    assert "Cara kami memilih kecocokan" in text(client.get("/matches"))


# Scoping ---------------------------------------------------------------------------------------


def test_another_persons_things_answer_404(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    make_person: Any,
    other_regency: str,
) -> None:
    rtlh = make_program(app, "RTLH")
    owner = facilitator(app, make_person, "sri@example.org", programs=(rtlh,))
    helper = facilitator(app, make_person, "budi@example.org", name="Budi Santoso")
    offer_id = service_offer(app, helper)
    need_id = service_need(app, owner, "Butuh pelatihan pembukuan")
    start, end = dt.date(NEXT_YEAR, 3, 1), dt.date(NEXT_YEAR, 9, 30)
    item = service_intervention(app, owner, rtlh, "Rehab RTLH Sengon", start, end)
    with app.app_context():
        proposal_id = db.session.scalars(sa.select(Proposal.id)).first()
        assert proposal_id is not None
    facilitator(app, make_person, "tono@example.org", name="Tono")
    facilitator(
        app,
        make_person,
        "koor@sukoharjo.example.org",
        role=Role.COORDINATOR,
        regency_code=other_regency,
        name="Koordinator Sukoharjo",
    )
    gets = [
        f"/needs/{need_id}",
        f"/needs/{need_id}/edit",
        f"/interventions/{item}",
        f"/interventions/{item}/edit",
        f"/matches/{proposal_id}",
    ]
    posts = [f"/needs/{need_id}/withdraw", f"/needs/{need_id}/edit", f"/interventions/{item}/edit"]
    for email in ("tono@example.org", "koor@sukoharjo.example.org"):
        auth.login(email, PASSWORD)
        for path in gets:
            assert client.get(path).status_code == 404, (email, path)
        for path in posts:
            assert post(client, path, {}).status_code == 404, (email, path)
        auth.logout()
    auth.login("tono@example.org", PASSWORD)
    assert client.get(f"/offers/{offer_id}").status_code == 404
    assert post(client, f"/offers/{offer_id}/withdraw", {}).status_code == 404
    assert client.get("/needs/999999").status_code == 404
    with app.app_context():
        need = db.session.get(Need, need_id)
        assert need is not None and need.status == ExchangeStatus.OPEN


def test_parse_amount_reads_rupiah_as_people_write_it() -> None:
    assert parse_amount("1500000") == 1_500_000
    assert parse_amount("1.500.000") == 1_500_000
    assert parse_amount("Rp 1.500.000,00") == 1_500_000
    assert parse_amount("rp1,500,000") == 1_500_000
    for wrong in ("1.5 juta", "-5", "1.50.0"):
        with pytest.raises(ValueError, match=r".*"):
            parse_amount(wrong)


def test_similar_interventions_share_activity_or_words(ctx: Flask, make_person: Any) -> None:
    rtlh = make_program(ctx, "RTLH")
    owner = facilitator(ctx, make_person, "budi@example.org", programs=(rtlh,))
    start, end = dt.date(NEXT_YEAR, 3, 1), dt.date(NEXT_YEAR, 9, 30)
    item = service_intervention(ctx, owner, rtlh, "Rehab rumah Sengon", start, end)
    with ctx.app_context():
        hits = similar_interventions(
            db.session(),
            title="Bedah rumah warga miskin",
            kecamatan_code=PRAMBANAN,
            village_code=SENGON,
            category_code="house_renovation",
            today=dt.date.today(),
        )
        assert [h.id for h in hits] == [item]
        assert hits[0].shared_words == ("rumah",) and hits[0].shared_skills == ("house_renovation",)
        over = similar_interventions(
            db.session(),
            title="Bedah rumah",
            kecamatan_code=PRAMBANAN,
            today=dt.date(NEXT_YEAR + 1, 1, 1),
        )
        assert over == []  # finished interventions are no duplicates
