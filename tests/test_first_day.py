"""A new instance's first day, as an operator meets it: from an empty database through the real
``titiktemu`` command (a subprocess with its own instance folder), watched through ``/healthz``;
and the demo's emailed links and quiet start."""

from __future__ import annotations

import email
import email.policy
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from titiktemu.accounts.signin import authenticate
from titiktemu.extensions import db
from titiktemu.models import Person, Role
from titiktemu.settings import Settings
from titiktemu.vocabulary.taxonomy import read_taxonomy
from web.app import create_app
from web.commands.demo import served_url

from .conftest import csrf_token

SCRIPT = Path(sys.executable).parent / "titiktemu"
TAXONOMY = read_taxonomy()
SKILLS, CATEGORIES = len(TAXONOMY["skills"]), len(TAXONOMY["activity_categories"])
ALEMBIC_INFO = "INFO  [alembic"


def clean_env(instance: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TITIKTEMU_")}
    env["TITIKTEMU_INSTANCE_DIR"] = str(instance)
    env.update(extra)
    return env


def titiktemu(env: dict[str, str], *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    """Run the real command; it must exit with ``code``."""
    done = subprocess.run(
        [str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == code, (args, done.stdout, done.stderr)
    return done


def initial_revision() -> str:
    versions = Path(__file__).resolve().parents[1] / "migrations" / "versions"
    for path in versions.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"^down_revision = None", text, re.MULTILINE):
            found = re.search(r"^revision = '(\w+)'", text, re.MULTILINE)
            assert found
            return found.group(1)
    raise AssertionError("no initial migration")


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[tuple[dict[str, str], Flask]]:
    """An empty instance (its own database and secret), and a web app over it for /healthz.

    The database is a SQLite file in the instance folder, or, when the tests run on PostgreSQL,
    a new empty database beside the test database (the session's one is already filled).
    """
    env = clean_env(tmp_path)
    with empty_postgres_database() as url:
        if url is not None:
            env["TITIKTEMU_DATABASE_URL"] = url
        web = create_app(Settings.from_env(env))
        web.config.update(TESTING=True)
        yield env, web
        with web.app_context():
            db.engine.dispose()


@contextmanager
def empty_postgres_database() -> Iterator[str | None]:
    """A new PostgreSQL database named after the test database, dropped afterwards; None on
    SQLite."""
    test_url = os.environ.get("TITIKTEMU_TEST_DATABASE_URL", "")
    if not test_url.startswith("postgresql"):
        yield None
        return
    url = make_url(test_url)
    name = f"{url.database}_fresh"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def health(web: Flask) -> tuple[int, dict[str, Any]]:
    answer = web.test_client().get("/healthz")
    return answer.status_code, answer.get_json()


def counts(web: Flask) -> tuple[int, int]:
    with web.app_context():
        skills = db.session.scalar(sa.text("SELECT count(*) FROM skills"))
        categories = db.session.scalar(sa.text("SELECT count(*) FROM activity_categories"))
        db.session.remove()
    return skills or 0, categories or 0


def test_db_upgrade_alone_gives_a_new_database_its_taxonomy(
    fresh: tuple[dict[str, str], Flask], tmp_path: Path
) -> None:
    env, web = fresh
    status, body = health(web)
    assert status == 503 and body["reference_data"].startswith("error")  # not even a schema

    first = titiktemu(env, "db", "upgrade")
    assert f"({SKILLS + CATEGORIES} added, 0 updated)" in first.stdout
    assert f"{ALEMBIC_INFO}.runtime.migration] Running upgrade" in first.stderr  # operators see it
    assert counts(web) == (SKILLS, CATEGORIES)
    # Taxonomy but no regency: the operator reads it, the load balancer keeps the instance.
    assert health(web) == (
        200,
        {
            "database": "ok",
            "broker": "eager",
            "reference_data": "missing: no regency loaded",
            "login_limits": "memory",
            "warnings": [],
            "status": "ok",
        },
    )

    # A database upgraded before the taxonomy came with the schema: 503, naming the taxonomy.
    with web.app_context():
        db.session.execute(sa.text("DELETE FROM activity_categories"))
        db.session.commit()
        db.session.remove()
    status, body = health(web)
    assert status == 503
    assert body["reference_data"] == "missing: taxonomy; no regency loaded"
    assert body["status"] == "degraded" and body["database"] == "ok"
    again = titiktemu(env, "db", "upgrade")
    assert f"({CATEGORIES} added, 0 updated)" in again.stdout
    assert counts(web) == (SKILLS, CATEGORIES)

    # Offline mode writes SQL for someone else and never touches the database. (The initial
    # revision only: later ones alter tables in batches, which SQLite cannot do offline.)
    offline = titiktemu(env, "db", "upgrade", "--sql", f"base:{initial_revision()}")
    assert "CREATE TABLE" in offline.stdout and "Taxonomy:" not in offline.stdout

    titiktemu(env, "regions", "load", "33.10")
    assert health(web) == (
        200,
        {
            "database": "ok",
            "broker": "eager",
            "reference_data": "ok",
            "login_limits": "memory",
            "warnings": [],
            "status": "ok",
        },
    )


def test_taxonomy_load_is_idempotent_and_picks_up_a_changed_file(
    fresh: tuple[dict[str, str], Flask], tmp_path: Path
) -> None:
    env, web = fresh
    titiktemu(env, "db", "upgrade")
    second = titiktemu(env, "taxonomy", "load")
    assert second.stdout.strip() == (
        f"Taxonomy: {SKILLS} skills, {CATEGORIES} activity categories (0 added, 0 updated)"
    )

    shipped = (Path(__file__).parents[1] / "titiktemu" / "data" / "taxonomy.toml").read_text()
    start = shipped.index("[skills.bookkeeping]")
    at = shipped.index("synonyms_id = [", start) + len("synonyms_id = [")
    changed = shipped[:at] + '\n    "catat kas harian",' + shipped[at:]
    changed += (
        '\n[skills.beekeeping]\nparent = "enterprise"\nkind = "skill"\n'
        'label_id = "Budidaya lebah madu"\nlabel_en = "Beekeeping"\n'
    )
    local = tmp_path / "local-taxonomy.toml"
    local.write_text(changed, encoding="utf-8")

    loaded = titiktemu(env, "taxonomy", "load", "--file", str(local))
    assert f"Taxonomy: {SKILLS + 1} skills" in loaded.stdout
    assert "(1 added, 1 updated)" in loaded.stdout
    with web.app_context():
        synonyms = db.session.scalar(
            sa.text("SELECT synonyms_id FROM skills WHERE code = 'bookkeeping'")
        )
        label = db.session.scalar(sa.text("SELECT label_en FROM skills WHERE code = 'beekeeping'"))
        db.session.remove()
    assert "catat kas harian" in str(synonyms) and label == "Beekeeping"
    assert "(0 added, 0 updated)" in titiktemu(env, "taxonomy", "load", "--file", str(local)).stdout
    # Back to the shipped file: the synonym goes, the new code stays (rows may point at it).
    assert "(0 added, 1 updated)" in titiktemu(env, "taxonomy", "load").stdout


def test_a_first_admin_from_the_command_line_signs_in_through_the_printed_link(
    fresh: tuple[dict[str, str], Flask],
) -> None:
    """The production path: upgrade, a regency, `user create`, the link, a password, /invite."""
    env, web = fresh
    env["TITIKTEMU_BASE_URL"] = "https://titiktemu.example.org"
    titiktemu(env, "db", "upgrade")
    early = titiktemu(
        env, "user", "create", "k@example.org", "--role", "coordinator", "--regency", "3310", code=1
    )
    assert early.stderr == (
        "Error: Kabupaten Klaten (33.10) is not loaded: run `titiktemu regions load 33.10`\n"
    )
    titiktemu(env, "regions", "load", "3310")
    made = titiktemu(env, "user", "create", "Boss@Example.org", "--role", "admin")
    link = made.stdout.strip()
    assert re.fullmatch(r"https://titiktemu\.example\.org/invite/[\w.\-]+", link), made.stdout
    assert "72 hours" in made.stderr and "every regency" in made.stderr

    browser: FlaskClient = web.test_client()
    path = link.removeprefix("https://titiktemu.example.org")
    assert browser.get(path).status_code == 200
    password = "sawah hijau di tepi kali"
    joined = browser.post(
        path,
        data={
            "name": "Bu Admin",
            "password": password,
            "confirm": password,
            "csrf_token": csrf_token(browser, path),
        },
    )
    assert joined.status_code == 302 and joined.headers["Location"] == "/"
    assert browser.get("/invite").status_code == 200  # an admin's page
    with web.app_context():
        admin = authenticate(db.session(), "boss@example.org", password)
        assert admin is not None and admin.role == Role.ADMIN and admin.regency_code is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 1
        db.session.remove()


# --- The demo ------------------------------------------------------------------------------------


def emailed_origins(instance: Path) -> set[str]:
    """Scheme, host and port of every link in the .eml files of the instance's outbox."""
    origins: set[str] = set()
    for path in sorted((instance / "outbox").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        origins |= set(re.findall(r"(https?://[^/\s]+)/", body.get_content()))
    return origins


def test_the_demo_emails_links_to_where_it_serves_and_keeps_alembic_quiet(tmp_path: Path) -> None:
    done = titiktemu(clean_env(tmp_path), "demo", "--no-serve", "--port", "5055")
    assert emailed_origins(tmp_path) == {"http://127.0.0.1:5055"}
    assert ALEMBIC_INFO not in done.stdout and ALEMBIC_INFO not in done.stderr
    assert "DEMO accounts" in done.stdout


def test_an_explicit_base_url_wins_over_the_demo_port(tmp_path: Path) -> None:
    env = clean_env(tmp_path, TITIKTEMU_BASE_URL="http://titiktemu.lan:8080")
    titiktemu(env, "demo", "--no-serve", "--port", "5055")
    assert emailed_origins(tmp_path) == {"http://titiktemu.lan:8080"}


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:5055"),
        ("0.0.0.0", "http://127.0.0.1:5055"),
        ("localhost", "http://localhost:5055"),
        ("192.168.1.20", "http://192.168.1.20:5055"),
        ("::", "http://[::1]:5055"),
    ],
)
def test_the_demo_url_of_a_bind_address(host: str, url: str) -> None:
    assert served_url(host, 5055) == url


def test_settings_know_whether_the_base_url_was_given(tmp_path: Path) -> None:
    default = Settings.from_env({"TITIKTEMU_INSTANCE_DIR": str(tmp_path)})
    given = Settings.from_env(
        {"TITIKTEMU_INSTANCE_DIR": str(tmp_path), "TITIKTEMU_BASE_URL": "http://127.0.0.1:5000"}
    )
    assert default.base_url == given.base_url == "http://127.0.0.1:5000"
    assert not default.base_url_explicit and given.base_url_explicit


def test_flask_migrates_own_db_group_is_left_alone(app: Flask) -> None:
    """Every app in a process shares Flask-Migrate's group object: ours is a copy."""
    from flask_migrate.cli import db as migrate_group

    ours = app.cli.commands["db"]
    assert isinstance(ours, click.Group) and ours is not migrate_group
    assert set(ours.commands) == set(migrate_group.commands)
    assert ours.commands["upgrade"] is not migrate_group.commands["upgrade"]
    assert "reference data" in (ours.commands["upgrade"].help or "")
    assert "reference data" not in (migrate_group.commands["upgrade"].help or "")


def test_a_command_before_db_upgrade_says_what_to_run(
    fresh: tuple[dict[str, str], Flask],
) -> None:
    """The operator who skips `db upgrade` is told to run it, not shown a traceback."""
    env, _web = fresh
    done = titiktemu(env, "user", "create", "admin@example.org", "--role", "admin", code=2)
    assert "run `titiktemu db upgrade` first" in done.stderr
    assert "Traceback" not in done.stderr
