"""Declarative base with a naming convention, so Alembic names constraints alike on every backend."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.sql import coercions, roles
from sqlalchemy.sql._typing import _ColumnExpressionArgument
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """Naive UTC: stored alike by SQLite and PostgreSQL ``timestamp without time zone``."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def run(
    session: Session,
    statement: sa.Executable,
    params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
) -> sa.CursorResult[*tuple[Any, ...]]:
    """Run a Core statement on the session's connection, in its transaction, past the ORM's
    execution pipeline: for statements built once that load no mapped objects, on the paths
    that send many (a need's match sends a dozen). The pipeline costs 70-120 us a statement
    here, as much as PostgreSQL takes to answer a short one. Its listeners do not see the
    statement: a write to a table the engine reads notes its changes itself (``NOTED`` and
    ``note`` in ``titiktemu.models.changes``)."""
    return session.connection().execute(statement, params)


def among(
    session: Session, column: sa.ColumnElement[Any] | Any, values: Collection[Any]
) -> sa.ColumnElement[bool]:
    """``column IN values``, on PostgreSQL as ``column = ANY(ARRAY[...])``: one array constant.

    A list of a regency's thousand offer ids as ``IN (...)`` is a thousand parameters, each
    rendered, sent and parsed, in every read that takes it: more than the reads themselves. The
    array is written into the statement when it runs (SQLAlchemy's ``literal_execute``; the
    compiled statement is still cached), not bound: PostgreSQL plans a constant by its real
    length and hashes it, where a bound array in a statement the driver has prepared gets a
    generic plan blind to both (a regency's offers read in 130 ms instead of 3, measured at
    ten regencies). SQLite has no arrays and takes them as ``IN``."""
    ordered = sorted(values)
    if not ordered:
        return sa.false()
    if session.get_bind().dialect.name != "postgresql":
        return sa.and_(column.in_(ordered))
    kind = column.type if isinstance(column, sa.ColumnElement) else column.expression.type
    array = sa.bindparam(None, ordered, type_=postgresql.ARRAY(kind), literal_execute=True)
    return sa.and_(column == sa.any_(array))


class one_of(sa.ColumnElement[bool]):  # noqa: N801 - reads as the SQL it stands for
    """``column IN (SELECT ...)``, written ``column = ANY(ARRAY(SELECT ...))`` on PostgreSQL.

    PostgreSQL filters an ``IN (subquery)`` inside an ``OR`` row by row against a hashed
    subplan, reading every row of the outer table; an ``= ANY(array)`` is an index condition,
    so each arm of the ``OR`` is read by its own index and the results are combined. SQLite
    has no arrays and plans ``IN`` by index already.
    """

    type = sa.Boolean()
    inherit_cache = True
    _traverse_internals = [  # noqa: RUF012 - SQLAlchemy's own declaration, a list
        ("column", InternalTraversal.dp_clauseelement),
        ("ids", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: _ColumnExpressionArgument[Any], ids: sa.Select[Any]) -> None:
        self.column: sa.ColumnElement[Any] = coercions.expect(roles.ExpressionElementRole, column)
        self.ids = ids


@compiles(one_of)
def _one_of_in(element: one_of, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column.in_(element.ids), **kw)


@compiles(one_of, "postgresql")
def _one_of_any(element: one_of, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    return f"{column} = ANY(ARRAY{compiler.process(element.ids.scalar_subquery(), **kw)})"


class days_before(sa.ColumnElement[dt.datetime]):  # noqa: N801 - reads as the SQL it stands for
    """The moment ``days`` whole days before ``moment``, worked out by the database: a cutoff
    that depends on a row (a regency's review deadline) in the statement that uses it, instead
    of a read of the row first. PostgreSQL subtracts an interval; SQLite, which keeps times as
    text, shifts the text (to the millisecond: it keeps no finer)."""

    type = sa.DateTime()
    inherit_cache = True
    _traverse_internals = [  # noqa: RUF012 - SQLAlchemy's own declaration, a list
        ("moment", InternalTraversal.dp_clauseelement),
        ("days", InternalTraversal.dp_clauseelement),
    ]

    def __init__(
        self, moment: _ColumnExpressionArgument[Any], days: _ColumnExpressionArgument[Any]
    ) -> None:
        self.moment: sa.ColumnElement[Any] = coercions.expect(roles.ExpressionElementRole, moment)
        self.days: sa.ColumnElement[Any] = coercions.expect(roles.ExpressionElementRole, days)


@compiles(days_before)
def _days_before_interval(element: days_before, compiler: SQLCompiler, **kw: Any) -> str:
    moment, days = compiler.process(element.moment, **kw), compiler.process(element.days, **kw)
    return f"({moment} - make_interval(days => {days}))"


@compiles(days_before, "sqlite")
def _days_before_text(element: days_before, compiler: SQLCompiler, **kw: Any) -> str:
    moment, days = compiler.process(element.moment, **kw), compiler.process(element.days, **kw)
    return f"strftime('%Y-%m-%d %H:%M:%f', {moment}, '-' || ({days}) || ' days')"


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def str_enum(enum_cls: type[enum.StrEnum], name: str) -> sa.Enum:
    """Store an enum by its value as a short VARCHAR with a CHECK, portable and readable in SQL."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )


class Timestamped:
    """Created/updated columns every editable record carries."""

    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
