"""The ``titiktemu`` command: Flask's CLI group (run, shell, db ...) plus Titik Temu's own commands.

Nothing heavy is imported here. Flask's group builds the app to list the app's commands; this
one lists ours from ``web.commands.COMMANDS`` instead, so ``titiktemu --help`` takes a fraction
of a second, and the app is built only when a command that needs it runs.
"""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup

from titiktemu.runtime import tune_collector
from web.commands import COMMANDS, load_command


def _create_app() -> Flask:
    from titiktemu.settings import SettingsError
    from web.app import create_app

    try:
        return create_app()
    except SettingsError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)


class TitikTemuGroup(FlaskGroup):
    """Flask's group, knowing our commands by name so that listing them builds no app."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugin_commands()
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS:
            return load_command(name)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> object:
        """Run the command; a database without our tables says what to run, not a traceback."""
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if not _schema_missing(exc):
                raise
            click.echo(
                "Error: the database has no Titik Temu tables yet: run `titiktemu db upgrade`"
                " first (README, Production: first day).",
                err=True,
            )
            sys.exit(2)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            if name in COMMANDS:
                rows.append((name, COMMANDS[name][1]))
                continue
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width - 6 - len(name))))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=TitikTemuGroup, create_app=_create_app, add_version_option=False)
def cli() -> None:
    """Titik Temu: meeting points for the facilitators of a regency."""


def _schema_missing(exc: BaseException) -> bool:
    """A database error saying a table does not exist (SQLite's and PostgreSQL's words)."""
    seen: BaseException | None = exc
    while seen is not None:
        if type(seen).__module__.startswith(("sqlalchemy", "psycopg", "sqlite3")):
            text = str(seen)
            if "no such table" in text or ("relation" in text and "does not exist" in text):
                return True
        seen = seen.__cause__ or seen.__context__
    return False


def main() -> None:
    tune_collector()
    cli.main(prog_name="titiktemu")
