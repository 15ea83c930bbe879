"""``titiktemu user create`` and ``user link``: accounts from the command line, whose printed link
sets the password through the real ``/invite/<token>`` page; and admins inviting coordinators."""

from __future__ import annotations

import email
import email.policy
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from titiktemu.accounts.first import SETUP_LINK_MAX_AGE, setup_link
from titiktemu.accounts.invitations import InvitationError, invite
from titiktemu.accounts.signin import INVITE_SALT, authenticate, link_token
from titiktemu.app import settings_of
from titiktemu.extensions import db
from titiktemu.models import AuditEntry, Person, Role

from .conftest import KLATEN, PASSWORD, AuthActions, csrf_token

BASE = "http://127.0.0.1:5000"
NEW_PASSWORD = "sawah hijau di tepi kali"
HOUR = 3600.0


def person(app: Flask, address: str) -> Person | None:
    with app.app_context():
        found = db.session.scalars(sa.select(Person).where(Person.email == address)).one_or_none()
        if found is not None:
            db.session.expunge(found)
        return found


def people(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Person)) or 0


def create(runner: FlaskCliRunner, *args: str) -> str:
    """Run ``user create`` successfully and return the printed link's path."""
    done = runner.invoke(args=["user", "create", *args])
    assert done.exit_code == 0, (done.stdout, done.stderr)
    link = done.stdout.strip()
    assert link.startswith(f"{BASE}/invite/") and "\n" not in link, done.stdout
    assert "72 hours" in done.stderr
    return link.removeprefix(BASE)


def join(client: FlaskClient, path: str, name: str = "Bu Baru"):
    return client.post(
        path,
        data={
            "name": name,
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": csrf_token(client, path),
        },
    )


@pytest.mark.parametrize(
    ("args", "role", "regency"),
    [
        (["--role", "admin"], Role.ADMIN, None),
        (["--role", "admin", "--regency", "3310"], Role.ADMIN, KLATEN),
        (["--role", "coordinator", "--regency", "3310"], Role.COORDINATOR, KLATEN),
        (["--role", "facilitator", "--regency", "33.10"], Role.FACILITATOR, KLATEN),
    ],
)
def test_each_role_is_made_without_a_password_and_joins_through_the_link(
    app: Flask,
    runner: FlaskCliRunner,
    args: list[str],
    role: Role,
    regency: str | None,
) -> None:
    path = create(runner, " New@Example.org ", *args, "--name", "Bu Baru")
    made = person(app, "new@example.org")
    assert made is not None and made.role == role and made.regency_code == regency
    assert made.active and made.password_hash is None and made.name == "Bu Baru"
    with app.app_context():
        audit = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "person.created")
        ).one()
        assert audit.actor_id is None and audit.object_id == str(made.id)  # the operator
        assert audit.detail["role"] == role.value and audit.detail["regency"] == regency

    newcomer = app.test_client()
    page = newcomer.get(path)
    assert page.status_code == 200 and "new@example.org" in page.get_data(as_text=True)
    joined = join(newcomer, path)
    assert joined.status_code == 302 and joined.headers["Location"] == "/"
    assert newcomer.get("/").status_code == 200
    with app.app_context():
        assert authenticate(db.session(), "new@example.org", NEW_PASSWORD) is not None
    assert app.test_client().get(path).status_code == 410  # used up


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["sri@example.org", "--role", "admin"], 1, "sri@example.org already has an account; use"),
        (["x@example.org", "--role", "coordinator"], 2, "a coordinator needs a regency"),
        (["x@example.org", "--role", "facilitator"], 2, "a facilitator needs a regency"),
        (["x@example.org", "--role", "coordinator", "--regency", "99.99"], 2, "unknown regency"),
        (["x@example.org", "--role", "coordinator", "--regency", "33"], 2, "unknown regency"),
        (["not-an-email", "--role", "admin"], 2, "'not-an-email' is not an email address"),
        (["x@example", "--role", "admin"], 2, "is not an email address"),
    ],
)
# A regency that is not loaded is refused too: tests/test_first_day.py meets it on an empty
# database (here the session's database may hold every regency, once `regions load --all` ran).
def test_refusals_name_the_problem_on_one_line(
    app: Flask, runner: FlaskCliRunner, make_person, args: list[str], code: int, says: str
) -> None:
    make_person("sri@example.org")
    before = people(app)
    done = runner.invoke(args=["user", "create", *args])
    assert done.exit_code == code, (done.stdout, done.stderr)
    assert done.stdout == ""
    assert done.stderr.startswith("Error: ") and done.stderr.count("\n") == 1, done.stderr
    assert says in done.stderr
    assert people(app) == before


def test_an_unknown_role_is_a_usage_error(runner: FlaskCliRunner) -> None:
    done = runner.invoke(args=["user", "create", "x@example.org", "--role", "superuser"])
    assert done.exit_code == 2 and "superuser" in done.stderr


def test_the_link_lasts_72_hours_while_an_invitation_lasts_7_days(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner
) -> None:
    create(runner, "new@example.org", "--role", "admin")
    settings = settings_of(app)
    now = time.time()
    with app.app_context():
        made = db.session.scalars(sa.select(Person).where(Person.email == "new@example.org")).one()
        hours = SETUP_LINK_MAX_AGE.total_seconds() / HOUR
        fresh_enough = setup_link(settings, made, issued_at=now - (hours - 1) * HOUR)
        too_old = setup_link(settings, made, issued_at=now - (hours + 1) * HOUR)
        invitation_6_days = link_token(settings, INVITE_SALT, made, issued_at=now - 6 * 24 * HOUR)
        setup_6_days = setup_link(settings, made, issued_at=now - 6 * 24 * HOUR)
    assert client.get(fresh_enough.removeprefix(BASE)).status_code == 200
    assert client.get(too_old.removeprefix(BASE)).status_code == 410
    assert client.get(setup_6_days.removeprefix(BASE)).status_code == 410
    assert client.get(f"/invite/{invitation_6_days}").status_code == 200
    # Joining through the expired link is refused too, not only showing it.
    late = app.test_client()
    token = csrf_token(late, "/login")
    refused = late.post(
        too_old.removeprefix(BASE),
        data={"name": "x", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token},
    )
    assert refused.status_code == 410
    assert person(app, "new@example.org").password_hash is None  # type: ignore[union-attr]


def test_user_link_prints_a_fresh_link_until_a_password_is_set(
    app: Flask, runner: FlaskCliRunner, make_person
) -> None:
    create(runner, "new@example.org", "--role", "coordinator", "--regency", KLATEN)
    again = runner.invoke(args=["user", "link", "NEW@example.org"])
    assert again.exit_code == 0, again.stderr
    path = again.stdout.strip().removeprefix(BASE)
    assert path.startswith("/invite/")
    assert join(app.test_client(), path).status_code == 302

    joined = runner.invoke(args=["user", "link", "new@example.org"])
    assert joined.exit_code == 1 and "use the password reset" in joined.stderr
    unknown = runner.invoke(args=["user", "link", "nobody@example.org"])
    assert unknown.exit_code == 1 and "no active account" in unknown.stderr
    # And create on an address that waits for its password points at `user link`.
    make_person("waiting@example.org")
    with app.app_context():
        waiting = db.session.scalars(
            sa.select(Person).where(Person.email == "waiting@example.org")
        ).one()
        waiting.password_hash = None
        db.session.commit()
    taken = runner.invoke(args=["user", "create", "waiting@example.org", "--role", "admin"])
    assert taken.exit_code == 1 and "titiktemu user link waiting@example.org" in taken.stderr


# --- Inviting coordinators -----------------------------------------------------------------------


def invitation_text(app: Flask, to: str) -> str:
    """The plain text of the one invitation in the embedded outbox addressed to ``to``."""
    folder: Path = settings_of(app).outbox_dir
    texts: list[str] = []
    for path in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] == to:
            body = message.get_body(preferencelist=("plain",))
            assert body is not None
            texts.append(str(body.get_content()))
    assert len(texts) == 1, texts
    return texts[0]


def post_invite(client: FlaskClient, data: dict[str, str]):
    return client.post("/invite", data={**data, "csrf_token": csrf_token(client, "/invite")})


def test_an_admin_invites_a_coordinator_who_joins_as_one(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person
) -> None:
    make_person("admin@example.org", role=Role.ADMIN, regency_code=None, name="Bu Admin")
    auth.login("admin@example.org", PASSWORD)
    page = client.get("/invite").get_data(as_text=True)
    assert 'name="role"' in page and 'value="coordinator"' in page
    answer = post_invite(
        client, {"email": "koor@example.org", "role": "coordinator", "regency": KLATEN}
    )
    assert answer.status_code == 302
    invited = person(app, "koor@example.org")
    assert invited is not None and invited.role == Role.COORDINATOR
    assert invited.regency_code == KLATEN and invited.password_hash is None
    text = invitation_text(app, "koor@example.org")
    assert "sebagai koordinator" in text  # Indonesian by default
    link = text.split(BASE, 1)[1].split()[0]

    newcomer = app.test_client()
    assert join(newcomer, link, "Pak Koordinator").status_code == 302
    assert newcomer.get("/review").status_code == 200  # a coordinator's page
    assert newcomer.get("/invite").status_code == 200
    form = newcomer.get("/invite").get_data(as_text=True)  # facilitators and partners only
    assert 'value="partner"' in form and 'value="coordinator"' not in form


def test_a_coordinator_invites_facilitators_and_partners_never_a_coordinator(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person
) -> None:
    make_person("koor@example.org", role=Role.COORDINATOR)
    auth.login("koor@example.org", PASSWORD)
    form = client.get("/invite").get_data(as_text=True)
    assert 'value="facilitator"' in form and 'value="partner"' in form
    assert 'value="coordinator"' not in form
    refused = post_invite(client, {"email": "budi@example.org", "role": "coordinator"})
    assert refused.status_code == 400 and person(app, "budi@example.org") is None
    post_invite(client, {"email": "budi@example.org", "role": "facilitator"})
    invited = person(app, "budi@example.org")
    assert invited is not None and invited.role == Role.FACILITATOR
    assert "sebagai pendamping" in invitation_text(app, "budi@example.org")


def test_the_invitation_service_refuses_a_coordinator_inviting_a_coordinator(
    app: Flask, make_person
) -> None:
    coordinator_id = make_person("koor@example.org", role=Role.COORDINATOR)
    with app.app_context():
        coordinator = db.session.get(Person, coordinator_id)
        assert coordinator is not None
        with pytest.raises(InvitationError):
            invite(
                db.session(),
                settings_of(app),
                coordinator,
                "x@example.org",
                role=Role.COORDINATOR,
            )
        db.session.rollback()


def test_an_admin_resending_promotes_a_waiting_facilitator_but_never_demotes(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person
) -> None:
    make_person("admin@example.org", role=Role.ADMIN, regency_code=None)
    auth.login("admin@example.org", PASSWORD)
    post_invite(client, {"email": "ani@example.org", "role": "facilitator", "regency": KLATEN})
    post_invite(client, {"email": "ani@example.org", "role": "coordinator", "regency": KLATEN})
    assert person(app, "ani@example.org").role == Role.COORDINATOR  # type: ignore[union-attr]
    post_invite(client, {"email": "ani@example.org", "role": "facilitator", "regency": KLATEN})
    assert person(app, "ani@example.org").role == Role.COORDINATOR  # type: ignore[union-attr]
