"""The Flask core that web and worker both build on: settings, database, migrations.

The worker needs an app context (database session, email templates) but none of the web's
blueprints; keeping this core in the shared package lets both start it without importing
each other.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.engine import Engine

from titiktemu import transactions  # noqa: F401 - its listeners serve every engine
from titiktemu.extensions import db, migrate
from titiktemu.settings import Settings
from titiktemu.vocabulary.reference_data import ReferenceDataReport, load_reference_data

_PACKAGE_DIR = Path(__file__).resolve().parent
# The Alembic scripts: an installed wheel carries the top-level migrations/ folder inside the
# package as titiktemu/migrations (setup.py); a source checkout keeps it next to the package.
MIGRATIONS_DIR = (
    _PACKAGE_DIR / "migrations"
    if (_PACKAGE_DIR / "migrations" / "env.py").is_file()
    else _PACKAGE_DIR.parent / "migrations"
)


def create_core_app(settings: Settings | None = None, import_name: str = "titiktemu") -> Flask:
    """A Flask app bound to the database described by ``settings`` (read from env if None)."""
    settings = settings or Settings.from_env()
    app = Flask(import_name, instance_path=str(settings.instance_dir))
    app.extensions["titiktemu.settings"] = settings
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings.database_url),
    )
    if settings.database_url.startswith("sqlite"):
        settings.instance_dir.mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    return app


def settings_of(app: Flask) -> Settings:
    """The settings an app was created with."""
    settings: Settings = app.extensions["titiktemu.settings"]
    return settings


def upgrade_database(*, quiet: bool = False) -> ReferenceDataReport:
    """The current app's database to the newest schema, then its reference data (the taxonomy):
    what ``titiktemu db upgrade`` does, for callers that are not that command (the demo).

    ``quiet``: Alembic leaves logging alone (migrations/env.py reads ``configure_logger``), so
    no "INFO [alembic...]" line per revision reaches someone who only asked for a demo.
    """
    config = current_app.extensions["migrate"].migrate.get_config()
    config.attributes["configure_logger"] = not quiet
    command.upgrade(config, "head")
    return load_reference_data(db.session())


def _engine_options(url: str) -> dict[str, object]:
    if url.startswith("sqlite"):
        # Web requests and in-process tasks share the file; wait for a lock instead of failing.
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    """Enforce foreign keys and let readers work while a writer commits (WAL)."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
