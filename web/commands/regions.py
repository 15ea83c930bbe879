"""``titiktemu regions load``: the official place tree, for one regency or all of Indonesia."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from titiktemu.extensions import db
from titiktemu.places.regions import UnknownRegionError, count_places, load_regions, resolve_codes


@click.group(cls=AppGroup)
def regions() -> None:
    """Provinces, regencies, kecamatan and villages (Kemendagri codes)."""


@regions.command("load")
@click.argument("codes", nargs=-1)
@click.option("--all", "load_all", is_flag=True, help="Load all 38 provinces and 83,762 villages.")
def load(codes: tuple[str, ...], load_all: bool) -> None:
    """Load the places under CODES (e.g. 33.10 for Kabupaten Klaten), or --all."""
    if load_all == bool(codes):
        raise click.UsageError("give one or more region codes (e.g. 33.10) or --all, not both")
    try:
        roots = None if load_all else resolve_codes(codes)
    except UnknownRegionError as exc:
        raise click.BadParameter(str(exc), param_hint="CODES") from None
    with click.progressbar(length=count_places(roots), label="Loading places") as bar:
        report = load_regions(db.session(), roots, progress=bar.update)
    for label, total in report.total.items():
        click.echo(
            f"{label:<10} {total:>7,}  ({report.added[label]:,} new, {report.updated[label]:,} updated)"
        )
    for places in report.places:
        click.echo(places.summary())
