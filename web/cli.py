"""The ``titiktemu`` command: Flask's CLI group (run, shell, db ...) plus Titik Temu's own commands."""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup

from titiktemu.settings import SettingsError
from web.app import create_app


def _create_app() -> object:
    try:
        return create_app()
    except SettingsError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def cli() -> None:
    """Titik Temu: meeting points for the facilitators of a regency."""


def main() -> None:
    cli.main(prog_name="titiktemu")
