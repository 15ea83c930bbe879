"""A transaction that only read ends with COMMIT on PostgreSQL (``titiktemu.transactions``), so
psycopg keeps its prepared statements; one that wrote is still rolled back, whatever wrote.

Each test works on an engine of its own with a single pooled connection and a TEMP table of
that connection: nothing another test can see is written.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.settings import Settings
from titiktemu.transactions import note_write

READ = sa.text("SELECT count(*) FROM scratch_rows WHERE n >= :low")


@pytest.fixture
def engine(settings: Settings) -> Iterator[sa.Engine]:
    engine = sa.create_engine(settings.database_url, pool_size=1, max_overflow=0)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TEMP TABLE scratch_rows (n integer)")
    try:
        yield engine
    finally:
        engine.dispose()


def _rows(engine: sa.Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(READ, {"low": 0}) or 0)


def _prepared(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.exec_driver_sql("SELECT statement FROM pg_prepared_statements").scalars())


def test_a_read_only_request_keeps_the_prepared_statements(engine: sa.Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("prepared statements are psycopg's, on PostgreSQL")
    for _ in range(8):  # psycopg prepares at the fifth run; each session ends with a rollback
        with Session(engine) as session:
            session.scalar(READ, {"low": 1})
    assert any("scratch_rows" in statement for statement in _prepared(engine))


@pytest.mark.parametrize("how", ["orm", "driver"])
def test_a_transaction_that_wrote_is_rolled_back(engine: sa.Engine, how: str) -> None:
    with Session(engine) as session:
        session.scalar(READ, {"low": 0})  # a read first: the write comes later
        if how == "orm":
            session.execute(sa.text("INSERT INTO scratch_rows (n) VALUES (1)"))
        else:  # past SQLAlchemy, as a COPY is: the writer says so
            connection = session.connection()
            note_write(connection)
            driver = connection.connection.driver_connection
            assert driver is not None
            driver.cursor().execute("INSERT INTO scratch_rows (n) VALUES (2)")
        session.rollback()
    assert _rows(engine) == 0


def test_an_aborted_transaction_is_rolled_back_quietly(engine: sa.Engine) -> None:
    with Session(engine) as session:
        with pytest.raises(sa.exc.DBAPIError):
            session.execute(sa.text("SELECT n FROM no_such_table"))
        session.rollback()
        assert session.scalar(READ, {"low": 0}) == 0
