"""Titik Temu's own ``titiktemu`` commands, by name, without importing them.

``titiktemu --help`` lists these from the table and imports nothing of the product; a command
imports its module only when it runs (a module pulls in SQLAlchemy, the models, the engine ...).
The app registers the same commands on ``app.cli`` (``web.app``), so the test runner sees them;
``tests/test_cli_start.py`` keeps each line below equal to its command's own help.
"""

from __future__ import annotations

import importlib

import click

#: name -> ("module:attribute", the command's short help).
COMMANDS: dict[str, tuple[str, str]] = {
    "beneficiaries": (
        "web.commands.beneficiaries:beneficiaries",
        "Beneficiary lists: encoded on arrival, linked across programs, never kept in clear.",
    ),
    "db": ("web.commands.database:db_group", "Perform database migrations."),
    "demo": (
        "web.commands.demo:demo",
        "Create the database, load Klaten, seed demo data and serve it.",
    ),
    "import": (
        "web.commands.imports:import_files",
        "Import CSV or XLSX FILES (programs, people, interventions, offers, needs): all or nothing.",
    ),
    "rebuild": (
        "web.commands.rebuild:rebuild",
        "Rebuild proposals, overlap flags and gaps of REGENCY_CODE, such as 33.10, showing progress.",
    ),
    "regions": (
        "web.commands.regions:regions",
        "Provinces, regencies, kecamatan and villages (Kemendagri codes).",
    ),
    "taxonomy": (
        "web.commands.taxonomy:taxonomy",
        "Skills and activity categories (codes, labels, synonyms in both languages).",
    ),
    "token": ("web.commands.tokens:token", "Personal API tokens."),
    "user": (
        "web.commands.users:user",
        "Accounts made from the command line (the first admin, coordinators, partners).",
    ),
}


def load_command(name: str) -> click.Command:
    """Import the command called ``name`` (a key of COMMANDS)."""
    module, attribute = COMMANDS[name][0].split(":")
    command = getattr(importlib.import_module(module), attribute)
    assert isinstance(command, click.Command)
    return command
