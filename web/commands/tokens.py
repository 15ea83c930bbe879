"""``titiktemu token create EMAIL`` (skeleton: filled in by the API work)."""

from __future__ import annotations

import click


@click.group("token")
def token() -> None:
    """Personal API tokens."""
