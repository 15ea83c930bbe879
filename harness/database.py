"""An empty database for a test session or a benchmark run: they start from migrations, never
from what an earlier run left."""

from __future__ import annotations

import sqlalchemy as sa


def reset_database(url: str) -> None:
    """Drop everything in the test database, so the session starts from migrations, not leftovers."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        else:
            meta = sa.MetaData()
            meta.reflect(conn)
            meta.drop_all(conn)
    engine.dispose()
