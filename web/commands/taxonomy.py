"""``titiktemu taxonomy load``: the skill and activity taxonomy, from the shipped TOML or a file.

``titiktemu db upgrade`` runs the same load after every schema upgrade; this command is for a
local taxonomy file, or to see what a changed file would add.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from titiktemu.extensions import db
from titiktemu.vocabulary.reference_data import load_reference_data
from titiktemu.vocabulary.taxonomy import TaxonomyError


@click.group("taxonomy", cls=AppGroup)
def taxonomy() -> None:
    """Skills and activity categories (codes, labels, synonyms in both languages)."""


@taxonomy.command("load")
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A taxonomy TOML to load instead of the shipped titiktemu/data/taxonomy.toml.",
)
def load(path: Path | None) -> None:
    """Add and update skills and activity categories; a second run changes nothing."""
    text = path.read_text(encoding="utf-8") if path is not None else None
    try:
        report = load_reference_data(db.session(), text)
    except TaxonomyError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(report.summary())
