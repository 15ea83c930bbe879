"""``titiktemu token create|list|revoke``: an operator's token, printed once, working at once."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskCliRunner

from titiktemu.accounts.tokens import digest
from titiktemu.extensions import db
from titiktemu.models import ApiToken


def test_create_list_revoke(app: Flask, runner: FlaskCliRunner, make_person) -> None:
    make_person("Sri@Example.org")
    made = runner.invoke(args=["token", "create", "sri@example.org", "--name", "dashboard"])
    assert made.exit_code == 0, made.output
    plain = made.stdout.strip()
    assert plain.startswith("tt_") and "\n" not in plain
    with app.app_context():
        row = db.session.query(ApiToken).one()
        assert row.token_hash == digest(plain) and row.name == "dashboard"
        assert plain not in (row.prefix, row.token_hash)
        token_id = row.id
    client = app.test_client()
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/v1/needs", headers=headers).status_code == 200
    listed = runner.invoke(args=["token", "list", "sri@example.org"])
    assert f"{token_id}\t{plain[:9]}…\tdashboard" in listed.output
    assert plain not in listed.output
    revoked = runner.invoke(args=["token", "revoke", str(token_id)])
    assert revoked.exit_code == 0, revoked.output
    assert client.get("/api/v1/needs", headers=headers).status_code == 401
    assert runner.invoke(args=["token", "revoke", str(token_id)]).exit_code == 1


def test_unknown_or_inactive_people_get_no_token(runner: FlaskCliRunner, make_person) -> None:
    assert "nobody" in runner.invoke(args=["token", "create", "x@example.org"]).output
    make_person("old@example.org", active=False)
    refused = runner.invoke(args=["token", "create", "old@example.org"])
    assert refused.exit_code == 1 and "deactivated" in refused.output
    make_person("ok@example.org")
    unnamed = runner.invoke(args=["token", "create", "ok@example.org", "--name", " "])
    assert unnamed.exit_code == 1 and "name" in unnamed.output
