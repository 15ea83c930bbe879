"""``titiktemu demo``: a working Klaten with demo accounts, on whatever database is configured."""

from __future__ import annotations

import dataclasses

import click
from alembic.util import CommandError
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from titiktemu.app import settings_of, upgrade_database
from titiktemu.demo.seed import (
    DEMO_COORDINATOR,
    DEMO_FACILITATOR,
    DEMO_PASSWORD,
    DemoRefused,
    seed_demo,
)
from titiktemu.extensions import db
from titiktemu.places.regions import count_places, load_regions, resolve_codes

KLATEN = "33.10"


@click.command()
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-serve", is_flag=True, help="Set everything up, then exit.")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Create the database, load Klaten, seed demo data and serve it."""
    settings = settings_of(current_app)
    if settings.production:
        raise click.ClickException("refusing to seed demo accounts with TITIKTEMU_ENV=production")
    if not settings.base_url_explicit:
        # Every link this process emails must open where it serves, not the default port.
        settings = dataclasses.replace(settings, base_url=served_url(host, port))
        current_app.extensions["titiktemu.settings"] = settings
    click.echo(f"Database: {db.engine.url.render_as_string(hide_password=True)}")
    try:
        upgrade_database(quiet=True)
    except CommandError as exc:
        raise click.ClickException(f"the database cannot be upgraded: {exc}") from None
    roots = resolve_codes([KLATEN])
    with click.progressbar(length=count_places(roots), label="Loading Klaten") as bar:
        load_regions(db.session(), roots, progress=bar.update)
    try:
        report = seed_demo(db.session(), KLATEN, production=settings.production)
    except DemoRefused as exc:
        raise click.ClickException(str(exc)) from None
    from titiktemu.matching.rebuild import rebuild_regency  # the engine: only when it runs

    matched = rebuild_regency(db.session(), KLATEN, settings=settings)
    click.echo(
        f"Demo data: {report.programs} programs, {report.people} people, {report.offers} offers, "
        f"{report.needs} needs, {report.interventions} interventions"
    )
    click.echo(
        f"Matching: {len(matched.created)} new proposals, {len(matched.flags_created)} new "
        f"overlap flags, {matched.gaps} gaps"
    )
    click.echo("")
    click.echo(f"These are DEMO accounts with made-up data (password for both: {DEMO_PASSWORD}):")
    click.echo(f"  coordinator of Kabupaten Klaten:  {DEMO_COORDINATOR}")
    click.echo(f"  facilitator:                      {DEMO_FACILITATOR}")
    if no_serve:
        return
    click.echo(f"\nServing on {served_url(host, port)}  (Ctrl+C to stop)")
    # Werkzeug directly: Flask's app.run() refuses to block inside a CLI command.
    run_simple(host, port, current_app._get_current_object(), threaded=True)  # type: ignore[attr-defined]


def served_url(host: str, port: int) -> str:
    """Where a browser on this machine reaches a server bound to ``host``:``port`` (a wildcard
    address is reached through the loopback)."""
    if host in ("", "0.0.0.0"):  # noqa: S104 - reading the bind address, not binding
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
