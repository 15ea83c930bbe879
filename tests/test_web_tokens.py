"""API tokens on the profile page: shown once, stored hashed, revocable, acting as their person."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from titiktemu.accounts.tokens import create_token, digest, person_for_token, revoke_token
from titiktemu.extensions import db
from titiktemu.models import ApiToken, Person

from .conftest import PASSWORD, csrf_token

TOKEN_RE = re.compile(r'value="(tt_[A-Za-z0-9_-]{40,})"')


def _signed_in(client: FlaskClient, auth, make_person, email: str = "fasil@example.org") -> int:
    person_id = make_person(email)
    auth.login(email, PASSWORD)
    return int(person_id)


def test_a_new_token_is_shown_once_and_stored_only_as_a_hash(
    app: Flask, client: FlaskClient, auth, make_person
) -> None:
    person_id = _signed_in(client, auth, make_person)
    token = csrf_token(client, "/profile/tokens")
    answer = client.post("/profile/tokens", data={"name": "skrip laptop", "csrf_token": token})
    assert answer.status_code == 201
    found = TOKEN_RE.search(answer.get_data(as_text=True))
    assert found, "the new token must be on the page"
    plain = found.group(1)
    with app.app_context():
        row = db.session.scalars(sa.select(ApiToken)).one()
        assert row.person_id == person_id and row.name == "skrip laptop"
        assert row.token_hash == digest(plain) and plain not in (row.token_hash, row.prefix)
        person = person_for_token(db.session(), plain)
        assert person is not None and person.id == person_id
    again = client.get("/profile/tokens").get_data(as_text=True)
    assert plain not in again and "skrip laptop" in again  # listed, never shown again


def test_a_token_needs_a_name(client: FlaskClient, auth, make_person) -> None:
    _signed_in(client, auth, make_person)
    token = csrf_token(client, "/profile/tokens")
    answer = client.post("/profile/tokens", data={"name": "  ", "csrf_token": token})
    assert answer.status_code == 400
    assert TOKEN_RE.search(answer.get_data(as_text=True)) is None


def test_revoking_stops_the_token(app: Flask, client: FlaskClient, auth, make_person) -> None:
    person_id = _signed_in(client, auth, make_person)
    with app.app_context():
        person = db.session.get(Person, person_id)
        assert person is not None
        row, plain = create_token(db.session(), person, "dasbor")
        db.session.commit()
        row_id = row.id
    token = csrf_token(client, "/profile/tokens")
    answer = client.post(f"/profile/tokens/{row_id}/revoke", data={"csrf_token": token})
    assert answer.status_code == 302
    with app.app_context():
        assert person_for_token(db.session(), plain) is None
        assert db.session.get(ApiToken, row_id).revoked_at is not None  # type: ignore[union-attr]
    # Revoking twice, or someone else's token, is 404.
    assert (
        client.post(f"/profile/tokens/{row_id}/revoke", data={"csrf_token": token}).status_code
        == 404
    )


def test_tokens_of_an_inactive_person_or_malformed_tokens_are_refused(
    app: Flask, make_person
) -> None:
    with app.app_context():
        person = db.session.get(Person, make_person("pergi@example.org"))
        assert person is not None
        _row, plain = create_token(db.session(), person, "lama")
        db.session.commit()
        assert person_for_token(db.session(), plain) is not None
        assert person_for_token(db.session(), plain[:-1]) is None
        assert person_for_token(db.session(), "Bearer " + plain) is None
        assert person_for_token(db.session(), "") is None
        person.active = False
        db.session.commit()
        assert person_for_token(db.session(), plain) is None
        other = db.session.get(Person, make_person("lain@example.org"))
        assert other is not None
        assert revoke_token(db.session(), other, _row.id) is False
