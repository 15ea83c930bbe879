"""What is shipped: the lock files pin every requirement, and the wheel upgrades a database alone.

The image installs requirements.lock and then the wheel; CI installs requirements-dev.lock. A
dependency added to pyproject.toml without refreshing the locks, or an Alembic file the wheel
leaves behind, would only show in production: these tests show it here.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]


def pins(lock: str) -> dict[str, str]:
    """Package name -> pinned version of a uv/pip-tools lock file."""
    pinned: dict[str, str] = {}
    for line in (ROOT / lock).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        requirement = Requirement(line)
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", line
        pinned[canonicalize_name(requirement.name)] = specifier.version
    return pinned


def unpinned(requirements: list[str], pinned: dict[str, str]) -> list[str]:
    """The requirements a lock misses or pins outside their range."""
    missing = []
    for text in requirements:
        requirement = Requirement(text)
        version = pinned.get(canonicalize_name(requirement.name))
        if version is None or not requirement.specifier.contains(version, prereleases=True):
            missing.append(text)
    return missing


def test_the_runtime_lock_pins_every_dependency() -> None:
    assert unpinned(PROJECT["dependencies"], pins("requirements.lock")) == []


def test_the_dev_lock_pins_every_dependency_and_extra() -> None:
    extras = PROJECT["optional-dependencies"]
    assert set(extras) == {"test", "browser", "dev"}
    everything = [*PROJECT["dependencies"], *(text for group in extras.values() for text in group)]
    assert unpinned(everything, pins("requirements-dev.lock")) == []


def test_both_locks_agree() -> None:
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {name: (version, dev.get(name)) for name, version in runtime.items()} == {
        name: (version, version) for name, version in runtime.items()
    }


def test_the_check_notices_a_missing_or_stale_pin() -> None:
    pinned = {"flask": "3.1.0"}
    assert unpinned(["flask>=3.1,<4", "numpy>=1.26", "flask>=4"], pinned) == [
        "numpy>=1.26",
        "flask>=4",
    ]


@pytest.mark.slow
def test_the_wheel_upgrades_a_fresh_database_outside_the_tree(tmp_path: Path) -> None:
    """Build the wheel from a copy of the project, unpack it (a pure-Python wheel installs by
    unpacking) and run ``titiktemu db upgrade`` from it, far from migrations/ in the tree."""
    source = tmp_path / "source"
    for name in ("titiktemu", "web", "worker", "graph", "migrations"):
        shutil.copytree(
            ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    wheels = tmp_path / "wheels"
    build = ["wheel", "--quiet", "--no-deps", "--no-build-isolation", "--wheel-dir", str(wheels)]
    subprocess.run(
        [sys.executable, "-m", "pip", *build, str(source)],
        check=True,
        cwd=tmp_path,
    )
    (wheel,) = wheels.glob("titiktemu-*.whl")
    installed = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(installed)
    scripts = {p.name for p in (ROOT / "migrations" / "versions").glob("*.py")}
    shipped = {Path(n).name for n in names if n.startswith("titiktemu/migrations/versions/")}
    assert scripts <= shipped
    assert {"titiktemu/migrations/alembic.ini", "titiktemu/migrations/env.py"} <= names
    demo = {p.name for p in (ROOT / "titiktemu" / "data" / "demo" / "33.10").glob("*.csv")}
    assert demo
    assert {f"titiktemu/data/demo/33.10/{name}" for name in demo} <= names

    run_dir = tmp_path / "elsewhere"
    run_dir.mkdir()
    database = run_dir / "fresh.db"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("TITIKTEMU_") and key != "PYTHONPATH"
    }
    env |= {
        "PYTHONPATH": str(installed),
        "TITIKTEMU_INSTANCE_DIR": str(run_dir / "instance"),
        "TITIKTEMU_DATABASE_URL": f"sqlite:///{database}",
    }
    code = (
        "import sys, titiktemu.app as app; "
        f"assert app.MIGRATIONS_DIR.is_relative_to({str(installed)!r}), app.MIGRATIONS_DIR; "
        "from web.cli import main; sys.argv = ['titiktemu', 'db', 'upgrade']; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=run_dir, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    with sqlite3.connect(database) as connection:
        (revision,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    heads = subprocess.run(
        [sys.executable, "-c", "from web.cli import main; main()", "db", "heads"],
        cwd=run_dir,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert revision in heads
