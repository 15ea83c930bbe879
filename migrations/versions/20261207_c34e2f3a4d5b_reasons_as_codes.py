"""Stored reasons become codes and values only: their words (``text_id``, ``text_en``) go, because
every channel now renders a reason in its reader's language from the one catalog.

A data migration, no schema change: the reasons live in JSON (``proposals.reasons`` and
``retired_reason``, ``gaps.reasons``, ``overlap_flags.reasons`` and ``change_note``). A reason
that has its code loses its two texts; one stored before reasons had codes (its words cannot be
read back into a code and values) becomes the generic code ``legacy.text`` with its two texts
as values, until the next rebuild writes it anew. The downgrade gives every reason its texts
back: the kept ones for ``legacy.text``, the code itself otherwise (the next rebuild of the
older release writes the words again). Plain SQL on JSON, so SQLite and PostgreSQL alike.

Revision ID: c34e2f3a4d5b
Revises: b23f1d2e3c4a
Create Date: 2026-12-07 00:30:00.000000

"""
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c34e2f3a4d5b'
down_revision = 'b23f1d2e3c4a'
branch_labels = None
depends_on = None

LEGACY = "legacy.text"
#: table -> its reason columns, each (column, holds a list of reasons rather than one)
COLUMNS = {
    "proposals": (("reasons", True), ("retired_reason", False)),
    "gaps": (("reasons", True),),
    "overlap_flags": (("reasons", True), ("change_note", False)),
}
BATCH = 1000

Reason = dict[str, Any]


def to_code(reason: Reason) -> Reason:
    """A stored reason without its words: its code and values (``legacy.text`` for a reason
    that never had a code)."""
    if not isinstance(reason, dict):
        return reason
    kept = {k: v for k, v in reason.items() if k not in ("text_id", "text_en")}
    if reason.get("code"):
        kept.setdefault("params", {})
        return kept
    if reason.get("text_id") or reason.get("text_en"):
        kept["code"] = LEGACY
        kept["params"] = {"id": reason.get("text_id") or "", "en": reason.get("text_en") or ""}
    return kept


def to_texts(reason: Reason) -> Reason:
    """A reason as the previous release stores it, with ``text_id`` and ``text_en``."""
    if not isinstance(reason, dict) or not reason.get("code"):
        return reason
    params = reason.get("params") or {}
    if reason["code"] == LEGACY:
        kept = {k: v for k, v in reason.items() if k not in ("code", "params")}
        return {**kept, "text_id": params.get("id", ""), "text_en": params.get("en", "")}
    return {**reason, "text_id": reason["code"], "text_en": reason["code"]}


def _convert(stored: Any, many: bool, convert: Callable[[Reason], Reason]) -> Any:
    if stored is None:
        return None
    if many:
        return [convert(r) for r in stored] if isinstance(stored, list) else stored
    return convert(stored)


def _rewrite(convert: Callable[[Reason], Reason]) -> None:
    """Every stored reason through ``convert``, a batch of rows at a time, each changed row
    written once (all its reason columns in one UPDATE)."""
    conn = op.get_bind()
    for name, columns in COLUMNS.items():
        table = sa.table(
            name, sa.column("id", sa.Integer), *(sa.column(c, sa.JSON) for c, _ in columns)
        )
        last = 0
        while True:
            rows = conn.execute(
                sa.select(table.c.id, *(table.c[c] for c, _ in columns))
                .where(table.c.id > last)
                .order_by(table.c.id)
                .limit(BATCH)
            ).all()
            if not rows:
                break
            last = rows[-1][0]
            for row_id, *stored in rows:
                changed = {}
                for (column, many), old in zip(columns, stored, strict=True):
                    new = _convert(old, many, convert)
                    if new != old:
                        changed[column] = new
                if changed:
                    conn.execute(table.update().where(table.c.id == row_id).values(**changed))


def upgrade():
    _rewrite(to_code)


def downgrade():
    _rewrite(to_texts)
