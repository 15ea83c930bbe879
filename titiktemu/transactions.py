"""A read-only PostgreSQL transaction ends with COMMIT, so psycopg keeps its prepared statements.

psycopg prepares a statement on the server once a connection has run it five times, and from
then on PostgreSQL neither parses nor plans it again (the queue's page of cards took as long
to plan as to run). But psycopg forgets every prepared statement of a connection at each
ROLLBACK (the transaction might have dropped what they name), and every web request ends its
transaction with one: the session closes, SQLAlchemy rolls back. Nothing was ever prepared.

A transaction that only read has the same outcome committed or rolled back, so at the rollback
of one that sent nothing but SELECTs the connection commits first; the ROLLBACK that follows
finds no transaction and sends nothing. A transaction that wrote, or that the database already
aborted, is rolled back as before.

"Only read" is what SQLAlchemy saw: every statement it sent since the transaction began was a
SELECT (a lock one took, ``FOR UPDATE`` or advisory, ends with the transaction either way). Code
that writes through the driver itself, past SQLAlchemy (``COPY``), says so with
:func:`note_write`.
"""

from __future__ import annotations

from contextlib import suppress

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

#: ``Connection.info`` key: False while the transaction has sent only SELECTs.
_WROTE = "titiktemu.wrote"


def only_read(connection: Connection) -> bool:
    """Whether the connection's transaction has sent nothing but SELECTs so far: what it reads
    is what others have committed."""
    return connection.info.get(_WROTE) is False


def note_write(connection: Connection) -> None:
    """The current transaction wrote through the driver: it must be rolled back, not committed."""
    connection.info[_WROTE] = True


@event.listens_for(Engine, "begin")
def _reading(conn: Connection) -> None:
    conn.info[_WROTE] = False


@event.listens_for(Engine, "before_cursor_execute")
def _note_statement(conn: Connection, _cursor: object, statement: str, *_: object) -> None:
    if conn.info.get(_WROTE) is False and statement.lstrip()[:6].upper() != "SELECT":
        conn.info[_WROTE] = True


@event.listens_for(Engine, "rollback")
def _commit_reads(conn: Connection) -> None:
    if conn.info.get(_WROTE, True) or conn.dialect.name != "postgresql":
        return
    import psycopg  # PostgreSQL only: SQLite never loads libpq
    from psycopg.pq import TransactionStatus

    driver = conn.connection.driver_connection
    # Only a healthy open transaction: an aborted one is PostgreSQL's to roll back.
    if driver is not None and driver.info.transaction_status == TransactionStatus.INTRANS:
        # A broken connection fails the rollback that follows as well, which says so.
        with suppress(psycopg.Error):
            driver.commit()
