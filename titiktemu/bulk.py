"""Set-based writes that work alike on PostgreSQL and SQLite: one statement per batch of rows.

A pass that stores thousands of rows pays per statement, not per row: inserts go out as one
multi-row ``INSERT ... ON CONFLICT`` (SQLAlchemy's "insertmanyvalues"), updates as one
``executemany`` (psycopg sends it in a single pipeline). Only what changed is ever written.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from titiktemu.models import changes
from titiktemu.models.base import run, utcnow
from titiktemu.transactions import note_write

T = TypeVar("T")
#: Ids per ``IN (...)`` list: far under every backend's limit on bound parameters.
BATCH = 5000
#: From this many rows on, PostgreSQL gets them by ``COPY``; fewer go in one ``INSERT``, which
#: is quicker for a handful (the live path stores a few rows at a time).
COPY_FROM = 100


class JsonText(str):
    """A JSON column's value already encoded: a pass writing thousands of rows that share a few
    hundred parts (a rebuild's proposals and their reasons) encodes each part once, not once a
    row. ``COPY`` sends it as it is; an ``INSERT`` decodes it for the column's own type."""

    __slots__ = ()


def _decoded(rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """``rows`` as an ``INSERT`` takes them: JSON given as text (``JsonText``) decoded."""
    encoded = [name for name, value in rows[0].items() if isinstance(value, JsonText)]
    if not encoded:
        return list(rows)
    return [{**row, **{name: json.loads(row[name]) for name in encoded}} for row in rows]


def batches(values: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    """``values`` in slices of at most ``size``."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def insert_all(session: Session, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (the same columns in each; other columns take their defaults)."""
    if len(rows) >= COPY_FROM and _copies(session):
        columns, values = _prepared(session, table, rows)
        _copy(session, table.name, columns, values)
    elif rows:
        _run(session, _plain_insert(table), _decoded(rows), {})


def _run(
    session: Session,
    statement: sa.Executable,
    rows: Sequence[Mapping[str, Any]] | None,
    options: Mapping[str, Any],
) -> sa.CursorResult[*tuple[Any, ...]]:
    """A write (of ``rows``, if any) on the session's connection, past the ORM's pipeline (the
    live path stores a few rows a statement, and the pipeline costs as much as the database
    does); through the session only when it writes a table the engine reads and the caller has
    not noted the change itself (``changes.NOTED``): the session's listener notes it then."""
    params = None if rows is None else list(rows)
    table = getattr(statement, "table", None)
    if getattr(table, "name", None) in changes.READ_TABLES and not options.get(changes.NOTED):
        return cast(
            sa.CursorResult[*tuple[Any, ...]],
            session.execute(statement, params, execution_options=options),
        )
    return run(session, statement, params)


@functools.cache
def _plain_insert(table: sa.Table) -> sa.Insert:
    """Built once a table: the statement's cache key is then worked out once, not every call."""
    return table.insert()


@functools.cache
def _insert_new(dialect: str, table: sa.Table, key: str) -> sa.Insert:
    """``insert_new``'s statement, built once a dialect and table (as ``_plain_insert``)."""
    maker = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        maker(table)
        .on_conflict_do_nothing(index_elements=[key])
        .returning(table.c[key], table.c.id)
    )


def insert_new(
    session: Session,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    key: str,
    options: Mapping[str, Any] | None = None,
) -> dict[Any, int]:
    """Insert ``rows``, skipping any whose unique ``key`` another transaction stored first;
    the id of each row inserted, by its key. ``options``: the insert's execution options."""
    if not rows:
        return {}
    if len(rows) >= COPY_FROM and _copies(session):
        return _copy_new(session, table, rows, key, options or {})
    statement = _insert_new(session.connection().dialect.name, table, key)
    written = _run(session, statement, _decoded(rows), options or {})
    return {row[0]: row[1] for row in written}


def _copies(session: Session) -> bool:
    """PostgreSQL through psycopg: many rows go in by ``COPY``, a fraction of the work of
    ``INSERT`` (no statement text to build and parse, no parameter per value)."""
    return session.connection().dialect.driver == "psycopg"


def _copy_new(
    session: Session,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    key: str,
    options: Mapping[str, Any],
) -> dict[Any, int]:
    """``insert_new`` by ``COPY`` into a temporary table, then one ``INSERT ... SELECT ...
    ON CONFLICT DO NOTHING RETURNING``."""
    columns, values = _prepared(session, table, rows)
    staging = sa.table(f"staging_{table.name}", *(sa.column(c) for c in columns))
    source = sa.select(*(table.c[c] for c in columns)).where(sa.false())
    # CREATE TABLE ... AS: the staging columns take the table's own types.
    create = sa.text(f"CREATE TEMPORARY TABLE {staging.name} AS {_sql(session, source)}")
    session.execute(create)
    try:
        _copy(session, staging.name, columns, values)
        statement = (
            postgresql.insert(table)
            .from_select(columns, sa.select(*staging.c))
            .on_conflict_do_nothing(index_elements=[key])
            .returning(table.c[key], table.c.id)
        )
        return {row[0]: row[1] for row in _run(session, statement, None, options)}
    finally:
        session.execute(sa.text(f"DROP TABLE {staging.name}"))


def _sql(session: Session, statement: sa.Select[Any]) -> str:
    dialect = session.connection().dialect
    return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def _copy(session: Session, name: str, columns: list[str], values: list[tuple[Any, ...]]) -> None:
    connection = session.connection()
    note_write(connection)  # past SQLAlchemy: a failed import must roll this back
    driver = connection.connection.driver_connection
    assert driver is not None  # a connection in a transaction
    cursor = driver.cursor()
    with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in values:
            copy.write_row(row)


def _prepared(
    session: Session, table: sa.Table, rows: Sequence[Mapping[str, Any]]
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The columns and the values as the database takes them: the rows' own, then every other
    column with a default (evaluated once: defaults here never read the row), each converted by
    its type (enums to their values, JSON to text)."""
    dialect = session.connection().dialect
    given = list(rows[0])
    defaults: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None or not isinstance(default, sa.ColumnDefault):
            continue
        arg = default.arg
        defaults[column.name] = arg(None) if callable(arg) else arg
    columns = given + list(defaults)

    def converter(name: str) -> Callable[[Any], Any] | None:
        kind = table.c[name].type
        if isinstance(kind, sa.JSON):
            return _json
        found: Callable[[Any], Any] | None = kind.dialect_impl(dialect).bind_processor(dialect)
        return found

    # Converted column by column, and only the columns whose type converts (JSON to text,
    # enums to their values): a rebuild's proposals are some 25,000 values, most as they are.
    converters = [(i, f) for i, name in enumerate(given) if (f := converter(name)) is not None]
    tail = tuple((converter(name) or _same)(value) for name, value in defaults.items())
    table_rows = [[row[c] for c in given] for row in rows]
    for index, convert in converters:
        for values_of_row in table_rows:
            values_of_row[index] = convert(values_of_row[index])
    values = [(*values_of_row, *tail) for values_of_row in table_rows]
    return columns, values


def _json(value: Any) -> str | None:
    if value is None or isinstance(value, JsonText):
        return value
    return json.dumps(value)


def _same(value: Any) -> Any:
    return value


def update_rows(
    session: Session,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    options: Mapping[str, Any] | None = None,
) -> int:
    """Update each row by ``id`` with its own values (the same columns in every row) in one
    executemany, ``updated_at`` too; the number of rows written. A row carrying ``seen`` is
    written only while its status is still that one: a conditional write, so a decision
    someone took meanwhile stands (see :mod:`titiktemu.decisions`). ``options``: the
    statement's execution options."""
    if not rows:
        return 0
    condition = table.c.id == sa.bindparam("b_id")
    if "seen" in rows[0]:
        condition = condition & (table.c.status == sa.bindparam("b_seen"))
    now = utcnow()
    params = []
    for row in rows:
        values = {k: v for k, v in row.items() if k not in ("id", "seen")}
        values["b_id"] = row["id"]
        if "seen" in row:
            values["b_seen"] = row["seen"]
        if "updated_at" in table.c:
            values["updated_at"] = now
        params.append(values)
    statement = sa.update(table).where(condition).execution_options(**(options or {}))
    result = session.execute(statement, params)
    return int(cast(sa.CursorResult[Any], result).rowcount)
