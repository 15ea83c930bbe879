"""Shared fixtures: one real database per test session, emptied of mutable rows after each test.

SQLite by default; PostgreSQL when TITIKTEMU_TEST_DATABASE_URL is set. Tests that need Redis read
TITIKTEMU_TEST_REDIS_URL and skip without it, unless TITIKTEMU_REQUIRE_SERVICES=1 turns the skip
into a failure (CI sets it, so a missing service can never pass silently).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade

from titiktemu.extensions import db
from titiktemu.jobs import settle
from titiktemu.models import Base
from titiktemu.places.regions import load_regions, resolve_codes
from titiktemu.settings import Settings
from titiktemu.vocabulary.taxonomy import load_taxonomy
from web.app import create_app
from web.auth.limits import limiter_of

#: Reference data loaded once per session and kept; everything else is emptied after each test
#: (kecamatan_adjacency: Klaten's neighbours, from its places file, loaded with its places).
KEPT_TABLES = {
    "provinces",
    "regencies",
    "kecamatan",
    "kecamatan_adjacency",
    "villages",
    "skills",
    "activity_categories",
}
KLATEN = "33.10"
SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"


#: Files whose tests are marked ``slow`` (many hypothesis examples, whole journeys, real
#: processes); ``test_browser_*`` files are marked ``browser``. CI runs everything; the inner
#: loop can leave them out: ``pytest -m "not browser and not slow"``.
SLOW_FILES = frozenset(
    {
        "test_engine_properties.py",
        "test_imports_readers_properties.py",
        "test_upload_fuzz.py",
        "test_route_fuzz.py",
        "test_api_schemathesis.py",
        "test_first_day_journey.py",
        "test_worker_real.py",
        "test_reset_timing.py",
        "test_races_decisions.py",
        "test_imports_concurrent.py",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark browser and slow tests by their file, so no test can forget its marker."""
    for item in items:
        name = item.path.name
        if name.startswith("test_browser_"):
            item.add_marker(pytest.mark.browser)
        if name in SLOW_FILES:
            item.add_marker(pytest.mark.slow)


def require_services() -> bool:
    return os.environ.get("TITIKTEMU_REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str) -> None:
    """Skip for a developer without the service; fail in CI, where every service must be there."""
    if require_services():
        pytest.fail(f"TITIKTEMU_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def test_database_url(tmp_dir: Path) -> str:
    return os.environ.get("TITIKTEMU_TEST_DATABASE_URL") or f"sqlite:///{tmp_dir / 'test.db'}"


test_database_url.__test__ = False  # type: ignore[attr-defined]


def reset_database(url: str) -> None:
    """Drop everything in the test database, so the session starts from migrations, not leftovers."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        else:
            meta = sa.MetaData()
            meta.reflect(conn)
            meta.drop_all(conn)
    engine.dispose()


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def settings(instance_dir: Path) -> Settings:
    url = test_database_url(instance_dir)
    return Settings.from_env(
        {
            "TITIKTEMU_INSTANCE_DIR": str(instance_dir),
            "TITIKTEMU_DATABASE_URL": url,
            "TITIKTEMU_BASE_URL": "http://127.0.0.1:5000",
            # Fuzzers upload far more than a person an hour; the limit's own tests lower it.
            "TITIKTEMU_IMPORTS_PER_HOUR": "10000",
        }
    )


#: scrypt with N = 2**10 instead of Werkzeug's 2**15: the same algorithm and code path, about
#: 30 times cheaper. Hashing a password is 0.1 s at full cost, and the suite makes people and
#: signs them in thousands of times; what the cost protects (an offline attacker) is not tested
#: here. Processes the tests start (CLI, workers) keep the full cost.
CHEAP_PASSWORD_METHOD = "scrypt:1024:8:1"


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes() -> Iterator[None]:
    import titiktemu.accounts.signin as accounts

    full = accounts.PASSWORD_METHOD, accounts._DUMMY_HASH
    accounts.PASSWORD_METHOD = CHEAP_PASSWORD_METHOD
    accounts._DUMMY_HASH = accounts.hash_password("titiktemu-timing-equaliser")
    yield
    accounts.PASSWORD_METHOD, accounts._DUMMY_HASH = full


@pytest.fixture(scope="session")
def app(settings: Settings) -> Iterator[Flask]:
    reset_database(settings.database_url)
    app = create_app(settings)
    app.config.update(TESTING=True)
    with app.app_context():
        upgrade()
        load_regions(db.session(), resolve_codes([KLATEN]))
        load_taxonomy(db.session())
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _empty_mutable_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test that used the app, delete every row but the reference data."""
    yield
    if "app" not in request.fixturenames:
        return
    app: Flask = request.getfixturevalue("app")
    settle(app)  # a detached job still to run (a password reset) would write into the next test
    with app.app_context():
        db.session.rollback()
        with db.engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                if table.name not in KEPT_TABLES:
                    conn.execute(table.delete())
        outbox = app.extensions["titiktemu.settings"].outbox_dir
        if outbox.exists():
            shutil.rmtree(outbox)
    # Failed sign-ins of one test must never add up to a 429 in the next.
    limiter_of(app).reset()


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    """An app context for tests that call services directly."""
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token a real form on ``path`` carries."""
    page = client.get(path)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class AuthActions:
    """Sign in and out through the real forms, CSRF included."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, email: str, password: str, next_url: str = ""):
        token = csrf_token(self.client, "/login")
        return self.client.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": token, "next": next_url},
        )

    def logout(self):
        token = csrf_token(self.client, "/")
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("TITIKTEMU_TEST_REDIS_URL")
    if not url:
        skip_or_fail("TITIKTEMU_TEST_REDIS_URL is not set")
    assert url is not None
    return url


PASSWORD = "kata-sandi-uji-123"


@pytest.fixture
def make_person(app: Flask):
    """Create a person with a known password (``PASSWORD``), committed, and return its id.

    It pushes its own short app context: a context left pushed would be shared by the test
    client's requests, and with it ``g`` (CSRF tokens would leak from one request to the next).
    """
    from titiktemu.accounts.signin import hash_password
    from titiktemu.models import Person, Role

    def make(
        email: str = "sri@example.org",
        *,
        role: Role = Role.FACILITATOR,
        regency_code: str | None = KLATEN,
        name: str = "Sri Wahyuni",
        active: bool = True,
    ) -> int:
        with app.app_context():
            person = Person(
                email=email,
                name=name,
                role=role,
                regency_code=regency_code,
                password_hash=hash_password(PASSWORD),
                active=active,
            )
            db.session.add(person)
            db.session.commit()
            return person.id

    return make
