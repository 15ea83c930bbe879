"""The SQL statements an engine sends while a block runs, for what tests and benchmarks count:
statements per page (no query per row), writes per rebuild (nothing rewritten), rows written."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa


@dataclass(frozen=True)
class Sent:
    sql: str
    verb: str  # INSERT, SELECT, COPY ... (upper case)
    table: str  # the table an INSERT INTO / DELETE FROM / UPDATE names, else the second word
    rows: int  # the cursor's rowcount (-1 when the driver cannot say)


@contextmanager
def sent_statements(engine: sa.Engine) -> Iterator[list[Sent]]:
    """Each statement sent through ``engine`` inside the block, in order."""
    seen: list[Sent] = []

    def after(_conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        words = statement.split() or [""]
        verb = words[0].upper()
        table = ""
        if len(words) > 1:
            table = (
                words[2] if words[1].upper() in ("INTO", "FROM") and len(words) > 2 else words[1]
            )
        seen.append(Sent(statement, verb, table, cursor.rowcount))

    sa.event.listen(engine, "after_cursor_execute", after)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "after_cursor_execute", after)
