"""Accounts: invitations, password resets and changes, self-registration, the password policy."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from titiktemu.accounts.passwords import PasswordProblem, common_passwords, password_problem
from titiktemu.accounts.signin import (
    INVITE_SALT,
    RESET_SALT,
    authenticate,
    link_token,
)
from titiktemu.app import settings_of
from titiktemu.extensions import db
from titiktemu.jobs import settle
from titiktemu.models import AuditEntry, NotifyPreference, OutboxEmail, Person, Role
from web.auth.limits import limiter_of

from .conftest import KLATEN, PASSWORD, AuthActions, csrf_token

NEW_PASSWORD = "sawah hijau di tepi kali"


@pytest.fixture(autouse=True)
def _fresh_limits(app: Flask) -> Iterator[None]:
    """Untouched rate limits before and after each test: they live in memory for the whole
    session, and an account locked here must not fail someone else's sign-in later."""
    limiter_of(app).reset()
    yield
    limiter_of(app).reset()


def emailed_links(app: Flask, kind: str) -> list[str]:
    """The paths of ``kind`` ("invite", "reset") in the .eml files of the embedded outbox."""
    settle(app)  # a reset is a job that runs after the answer
    folder: Path = settings_of(app).outbox_dir
    links = []
    for path in sorted(folder.glob("*.eml")) if folder.exists() else []:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        links += re.findall(rf"http://127\.0\.0\.1:5000(/{kind}/[\w.\-]+)", body.get_content())
    return links


def outbox(app: Flask) -> list[tuple[str, str]]:
    settle(app)
    with app.app_context():
        rows = db.session.execute(
            sa.select(OutboxEmail.template, OutboxEmail.to_address).order_by(OutboxEmail.id)
        )
        return [(template, to) for template, to in rows]


def person_by_email(app: Flask, address: str) -> Person | None:
    with app.app_context():
        person = db.session.scalars(sa.select(Person).where(Person.email == address)).one_or_none()
        if person is not None:
            db.session.expunge(person)
        return person


def post_form(client: FlaskClient, path: str, data: dict[str, str], form_page: str | None = None):
    """Post ``data`` with the CSRF token of the form page (``path`` unless given)."""
    token = csrf_token(client, form_page or path)
    return client.post(path, data={**data, "csrf_token": token})


def english(client: FlaskClient) -> None:
    """Read the pages in English, so the assertions hold whatever the translators write."""
    token = csrf_token(client, "/reset")  # a form page whether signed in or not
    client.post("/language", data={"lang": "en", "csrf_token": token, "next": "/reset"})


def strip_values(html: str) -> str:
    return re.sub(r'value="[^"]*"', "", html)


# --- Invitations -----------------------------------------------------------------------------


def test_invitation_end_to_end(app: Flask, client: FlaskClient, auth: AuthActions, make_person):
    make_person("koor@example.org", role=Role.COORDINATOR, name="Bu Koordinator")
    auth.login("koor@example.org", PASSWORD)
    answer = post_form(client, "/invite", {"email": " Budi@Example.org ", "name": "Budi"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/invite"

    invited = person_by_email(app, "budi@example.org")
    assert invited is not None
    assert invited.role == Role.FACILITATOR and invited.regency_code == KLATEN
    assert invited.password_hash is None and invited.name == "Budi"
    assert outbox(app) == [("invitation", "budi@example.org")]
    links = emailed_links(app, "invite")
    assert len(links) == 1
    assert "Budi" in client.get("/invite").get_data(as_text=True)  # listed as not joined yet

    newcomer = app.test_client()
    form = newcomer.get(links[0])
    assert form.status_code == 200 and "budi@example.org" in form.get_data(as_text=True)
    before = newcomer.get_cookie("session")
    joined = post_form(
        newcomer,
        links[0],
        {"name": "Budi Santoso", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert joined.status_code == 302 and joined.headers["Location"] == "/"
    after = newcomer.get_cookie("session")
    assert before is not None and after is not None and before.value != after.value
    assert newcomer.get("/").status_code == 200  # signed in
    with app.app_context():
        person = authenticate(db.session(), "budi@example.org", NEW_PASSWORD)
        assert person is not None and person.name == "Budi Santoso"

    again = app.test_client()
    english(again)
    used = again.get(links[0])
    assert used.status_code == 410
    assert "already used" in used.get_data(as_text=True)
    replay = again.post(links[0], data={"name": "x", "password": "x", "confirm": "x"})
    assert replay.status_code in (400, 410)  # no CSRF token; either way nothing changes
    with app.app_context():
        assert authenticate(db.session(), "budi@example.org", NEW_PASSWORD) is not None


def test_invitation_reaches_someone_who_turned_email_off(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person
):
    make_person("koor@example.org", role=Role.COORDINATOR)
    with app.app_context():
        db.session.add(
            Person(
                email="sepi@example.org",
                name="Sepi",
                regency_code=KLATEN,
                notify=NotifyPreference.OFF,
            )
        )
        db.session.commit()
    auth.login("koor@example.org", PASSWORD)
    english(client)
    answer = post_form(client, "/invite", {"email": "sepi@example.org"})
    assert answer.status_code == 302
    assert "invited before" in client.get("/invite").get_data(as_text=True)
    assert outbox(app) == [("invitation", "sepi@example.org")]


def test_an_account_with_a_password_is_not_invited_again(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person
):
    make_person("koor@example.org", role=Role.COORDINATOR)
    make_person("sri@example.org")
    auth.login("koor@example.org", PASSWORD)
    english(client)
    post_form(client, "/invite", {"email": "sri@example.org"})
    assert "already has an account" in client.get("/invite").get_data(as_text=True)
    assert outbox(app) == []


def test_only_coordinators_and_admins_invite(client: FlaskClient, auth: AuthActions, make_person):
    assert client.get("/invite").headers["Location"].startswith("/login")
    make_person("sri@example.org")
    auth.login("sri@example.org", PASSWORD)
    assert client.get("/invite").status_code == 403


def test_an_admin_chooses_the_regency(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person
):
    make_person("admin@example.org", role=Role.ADMIN, regency_code=None)
    auth.login("admin@example.org", PASSWORD)
    page = client.get("/invite").get_data(as_text=True)
    assert 'value="33.10"' in page and "Kabupaten Klaten" in page
    post_form(client, "/invite", {"email": "ani@example.org", "regency": KLATEN})
    invited = person_by_email(app, "ani@example.org")
    assert invited is not None and invited.regency_code == KLATEN
    refused = post_form(client, "/invite", {"email": "eko@example.org", "regency": ""})
    assert refused.status_code == 400 and person_by_email(app, "eko@example.org") is None


def test_an_expired_or_mangled_invitation_gives_a_clear_page(
    app: Flask, client: FlaskClient, make_person
):
    person_id = make_person("budi@example.org")
    with app.app_context():
        person = db.session.get(Person, person_id)
        assert person is not None
        person.password_hash = None
        db.session.commit()
        eight_days_ago = time.time() - dt.timedelta(days=8).total_seconds()
        old = link_token(settings_of(app), INVITE_SALT, person, issued_at=eight_days_ago)
        fresh = link_token(settings_of(app), INVITE_SALT, person)
        as_reset = link_token(settings_of(app), RESET_SALT, person)
    english(client)
    expired = client.get(f"/invite/{old}")
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    assert client.get(f"/invite/{fresh}").status_code == 200
    for bad in (fresh[:-3], "x", as_reset):  # cut short, made up, a reset link
        mangled = client.get(f"/invite/{bad}")
        assert mangled.status_code == 404 and "not valid" in mangled.get_data(as_text=True)


# --- Password reset --------------------------------------------------------------------------


def test_reset_answers_alike_for_known_and_unknown_addresses(
    app: Flask, client: FlaskClient, make_person
):
    make_person("sri@example.org")
    known = post_form(client, "/reset", {"email": "sri@example.org"})
    unknown = post_form(client, "/reset", {"email": "siapa@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert strip_values(known.get_data(as_text=True)) == strip_values(
        unknown.get_data(as_text=True)
    )
    assert outbox(app) == [("password_reset", "sri@example.org")]


def test_reset_sets_the_password_and_ends_every_old_session(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person
):
    make_person("sri@example.org")
    auth.login("sri@example.org", PASSWORD)
    assert client.get("/").status_code == 200

    other = app.test_client()
    post_form(other, "/reset", {"email": "SRI@example.org"})
    links = emailed_links(app, "reset")
    assert len(links) == 1
    done = post_form(other, links[0], {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and other.get("/").status_code == 200

    assert client.get("/").status_code == 302  # the session from before the reset is over
    assert auth.login("sri@example.org", PASSWORD).status_code == 401
    assert auth.login("sri@example.org", NEW_PASSWORD).status_code == 302
    assert app.test_client().get(links[0]).status_code == 410  # single use
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "person.password_reset" in actions


def test_reset_link_lasts_an_hour(app: Flask, client: FlaskClient, make_person):
    person_id = make_person("sri@example.org")
    with app.app_context():
        person = db.session.get(Person, person_id)
        assert person is not None
        settings = settings_of(app)
        stale = link_token(settings, RESET_SALT, person, issued_at=time.time() - 3601)
        recent = link_token(settings, RESET_SALT, person, issued_at=time.time() - 3500)
    assert client.get(f"/reset/{stale}").status_code == 410
    assert client.get(f"/reset/{recent}").status_code == 200


def test_reset_reaches_someone_who_turned_email_off(app: Flask, client: FlaskClient, make_person):
    person_id = make_person("sri@example.org")
    with app.app_context():
        person = db.session.get(Person, person_id)
        assert person is not None
        person.notify = NotifyPreference.OFF
        db.session.commit()
    post_form(client, "/reset", {"email": "sri@example.org"})
    assert outbox(app) == [("password_reset", "sri@example.org")]


def test_an_inactive_person_gets_no_reset(app: Flask, client: FlaskClient, make_person):
    make_person("pergi@example.org", active=False)
    assert post_form(client, "/reset", {"email": "pergi@example.org"}).status_code == 200
    assert outbox(app) == []


# --- Changing the password -------------------------------------------------------------------


def test_changing_the_password_ends_the_other_sessions(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person
):
    make_person("sri@example.org")
    laptop = app.test_client()
    AuthActions(laptop).login("sri@example.org", PASSWORD)
    auth.login("sri@example.org", PASSWORD)
    english(client)

    wrong = post_form(
        client,
        "/password",
        {"current": "bukan-ini-sandinya", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert wrong.status_code == 400 and "current password is not right" in wrong.get_data(
        as_text=True
    )
    assert laptop.get("/").status_code == 200

    done = post_form(
        client,
        "/password",
        {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert client.get("/").status_code == 200  # this browser got a fresh session
    assert laptop.get("/").status_code == 302  # the other one is over


# --- Self-registration -----------------------------------------------------------------------


def test_registration_is_off_until_an_admin_opens_it(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person
):
    assert client.get("/register").status_code == 404
    assert "/register" not in client.get("/login").get_data(as_text=True)

    make_person("koor@example.org", role=Role.COORDINATOR)
    auth.login("koor@example.org", PASSWORD)
    assert client.get("/settings/registration").status_code == 403
    auth.logout()

    make_person("admin@example.org", role=Role.ADMIN, regency_code=None)
    auth.login("admin@example.org", PASSWORD)
    assert post_form(client, "/settings/registration", {"open": "y"}).status_code == 302
    auth.logout()

    visitor = app.test_client()
    assert 'href="/register"' in visitor.get("/login").get_data(as_text=True)
    page = visitor.get("/register")
    assert page.status_code == 200 and 'value="33.10"' in page.get_data(as_text=True)
    sent = post_form(
        visitor,
        "/register",
        {"name": "Dewi", "email": "dewi@example.org", "regency": KLATEN},
    )
    assert sent.status_code == 200
    dewi = person_by_email(app, "dewi@example.org")
    assert dewi is not None
    assert dewi.role == Role.FACILITATOR and dewi.regency_code == KLATEN
    assert dewi.password_hash is None  # usable only once the owner of the address sets one
    links = emailed_links(app, "invite")
    assert len(links) == 1
    joined = post_form(
        visitor, links[0], {"name": "Dewi", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert joined.status_code == 302 and visitor.get("/").status_code == 200

    auth.login("admin@example.org", PASSWORD)
    assert post_form(client, "/settings/registration", {}).status_code == 302  # unticked: closed
    assert app.test_client().get("/register").status_code == 404


def test_registration_does_not_tell_who_has_an_account(
    app: Flask, client: FlaskClient, make_person
):
    admin_id = make_person("admin@example.org", role=Role.ADMIN, regency_code=None)
    make_person("sri@example.org")
    with app.app_context():
        from titiktemu.accounts.signin import set_registration

        admin = db.session.get(Person, admin_id)
        assert admin is not None
        set_registration(db.session(), admin, True)
        db.session.commit()
    new = post_form(client, "/register", {"name": "A", "email": "a@example.org", "regency": KLATEN})
    old = post_form(
        client, "/register", {"name": "Sri", "email": "sri@example.org", "regency": KLATEN}
    )
    assert new.status_code == old.status_code == 200
    assert strip_values(new.get_data(as_text=True)) == strip_values(old.get_data(as_text=True))
    # The newcomer is invited; the existing account gets a reset link instead.
    assert sorted(outbox(app)) == [
        ("invitation", "a@example.org"),
        ("password_reset", "sri@example.org"),
    ]
    unknown = post_form(
        client, "/register", {"name": "B", "email": "b@example.org", "regency": "99.99"}
    )
    assert unknown.status_code == 400 and person_by_email(app, "b@example.org") is None


# --- The password policy ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("a" * 7, PasswordProblem.TOO_SHORT),
        ("kopi-7c", PasswordProblem.TOO_SHORT),
        ("x" * 65, PasswordProblem.TOO_LONG),
        ("Bismillah", PasswordProblem.COMMON),
        ("SAYANGKU", PasswordProblem.COMMON),
        ("klaten123", PasswordProblem.COMMON),
        ("Password123", PasswordProblem.COMMON),
        ("rahasia123", PasswordProblem.COMMON),
        ("indonesia", PasswordProblem.COMMON),
        ("TitikTemu", PasswordProblem.SITE_NAME),
        ("titiktemu2025!", PasswordProblem.SITE_NAME),
        ("Sri.Wahyuni", PasswordProblem.LIKE_EMAIL),
        ("sri.wahyuni99", PasswordProblem.LIKE_EMAIL),
        ("sri.wahyuni@example.org", PasswordProblem.LIKE_EMAIL),
        ("kopi-7ca", None),
        ("x" * 64, None),
        (NEW_PASSWORD, None),
    ],
)
def test_password_policy(password: str, problem: PasswordProblem | None) -> None:
    assert password_problem(password, "Sri.Wahyuni@example.org") == problem


def test_the_common_list_is_lowercase_and_has_a_few_hundred() -> None:
    words = common_passwords()
    assert len(words) >= 300
    assert all(word == word.lower() for word in words)
    assert {"indonesia", "bismillah", "sayangku", "klaten123", "rahasia", "password123"} <= words


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("pendek1", "at least 8 characters"),
        ("p" * 65, "at most 64 characters"),
        ("sayangku", "most common"),
        ("budi.s", "at least 8"),
        ("Budi.Santoso", "must not be your email address"),
        ("titiktemu", "name of this site"),
    ],
)
def test_the_invitation_form_explains_a_refused_password(
    app: Flask, client: FlaskClient, password: str, message: str
):
    with app.app_context():
        person = Person(email="budi.santoso@example.org", name="Budi", regency_code=KLATEN)
        db.session.add(person)
        db.session.commit()
        link = f"/invite/{link_token(settings_of(app), INVITE_SALT, person)}"
    english(client)
    answer = post_form(client, link, {"name": "Budi", "password": password, "confirm": password})
    assert answer.status_code == 400
    assert message in answer.get_data(as_text=True)
    refreshed = person_by_email(app, "budi.santoso@example.org")
    assert refreshed is not None and refreshed.password_hash is None


def test_the_two_passwords_must_match(app: Flask, client: FlaskClient, make_person):
    person_id = make_person("sri@example.org")
    with app.app_context():
        person = db.session.get(Person, person_id)
        assert person is not None
        link = f"/reset/{link_token(settings_of(app), RESET_SALT, person)}"
    english(client)
    answer = post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "!"})
    assert answer.status_code == 400 and "not the same" in answer.get_data(as_text=True)
