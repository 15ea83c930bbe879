"""``titiktemu import FILE...`` (skeleton: filled in by the import work)."""

from __future__ import annotations

import click


@click.command("import")
def import_files() -> None:
    """Import CSV or XLSX files."""
