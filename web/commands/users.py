"""``titiktemu user create``: the first admin or coordinator, made by the operator, who passes on
the printed set-password link (``user link`` prints a fresh one while no password is set)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from titiktemu.accounts.first import (
    SETUP_LINK_MAX_AGE,
    AccountSetupError,
    SetupLink,
    create_account,
    renew_setup_link,
)
from titiktemu.app import settings_of
from titiktemu.extensions import db
from titiktemu.models import Regency, Role
from web.commands.refusals import refused

HOURS = int(SETUP_LINK_MAX_AGE.total_seconds() // 3600)


@click.group("user", cls=AppGroup)
def user() -> None:
    """Accounts made from the command line (the first admin, coordinators, partners)."""


@user.command("create")
@click.argument("email")
@click.option(
    "--role",
    required=True,
    type=click.Choice(
        [r.value for r in (Role.ADMIN, Role.COORDINATOR, Role.FACILITATOR, Role.PARTNER)]
    ),
    help="admin (every regency unless --regency), coordinator, facilitator or partner "
    "(a donor, CSR or Baznas: the prospectus and its own offers).",
)
@click.option("--regency", default=None, help="Regency code, e.g. 33.10 or 3310.")
@click.option("--name", default="", help="Their name (they can change it when they join).")
def create(email: str, role: str, regency: str | None, name: str) -> None:
    """Make an account for EMAIL without a password and print the link that sets it."""
    try:
        made = create_account(
            db.session(), settings_of(current_app), email, Role(role), regency=regency, name=name
        )
    except AccountSetupError as exc:  # one line, "Error: ...", exit code 2 for wrong usage
        raise refused(exc) from None
    db.session.commit()
    home = db.session.get(Regency, made.person.regency_code or "")
    where = f"{home.name} ({home.code})" if home else "every regency"
    click.echo(f"Created {made.person.email}, {role} of {where}.", err=True)
    _print_link(made)


@user.command("link")
@click.argument("email")
def link(email: str) -> None:
    """Print a fresh set-password link for EMAIL, an account with no password yet."""
    try:
        made = renew_setup_link(db.session(), settings_of(current_app), email)
    except AccountSetupError as exc:
        raise refused(exc) from None
    db.session.commit()
    _print_link(made)


def _print_link(made: SetupLink) -> None:
    """The link alone on stdout (for scripts), what to do with it on stderr."""
    click.echo(
        f"Give {made.person.email} this link to set the password: it works once, "
        f"within {HOURS} hours.",
        err=True,
    )
    click.echo(made.url)
