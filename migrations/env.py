"""Alembic environment: runs inside the Flask app that Flask-Migrate gives it."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

import titiktemu.models  # noqa: F401 - every model, so autogenerate sees the whole schema
from titiktemu.extensions import db

config = context.config
# Callers that want no INFO line per revision (the demo) set configure_logger to False.
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

config.set_main_option(
    "sqlalchemy.url", db.engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=db.metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _moves(current):
    """Whether this run goes anywhere from ``current`` (an upgrade to where the database already
    is does nothing); a target we cannot resolve (``-1``, ``+2``) counts as a move."""
    from alembic.script import ScriptDirectory

    try:
        wanted = context.get_revision_argument()  # none at all for `db current`
        if wanted in (None, "head", "heads"):
            target = context.get_head_revision()
        elif wanted == "base":
            target = None
        else:
            target = ScriptDirectory.from_config(config).get_revision(wanted).revision
    except Exception:  # relative, unknown or none: check, as for any move
        return True
    return current != target


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        # Refuse to write an empty migration when autogenerate finds no change.
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args.setdefault("compare_type", True)
    with db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=db.metadata, **conf_args)
        # Batch mode rebuilds a SQLite table (copy, drop, rename): with foreign keys enforced,
        # dropping ``people`` fails while needs point at it. Alembic's advice: off for the
        # migration (a PRAGMA outside any transaction), on again for the pool; and the migration
        # must not leave a row pointing nowhere that did not before. Checked only when there is
        # something to migrate: every `titiktemu demo` start runs an upgrade that does nothing.
        migrating = connection.dialect.name == "sqlite" and _moves(
            context.get_context().get_current_revision()
        )
        connection.commit()  # reading the revision began a transaction; the PRAGMA needs none
        broken_before = set()
        if migrating:
            broken_before = set(connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall())
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        with context.begin_transaction():
            context.run_migrations()
        if migrating:
            broken = set(connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall())
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
            if broken - broken_before:
                raise RuntimeError(f"rows point at rows that are gone: {sorted(broken)[:5]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
