"""The command line's one translation of a command's refusal: "Error: ..." on stderr and the
exit code of its kind (``DomainError.exit_code``), after the transaction is rolled back."""

from __future__ import annotations

import click

from titiktemu.errors import DomainError
from titiktemu.extensions import db


class WrongUsage(click.ClickException):
    """A problem with what the command was given: one line, like every refusal, but exit code 2
    (click's usage errors)."""

    exit_code = 2


def refused(error: DomainError, message: str | None = None) -> click.ClickException:
    """Roll back what the command began and say ``message`` (default: the error's own words)
    with the exit code the refusal calls for."""
    db.session.rollback()
    kind = WrongUsage if error.exit_code == WrongUsage.exit_code else click.ClickException
    return kind(message or str(error))
