"""``titiktemu token create EMAIL``: a personal API token for an operator's script, shown once."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from titiktemu.accounts.tokens import TokenNameError, create_token, revoke_token, tokens_of
from titiktemu.extensions import db
from titiktemu.models import ApiToken, Person
from web.commands.refusals import refused


@click.group("token")
def token() -> None:
    """Personal API tokens."""


def _person(email: str) -> Person:
    found = db.session.scalars(
        sa.select(Person).where(sa.func.lower(Person.email) == email.strip().lower())
    ).one_or_none()
    if found is None:
        raise click.ClickException(f"nobody has the email {email}")
    if not found.active:
        raise click.ClickException(f"{email} is deactivated: a token would not work")
    return found


@token.command("create")
@with_appcontext
@click.argument("email")
@click.option("--name", default="command line", show_default=True, help="What the token is for.")
def create(email: str, name: str) -> None:
    """Make a token for EMAIL and print it, this once (only its hash is kept)."""
    person = _person(email)
    try:
        row, plain = create_token(db.session(), person, name)
    except TokenNameError as exc:
        raise refused(exc, "the name must be 1 to 80 characters") from None
    db.session.commit()
    click.echo(plain)
    click.echo(
        f"Token {row.id} ({row.name!r}) for {person.email}, role {person.role.value}. "
        "It is shown only now: keep it somewhere safe.",
        err=True,
    )


@token.command("list")
@with_appcontext
@click.argument("email")
def list_tokens(email: str) -> None:
    """The live tokens of EMAIL: id, first characters, name, last used."""
    for row in tokens_of(db.session(), _person(email)):
        used = row.last_used_at.isoformat(timespec="minutes") if row.last_used_at else "never"
        click.echo(f"{row.id}\t{row.prefix}…\t{row.name}\tlast used {used}")


@token.command("revoke")
@with_appcontext
@click.argument("token_id", type=int)
def revoke(token_id: int) -> None:
    """Revoke the token TOKEN_ID (as its owner would on the profile page)."""
    row = db.session.get(ApiToken, token_id)
    if row is None or not revoke_token(db.session(), row.person, token_id):
        raise click.ClickException(f"no live token {token_id}")
    db.session.commit()
    click.echo(f"Token {token_id} of {row.person.email} revoked.")
