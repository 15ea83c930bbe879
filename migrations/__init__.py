"""The Alembic scripts, shipped in the wheel as titiktemu.migrations (see setup.py)."""
