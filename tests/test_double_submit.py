"""A create sent twice makes one row (issue 12, finding 3: a double tap on Save made two needs).

The need, offer and intervention forms carry a one-time key drawn with the page; the API's
creating POSTs take an ``Idempotency-Key`` header. Sent twice one after the other, and twice at
the same moment from two real threads against a live server, exactly one row is made and both
answers lead to it. For the simultaneous case the first request is held inside its transaction
until the second is waiting too (a SHARE lock on the table on PostgreSQL, the database's write
lock on SQLite), so the two really overlap.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import requests
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from titiktemu.extensions import db
from titiktemu.imports import COLUMNS
from titiktemu.jobs.queue import celery_of
from titiktemu.models import (
    Base,
    ImportRun,
    Intervention,
    Need,
    Offer,
    OutboxEmail,
    Person,
    Program,
    Role,
    SubmissionKey,
)
from titiktemu.models.base import utcnow
from titiktemu.submissions import purge

from .api_support import assert_problem, bearer
from .browser import live_server
from .conftest import CSRF_RE, PASSWORD, AuthActions
from .test_web_facilitator import (
    count,
    facilitator,
    intervention_data,
    make_program,
    need_data,
    offer_data,
    text,
)

API = "/api/v1"
EMAIL = "sri@example.org"
KEY_RE = re.compile(r'name="submission_key"[^>]*value="([^"]+)"')
NEXT_YEAR = dt.date.today().year + 1
#: kind -> (the form, its model, its table, where a saved one is shown)
FORMS: dict[str, tuple[str, type[Base], str, str]] = {
    "need": ("/needs/new", Need, "needs", "/needs/"),
    "offer": ("/offers/new", Offer, "offers", "/offers/"),
    "intervention": ("/interventions/new", Intervention, "interventions", "/interventions/"),
}


def sri(app: Flask, make_person: Any) -> int:
    """A facilitator of Klaten with a program; the program's id."""
    program = make_program(app, "RTLH")
    facilitator(app, make_person, EMAIL, programs=(program,))
    return program


def form_data(kind: str, program: int) -> dict[str, Any]:
    if kind == "need":
        return need_data()
    if kind == "offer":
        return offer_data()
    return intervention_data(program)


def drawn(page: str) -> dict[str, str]:
    """The CSRF token and the one-time key a drawn form carries."""
    csrf, key = CSRF_RE.search(page), KEY_RE.search(page)
    assert csrf and key, "the form carries no CSRF token or no submission key"
    return {"csrf_token": csrf.group(1), "submission_key": key.group(1)}


def ids(app: Flask, model: type[Base]) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(model.id)))  # type: ignore[attr-defined]


@contextmanager
def writes_held(app: Flask, table: str) -> Iterator[Callable[[int], None]]:
    """Hold back writes to ``table`` until the block ends; yields ``waiting(n)``, which returns
    once ``n`` requests are blocked (PostgreSQL says so; SQLite cannot, so it gives them time)."""
    url = sa.make_url(str(app.config["SQLALCHEMY_DATABASE_URI"]))
    if url.get_backend_name() == "postgresql":
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            conn.execute(sa.text(f"LOCK TABLE {table} IN SHARE MODE"))
            name = conn.execute(sa.text("SELECT current_database()")).scalar_one()

            def waiting(n: int) -> None:
                deadline = time.monotonic() + 20
                query = sa.text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = :name AND wait_event_type = 'Lock'"
                )
                with engine.connect() as watch:
                    while watch.execute(query, {"name": name}).scalar_one() < n:
                        assert time.monotonic() < deadline, f"{n} requests never waited"
                        time.sleep(0.02)

            yield waiting
            conn.rollback()
        engine.dispose()
    else:
        lock = sqlite3.connect(str(url.database), isolation_level=None, timeout=30)
        lock.execute("BEGIN IMMEDIATE")
        yield lambda _n: time.sleep(0.3)
        lock.execute("ROLLBACK")
        lock.close()


def signed_in(base: str) -> requests.Session:
    """A browser session on the live server, signed in as Sri through the real form."""
    browser = requests.Session()
    page = browser.get(f"{base}/login", timeout=30).text
    token = CSRF_RE.search(page)
    assert token
    answer = browser.post(
        f"{base}/login",
        data={"email": EMAIL, "password": PASSWORD, "csrf_token": token.group(1), "next": ""},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.text[:300]
    return browser


def at_once(app: Flask, table: str, send: Callable[[], requests.Response]) -> list[Any]:
    """``send`` twice from two threads, both in flight before either may write to ``table``."""
    with ThreadPoolExecutor(2) as pool:
        with writes_held(app, table) as waiting:
            sent = [pool.submit(send) for _ in range(2)]
            waiting(2)
        return [future.result(timeout=60) for future in sent]


# Forms -----------------------------------------------------------------------------------------


def test_a_double_tap_on_save_makes_one_row(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person: Any
) -> None:
    program = sri(app, make_person)
    auth.login(EMAIL, PASSWORD)
    for kind, (path, model, _table, shown) in FORMS.items():
        data = {**form_data(kind, program), **drawn(text(client.get(path)))}
        first = client.post(path, data=data)
        second = client.post(path, data=data)
        assert first.status_code == second.status_code == 302, (kind, text(second)[:500])
        assert ids(app, model) == [int(first.headers["Location"].removeprefix(shown))], kind
        assert second.headers["Location"] == first.headers["Location"], kind
        # Both answers flashed "saved": the page the second leads to says it once.
        assert text(client.get(second.headers["Location"])).count("is saved") == 1, kind


def test_two_taps_at_the_same_moment_make_one_row(app: Flask, make_person: Any) -> None:
    program = sri(app, make_person)
    with live_server(app) as base:
        browser = signed_in(base)
        cookies = browser.cookies
        for kind, (path, model, table, shown) in FORMS.items():
            data = {**form_data(kind, program), **drawn(browser.get(f"{base}{path}").text)}

            def tap(path: str = path, data: dict[str, Any] = data) -> requests.Response:
                return requests.post(
                    f"{base}{path}", data=data, cookies=cookies, allow_redirects=False, timeout=60
                )

            answers = at_once(app, table, tap)
            assert [a.status_code for a in answers] == [302, 302], (kind, answers[0].text[:500])
            (made,) = ids(app, model)
            assert {a.headers["Location"] for a in answers} == {f"{shown}{made}"}, kind


def test_a_refused_form_keeps_its_key_and_a_page_without_one_still_saves(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person: Any
) -> None:
    sri(app, make_person)
    auth.login(EMAIL, PASSWORD)
    keys = drawn(text(client.get("/needs/new")))
    refused = client.post("/needs/new", data={**need_data(skills=[]), **keys})
    assert refused.status_code == 400 and count(app, Need) == 0
    assert keys["submission_key"] in text(refused)  # drawn again: the corrected form sends it
    saved = client.post("/needs/new", data={**need_data(), **keys})
    assert saved.status_code == 302 and count(app, Need) == 1
    # A page drawn before forms carried keys (an old cached one) posts none and saves once.
    old = client.post(
        "/needs/new", data={**need_data(title="Butuh juru tulis"), "csrf_token": keys["csrf_token"]}
    )
    assert old.status_code == 302 and count(app, Need) == 2
    # Each drawing of the form has a key of its own; an edit form carries none.
    assert drawn(text(client.get("/needs/new")))["submission_key"] != keys["submission_key"]
    need_id = int(saved.headers["Location"].removeprefix("/needs/"))
    assert "submission_key" not in text(client.get(f"/needs/{need_id}/edit"))


def test_a_double_tap_on_send_invitation_sends_one(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person: Any
) -> None:
    make_person("koor@example.org", role=Role.COORDINATOR)
    auth.login("koor@example.org", PASSWORD)
    data = {"email": "baru@example.org", "name": "Baru", **drawn(text(client.get("/invite")))}
    first, second = client.post("/invite", data=data), client.post("/invite", data=data)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert count(app, OutboxEmail) == 1  # not a second email with a second link
    with app.app_context():
        invited = db.session.scalars(sa.select(Person).where(Person.email == "baru@example.org"))
        assert len(invited.all()) == 1


# API -------------------------------------------------------------------------------------------


def api_body(kind: str, program: int, title: str = "Pelatihan pembukuan KWT") -> dict[str, Any]:
    if kind == "needs":
        return {"title": title, "skills": ["bookkeeping"], "village_code": "33.10.01.2001"}
    if kind == "offers":
        return {"title": title, "skills": ["bookkeeping"], "kecamatan_codes": ["33.10.01"]}
    return {
        "program_id": program,
        "village_code": "33.10.01.2001",
        "category_code": "house_renovation",
        "title": title,
        "start_date": f"{NEXT_YEAR}-03-01",
        "end_date": f"{NEXT_YEAR}-08-31",
    }


API_MODELS: dict[str, tuple[type[Base], str]] = {
    "needs": (Need, "needs"),
    "offers": (Offer, "offers"),
    "interventions": (Intervention, "interventions"),
}


def with_program(app: Flask, make_person: Any) -> tuple[dict[str, str], int]:
    program = sri(app, make_person)
    with app.app_context():
        person_id = db.session.scalars(sa.select(Person.id).where(Person.email == EMAIL)).one()
    return bearer(app, person_id), program


def test_an_api_retry_with_the_same_key_answers_the_first_answer(
    app: Flask, client: FlaskClient, make_person: Any
) -> None:
    token, program = with_program(app, make_person)
    for kind, (model, _table) in API_MODELS.items():
        headers = {**token, "Idempotency-Key": f"{kind}-retry-1"}
        body = api_body(kind, program)
        first = client.post(f"{API}/{kind}", headers=headers, json=body)
        again = client.post(f"{API}/{kind}", headers=headers, json=dict(reversed(body.items())))
        assert first.status_code == again.status_code == 201, again.get_data(as_text=True)
        assert again.get_data() == first.get_data() and again.mimetype == first.mimetype
        assert again.headers["Idempotent-Replayed"] == "true"
        assert "Idempotent-Replayed" not in first.headers
        assert ids(app, model) == [first.get_json()["id"]]
        # The same key with another request is refused, and creates nothing.
        other = client.post(f"{API}/{kind}", headers=headers, json=api_body(kind, program, "Lain"))
        problem = assert_problem(other, 422)
        assert problem["errors"] == [
            {"field": "header.Idempotency-Key", "message": "already used for another request"}
        ]
        assert count(app, model) == 1


def test_a_refused_api_request_leaves_its_key_free_and_no_key_is_as_before(
    app: Flask, client: FlaskClient, make_person: Any
) -> None:
    token, program = with_program(app, make_person)
    headers = {**token, "Idempotency-Key": "need-2"}
    body = api_body("needs", program)
    refused = client.post(f"{API}/needs", headers=headers, json={**body, "skills": ["no_such"]})
    assert_problem(refused, 422)
    assert client.post(f"{API}/needs", headers=headers, json=body).status_code == 201
    assert count(app, Need) == 1
    # Without the header nothing changes: each POST creates (here a second, other need).
    plain = client.post(f"{API}/needs", headers=token, json=api_body("needs", program, "Lain"))
    assert plain.status_code == 201 and count(app, Need) == 2
    fresh = api_body("needs", program, "Butuh juru tulis")
    for bad in ("", "a b", "x" * 256, "kunci-é"):
        answer = client.post(f"{API}/needs", headers={**token, "Idempotency-Key": bad}, json=fresh)
        assert assert_problem(answer, 422)["errors"][0]["field"] == "header.Idempotency-Key"
    assert count(app, Need) == 2


def test_two_api_retries_at_the_same_moment_create_once(app: Flask, make_person: Any) -> None:
    token, program = with_program(app, make_person)
    with live_server(app) as base:
        for kind, (model, table) in API_MODELS.items():
            headers = {**token, "Idempotency-Key": f"{kind}-at-once"}
            url, body = f"{base}{API}/{kind}", api_body(kind, program)

            def send(
                url: str = url, body: dict[str, Any] = body, headers: dict[str, str] = headers
            ) -> requests.Response:
                return requests.post(url, headers=headers, json=body, timeout=60)

            answers = at_once(app, table, send)
            assert [a.status_code for a in answers] == [201, 201], answers[0].text[:500]
            assert answers[0].content == answers[1].content, kind
            replayed = sorted(a.headers.get("Idempotent-Replayed", "") for a in answers)
            assert replayed == ["", "true"], kind
            assert ids(app, model) == [answers[0].json()["id"]], kind


def test_an_upload_sent_twice_with_one_key_is_one_import_run(
    app: Flask, client: FlaskClient, make_person: Any
) -> None:
    koor = bearer(app, make_person("koor@example.org", role=Role.COORDINATOR))
    row = ["PKH", "Program Keluarga Harapan", "Kemensos", "apbn", "social_assistance"]
    csv = ("\n".join([",".join(COLUMNS["programs"]), ",".join(row)]) + "\n").encode()

    def upload(data: bytes) -> Any:
        return client.post(
            f"{API}/imports",
            headers={**koor, "Idempotency-Key": "upload-1"},
            data={"file": (io.BytesIO(data), "programs.csv")},
            content_type="multipart/form-data",
        )

    first, again = upload(csv), upload(csv)
    assert first.status_code == again.status_code == 201, first.get_data(as_text=True)
    assert again.get_data() == first.get_data()
    assert count(app, ImportRun) == 1 and count(app, Program) == 1
    assert_problem(upload(csv.replace(b"PKH", b"PKH2")), 422)
    assert count(app, ImportRun) == 1


def test_the_document_names_the_header_on_the_posts_that_create(client: FlaskClient) -> None:
    doc = client.get(f"{API}/openapi.json").get_json()
    for path in ("/needs", "/offers", "/interventions", "/imports"):
        post = doc["paths"][path]["post"]
        header = [p for p in post["parameters"] if p["in"] == "header"]
        assert [(p["name"], p["required"]) for p in header] == [("Idempotency-Key", False)]
        assert {"409", "422"} <= set(post["responses"])
    assert "parameters" not in doc["paths"]["/needs/{id}/status"]["post"] or all(
        p["in"] != "header" for p in doc["paths"]["/needs/{id}/status"]["post"]["parameters"]
    )


# Old keys --------------------------------------------------------------------------------------


def test_keys_older_than_a_day_are_purged_by_the_beat(app: Flask, make_person: Any) -> None:
    person_id = make_person(EMAIL)
    with app.app_context():
        now = utcnow()
        for key, age in (("old", dt.timedelta(days=2)), ("new", dt.timedelta(hours=1))):
            db.session.add(
                SubmissionKey(person_id=person_id, key=key, kind="need", created_at=now - age)
            )
        db.session.commit()
    celery = celery_of(app)
    import worker.tasks  # noqa: F401 - registers the tasks, as the worker does

    entry = next(
        e
        for e in celery.conf.beat_schedule.values()
        if e["task"] == "titiktemu.purge_submission_keys"
    )
    assert entry["schedule"].minute == {25}  # every hour
    assert celery.tasks["titiktemu.purge_submission_keys"].apply().get() == 1
    with app.app_context():
        assert list(db.session.scalars(sa.select(SubmissionKey.key))) == ["new"]
        assert purge(db.session()) == 0
