"""``titiktemu db``: Flask-Migrate's commands, with ``upgrade`` also loading the reference data.

A database upgraded to the newest schema but without the taxonomy refuses every import, so the
one command operators (and the compose ``migrate`` service) run brings both. Flask-Migrate's own
group object is shared by every app in the process, so it is copied, never changed.
"""

from __future__ import annotations

import copy
from typing import Any

import click
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import with_appcontext

from titiktemu.extensions import db
from titiktemu.vocabulary.reference_data import load_reference_data


def _db_group() -> click.Group:
    from flask_migrate.cli import db as migrate_group

    return with_reference_data(migrate_group)


def with_reference_data(migrate_group: click.Group) -> click.Group:
    """A copy of Flask-Migrate's ``db`` group whose ``upgrade`` then loads the reference data."""
    group = copy.copy(migrate_group)
    group.commands = dict(migrate_group.commands)
    group.add_command(_upgrade_then_load(migrate_group.commands["upgrade"]))
    return group


def _upgrade_then_load(upgrade: click.Command) -> click.Command:
    schema_upgrade = upgrade.callback
    assert schema_upgrade is not None

    @with_appcontext
    def upgrade_and_load(**options: Any) -> None:
        click.get_current_context().invoke(schema_upgrade, **options)
        if options.get("sql"):
            return  # offline mode writes SQL for someone else to run: no database to load into
        if not _at_head():
            # The loader writes through today's models, which an older schema does not hold.
            click.echo("Reference data not loaded: the schema is not at the newest revision.")
            return
        click.echo(load_reference_data(db.session()).summary())

    command = copy.copy(upgrade)
    command.callback = upgrade_and_load
    command.help = (
        f"{upgrade.help or 'Upgrade to a later version'}, then load the reference data (the "
        "skill and activity taxonomy; not with --sql)."
    )
    return command


#: ``titiktemu db``: Flask-Migrate's group with the upgrade that also loads the reference data.
db_group = _db_group()


def _at_head() -> bool:
    """Whether the database stands at the newest revision (an upgrade may stop earlier)."""
    config = current_app.extensions["migrate"].migrate.get_config()
    with db.engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    return current == set(ScriptDirectory.from_config(config).get_heads())
