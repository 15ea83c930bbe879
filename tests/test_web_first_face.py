"""The first web face: sign in and out, the regency's counts, /healthz, headers on every answer."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from titiktemu.app import settings_of
from titiktemu.extensions import db
from titiktemu.models import Role
from titiktemu.settings import Settings
from web.app import create_app

from .conftest import PASSWORD, AuthActions, csrf_token


def test_login_page_is_indonesian_by_default(client: FlaskClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="id">' in html
    assert "Masuk" in html and "Kata sandi" in html


def test_home_needs_sign_in(client: FlaskClient) -> None:
    answer = client.get("/")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login")


def test_sign_in_shows_the_regency_counts(
    client: FlaskClient, auth: AuthActions, make_person
) -> None:
    make_person("koor@example.org", role=Role.COORDINATOR)
    answer = auth.login("Koor@Example.org ", PASSWORD)
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    html = client.get("/").get_data(as_text=True)
    assert "Kabupaten Klaten" in html
    assert re.search(r"<b>401</b> desa/kelurahan", html)
    assert re.search(r"<b>1</b> orang", html)


def test_wrong_password_and_unknown_person_get_the_same_answer(
    client: FlaskClient, auth: AuthActions, make_person
) -> None:
    make_person("sri@example.org")
    wrong = auth.login("sri@example.org", "bukan-kata-sandinya")
    unknown = auth.login("siapa@example.org", "bukan-kata-sandinya")
    assert wrong.status_code == unknown.status_code == 401

    def strip(html: str) -> str:
        return re.sub(r'value="[^"]*"', "", html)

    assert strip(wrong.get_data(as_text=True)) == strip(unknown.get_data(as_text=True))
    assert "Email atau kata sandi tidak tepat." in wrong.get_data(as_text=True)


def test_inactive_person_cannot_sign_in(auth: AuthActions, make_person) -> None:
    make_person("pergi@example.org", active=False)
    assert auth.login("pergi@example.org", PASSWORD).status_code == 401


@pytest.mark.parametrize(
    ("next_url", "lands"),
    [
        ("/?tab=1", "/?tab=1"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_only_redirects_inside_the_site(
    auth: AuthActions, make_person, next_url: str, lands: str
) -> None:
    make_person("sri@example.org")
    answer = auth.login("sri@example.org", PASSWORD, next_url=next_url)
    assert answer.headers["Location"] == lands


def test_logout_needs_csrf_and_kills_the_old_cookie(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person
) -> None:
    make_person("sri@example.org")
    auth.login("sri@example.org", PASSWORD)
    stolen = client.get_cookie("session")
    assert stolen is not None
    assert client.post("/logout").status_code == 400  # no CSRF token
    assert client.get("/").status_code == 200
    auth.logout()
    assert client.get("/").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", stolen.value)
    assert thief.get("/").status_code == 302  # the copied cookie is worthless after logout


def test_session_is_renewed_on_login(client: FlaskClient, auth: AuthActions, make_person) -> None:
    make_person("sri@example.org")
    client.get("/login")
    before = client.get_cookie("session")
    auth.login("sri@example.org", PASSWORD)
    after = client.get_cookie("session")
    assert before is not None and after is not None and before.value != after.value


def test_language_switch_is_remembered_on_the_person(
    client: FlaskClient, auth: AuthActions, make_person
) -> None:
    make_person("sri@example.org")
    auth.login("sri@example.org", PASSWORD)
    token = csrf_token(client, "/")
    client.post("/language", data={"lang": "en", "csrf_token": token, "next": "/"})
    assert "open needs" in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login("sri@example.org", PASSWORD)
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html and "open needs" in html


def test_security_headers_on_pages_and_errors(client: FlaskClient) -> None:
    for path in ("/login", "/no-such-page", "/healthz"):
        answer = client.get(path)
        csp = answer.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_flags(client: FlaskClient, app: Flask) -> None:
    client.get("/login")
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert not app.config["SESSION_COOKIE_SECURE"]  # local http


def test_healthz_on_the_embedded_default(client: FlaskClient) -> None:
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.get_json() == {
        "database": "ok",
        "broker": "eager",
        "reference_data": "ok",  # the session's database has the taxonomy and Klaten
        "login_limits": "memory",  # no Redis: this one process counts sign-in failures
        "warnings": [],
        "status": "ok",
    }


def test_healthz_reports_a_real_broker(app: Flask, redis_url: str) -> None:
    settings = settings_of(app)
    live = create_app(Settings(**{**settings.__dict__, "broker_url": redis_url}))
    dead = create_app(Settings(**{**settings.__dict__, "broker_url": "redis://127.0.0.1:1/0"}))
    try:
        assert live.test_client().get("/healthz").get_json()["broker"] == "ok"
        # Redis down is a warning, not a 503: jobs wait in the database, sign-in limits count in
        # memory, and a load balancer keeps the instances that all share that one Redis.
        answer = dead.test_client().get("/healthz")
        assert answer.status_code == 200
        body = answer.get_json()
        assert body["broker"].startswith("error") and body["status"] == "warning"
        assert body["login_limits"] == "memory (redis unreachable)"
    finally:
        for one in (live, dead):
            with one.app_context():
                db.engine.dispose()
