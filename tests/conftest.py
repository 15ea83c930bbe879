"""Shared fixtures: one real database per test session (per xdist worker); each test runs in a
transaction rolled back at its end, or, when it needs real commits, is emptied after it.

SQLite by default; PostgreSQL when TITIKTEMU_TEST_DATABASE_URL is set. Tests that need Redis read
TITIKTEMU_TEST_REDIS_URL and skip without it, unless TITIKTEMU_REQUIRE_SERVICES=1 turns the skip
into a failure (CI sets it, so a missing service can never pass silently).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from hypothesis import settings as hypothesis_settings

from harness.database import reset_database
from titiktemu.extensions import db
from titiktemu.jobs import settle
from titiktemu.kept import forget_kept
from titiktemu.matching.warm import forget
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
    # Counters only go up (loading the reference data moves them): kept like it.
    "regency_versions",
    "regency_changes",
}
KLATEN = "33.10"
SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"


#: Files whose tests are marked ``slow`` (many hypothesis examples, whole journeys, real
#: processes); ``test_browser_*`` files are marked ``browser``. CI runs everything; the inner
#: loop can leave them out: ``pytest -m "not browser and not services and not slow"``.
SLOW_FILES = frozenset(
    {
        "test_engine_properties.py",
        "test_engine_warm_state.py",
        "test_imports_readers_properties.py",
        "test_upload_fuzz.py",
        "test_route_fuzz.py",
        "test_api_schemathesis.py",
        "test_first_day_journey.py",
        "test_worker_real.py",
        "test_reset_timing.py",
        "test_races_decisions.py",
        "test_imports_concurrent.py",
        # Each test runs the titiktemu command in a process of its own, migrating from nothing.
        "test_first_day.py",
        "test_demo_command.py",
        "test_migrations.py",
    }
)
#: Files whose tests start real services of their own (an SMTP server, a Celery worker, Redis):
#: marked ``services``, like every test that asks for the ``redis_url`` fixture.
SERVICE_FILES = frozenset(
    {
        "test_worker_real.py",
        "test_first_day_journey.py",
        "test_email_real.py",
        "test_email_plain_text.py",
        "test_demo_command.py",
        "test_outages.py",
    }
)


#: Files whose tests read the test database or Redis from the environment themselves (making
#: databases beside it, starting workers on it) rather than through a fixture of ``BACKEND_FIXTURES``.
BACKEND_FILES = frozenset(
    {
        "test_first_day.py",
        "test_first_day_journey.py",
        "test_imports_concurrent.py",
        "test_outages.py",
        "test_races_decisions.py",
        "test_warm_engine_races.py",
        "test_worker_real.py",
    }
)
#: The fixtures through which a test reaches the test database or Redis.
BACKEND_FIXTURES = frozenset({"settings", "redis_url", "scratch"})
#: Set to 1 to run only the tests whose outcome can depend on TITIKTEMU_TEST_DATABASE_URL or
#: TITIKTEMU_TEST_REDIS_URL: CI's run on PostgreSQL, after its run on SQLite ran all the rest.
BACKEND_ONLY = "TITIKTEMU_TEST_BACKEND_ONLY"


def reads_the_backends(item: pytest.Item) -> bool:
    """Whether the test's outcome can depend on the test database or Redis. Browser tests count
    as not: they check what a phone shows of pages whose every route and form the other tests
    drive on both databases (tests/test_route_matrix.py, test_web_*), so CI runs them once."""
    if item.path.name.startswith("test_browser_"):
        return False
    fixtures = set(getattr(item, "fixturenames", ()))
    return item.path.name in BACKEND_FILES or bool(fixtures & BACKEND_FIXTURES)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark browser, services and slow tests by their file (or fixture), so none can forget;
    with TITIKTEMU_TEST_BACKEND_ONLY=1, leave out the tests no database or Redis can change."""
    if os.environ.get(BACKEND_ONLY) == "1":
        portable = [item for item in items if not reads_the_backends(item)]
        if portable:
            config.hook.pytest_deselected(items=portable)
            items[:] = [item for item in items if reads_the_backends(item)]
    for item in items:
        name = item.path.name
        if name.startswith("test_browser_"):
            item.add_marker(pytest.mark.browser)
        if name in SLOW_FILES:
            item.add_marker(pytest.mark.slow)
        if name in SERVICE_FILES or "redis_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.services)
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # Under ``-n``, hand out the long runs first, so that short tests fill in around them
        # instead of one worker finishing a 40-second test alone at the end.
        items.sort(key=lambda item: not item.get_closest_marker("slow"))


#: Property tests run the same examples on every run and machine ("repeatable"): a failure is
#: one anybody can reproduce, and CI lands or refuses a change for what the change did, not for
#: a search that happened to go further that time. ``TITIKTEMU_HYPOTHESIS=explore`` searches new
#: examples (and prints a blob that replays a failure).
hypothesis_settings.register_profile("repeatable", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("explore", derandomize=False, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("TITIKTEMU_HYPOTHESIS", "repeatable"))


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist (``pytest -n 2``) give each worker a database and a Redis db of its own.

    Tests derive every other name from these two variables (``<db>_fresh``, ...), so rewriting
    them here, in the worker, before any test reads them, keeps workers out of each other's way.
    """
    # The suite starts a few hundred Python processes (the CLI, Celery workers, gunicorn). With
    # PYTHONDONTWRITEBYTECODE set, as on this CI machine, every one of them compiled the product
    # from source again, a second per start; bytecode goes to the ignored __pycache__ folders.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # "gw0", "gw1", ...; unset without -n
    if not worker:
        return
    number = int(worker.removeprefix("gw"))
    url = os.environ.get("TITIKTEMU_TEST_DATABASE_URL")
    if url and url.startswith("postgresql"):
        base = sa.make_url(url)
        own = f"{base.database}_{worker}"
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            known = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": own})
            if not known:
                conn.execute(sa.text(f'CREATE DATABASE "{own}"'))
        admin.dispose()
        rendered = base.set(database=own).render_as_string(hide_password=False)
        os.environ["TITIKTEMU_TEST_DATABASE_URL"] = rendered
    redis = os.environ.get("TITIKTEMU_TEST_REDIS_URL")
    if redis:
        parts = urlsplit(redis)
        index = int(parts.path.strip("/") or 0)
        own_path = f"/{(index - number) % 16}"  # CI's db 15: workers use 15, 14, ...
        os.environ["TITIKTEMU_TEST_REDIS_URL"] = urlunsplit(parts._replace(path=own_path))


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
            # A fixed linkage key: CLK similarities shift a little with the key (a Bloom filter's
            # collisions), and a planted name variant with a swapped day and month sits at
            # 0.79-0.84 over keys, across the 0.8 threshold for 1 key in 14. Generated anew for
            # every session, it made the planted-links tests fail now and then.
            "TITIKTEMU_LINKAGE_KEY": "uji-kunci-tautan-titiktemu-klaten-2021-rtlh-bsps",
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

    full = accounts.PASSWORD_METHOD
    accounts.PASSWORD_METHOD = CHEAP_PASSWORD_METHOD
    yield
    accounts.PASSWORD_METHOD = full


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


#: Files whose tests need rows really committed: threads, other processes or connections of
#: their own (races, live servers, detached jobs, workers). After each of them every table but
#: the reference data is emptied; every other test runs in one transaction, rolled back.
COMMITTING_FILES = frozenset(
    {
        "test_api_document.py",
        "test_auth_accounts.py",
        "test_double_submit.py",
        "test_email_catalog.py",
        "test_kept.py",
        "test_migrations.py",
        "test_packaging.py",
        "test_reason_codes.py",
        "test_settings.py",
        "test_short_jobs.py",
        "test_warm_engine_races.py",
    }
)
COMMITTING_MARKERS = ("browser", "services", "slow")


def needs_commits(item: pytest.Item) -> bool:
    """Whether a test must see what it writes committed (see ``COMMITTING_FILES``)."""
    return (
        item.path.name in COMMITTING_FILES
        or any(item.get_closest_marker(name) for name in COMMITTING_MARKERS)
        or "redis_url" in getattr(item, "fixturenames", ())
    )


class _SharedConnection(sa.Connection):
    """The test's one connection; code that begins a transaction of its own on ``db.engine``
    (job progress) gets a savepoint inside the test's transaction instead."""

    @contextmanager
    def _savepoint(self) -> Iterator[sa.Connection]:
        with self.begin_nested():
            yield self

    def begin(self) -> Any:
        return self._savepoint() if self.in_transaction() else super().begin()


class _Engines(dict[str | None, Any]):
    """Flask-SQLAlchemy's engines of the app: the shared connection for the test's own thread,
    the real engine for any other (which then cannot see the test's rows: such tests belong
    in ``COMMITTING_FILES``)."""

    def __init__(self, real: dict[str | None, Any], conn: sa.Connection) -> None:
        super().__init__(real)
        self.conn, self.owner = conn, threading.get_ident()

    def __getitem__(self, key: str | None) -> Any:
        if key is None and threading.get_ident() == self.owner:
            return self.conn
        return super().__getitem__(key)


@contextmanager
def rolled_back(app: Flask) -> Iterator[None]:
    """SQLAlchemy's "join a session into an external transaction" recipe for the whole app:
    one connection, one transaction; every session (each request, each in-process job) works
    in a SAVEPOINT of it; at the end it is rolled back, and the next test finds what this
    one found. On SQLite, pysqlite's own transaction handling is turned off for this connection
    (SQLAlchemy's documented fix), so that BEGIN and SAVEPOINT mean what they say."""
    with app.app_context():
        engine = db.engine
    conn = _SharedConnection(engine)
    driver = conn.connection.driver_connection
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        driver.isolation_level = None  # type: ignore[union-attr]
    outer = conn.begin()
    if sqlite:
        conn.exec_driver_sql("BEGIN")
    engines = db._app_engines
    real = engines[app]
    engines[app] = _Engines(real, conn)
    db.session.session_factory.configure(join_transaction_mode="create_savepoint")
    try:
        yield
    finally:
        db.session.session_factory.kw.pop("join_transaction_mode")
        engines[app] = real
        outer.rollback()
        if sqlite:
            driver.isolation_level = ""  # type: ignore[union-attr]
        conn.close()
    with engine.connect() as check:
        found = check.execute(
            sa.select(*[sa.exists(t.select()).label(t.name) for t in mutable_tables()])
        ).one()
    left = [name for name, value in found._mapping.items() if value]
    if left:
        empty_mutable_tables(app)
        raise AssertionError(
            f"rows committed outside the test's transaction in {left}: "
            "add the file to COMMITTING_FILES in tests/conftest.py"
        )


def mutable_tables() -> list[sa.Table]:
    """Every table a test may write, parents first."""
    return [t for t in Base.metadata.sorted_tables if t.name not in KEPT_TABLES]


def empty_mutable_tables(app: Flask) -> None:
    """Delete every row but the reference data (tests that committed for real)."""
    with app.app_context():
        db.session.rollback()
        with db.engine.begin() as conn:
            for table in reversed(mutable_tables()):
                conn.execute(table.delete())


@pytest.fixture(autouse=True)
def _isolated(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test that uses the app starts from the reference data alone: rolled back after it,
    or, for a test that needs real commits, emptied after it."""
    if "app" not in request.fixturenames:
        yield
        return
    app: Flask = request.getfixturevalue("app")
    if needs_commits(request.node):
        yield
        settle(app)  # a detached job still to run (a password reset) would write into the next
        empty_mutable_tables(app)
    else:
        with rolled_back(app):
            yield
            settle(app)
    # A warm engine may have matched inside a transaction the test rolled back: never reused;
    # nor the labels and answers kept by a counter the next test may count to again.
    forget()
    forget_kept()
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
