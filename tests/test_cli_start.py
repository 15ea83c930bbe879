"""``titiktemu --help`` lists the commands without building the app or importing the product."""

from __future__ import annotations

import subprocess
import sys

from flask import Flask

from web.commands import COMMANDS, load_command

HEAVY = ("sqlalchemy", "celery", "numpy", "networkx", "web.app", "titiktemu.models", "lokal")
PROBE = """
import sys
from web.cli import cli
try:
    cli.main(["--help"], prog_name="titiktemu")
except SystemExit:
    pass
print("LOADED", " ".join(m for m in {heavy!r} if m in sys.modules))
"""


def test_each_listed_help_line_is_the_commands_own() -> None:
    for name, (_, short_help) in COMMANDS.items():
        assert load_command(name).get_short_help_str(1000) == short_help, name


def test_the_app_registers_every_listed_command(app: Flask) -> None:
    assert set(COMMANDS) <= set(app.cli.commands)
    for name in COMMANDS:
        assert app.cli.commands[name] is load_command(name)


def test_help_lists_every_command_and_imports_nothing_heavy() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    for name in [*COMMANDS, "run", "shell", "routes"]:
        assert f"\n  {name} " in done.stdout, name
    loaded = done.stdout.rsplit("LOADED", 1)[1].split()
    assert loaded == []


def test_a_listed_command_still_runs_with_the_app(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["db", "--help"])
    assert result.exit_code == 0, result.output
    assert "upgrade" in result.output
