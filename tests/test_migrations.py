"""Migrations and models agree, and any database can be brought to head."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from titiktemu.extensions import db


def test_models_and_migrations_agree(ctx: Flask) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_the_comparison_notices_a_drift(ctx: Flask) -> None:
    drifted = sa.MetaData()
    for table in db.metadata.sorted_tables:
        table.to_metadata(drifted)
    sa.Table("not_migrated", drifted, sa.Column("id", sa.Integer, primary_key=True))
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), drifted)
    assert [d[0] for d in diff] == ["add_table"]


def _titiktemu(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "titiktemu"
    return subprocess.run(
        [str(script), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_db_upgrade_brings_a_fresh_database_to_head_and_back(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TITIKTEMU_")}
    env["TITIKTEMU_INSTANCE_DIR"] = str(tmp_path)
    for args in (["db", "upgrade"], ["db", "downgrade", "base"], ["db", "upgrade"]):
        done = _titiktemu(args, env)
        assert done.returncode == 0, done.stderr
    current = _titiktemu(["db", "current"], env)
    heads = _titiktemu(["db", "heads"], env)
    head = heads.stdout.split()[0]
    assert head in current.stdout
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'titiktemu.db'}")
    with engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
    engine.dispose()
    assert {"villages", "people", "proposals", "overlap_flags", "email_outbox"} <= tables


def test_migration_files_are_date_prefixed() -> None:
    versions = Path(__file__).resolve().parents[1] / "migrations" / "versions"
    names = [p.name for p in versions.glob("*.py")]
    assert names
    assert all(name[:8].isdigit() and name[8] == "_" for name in names), names
