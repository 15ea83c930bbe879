"""One line per decision or change, in the same transaction as the change itself."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from titiktemu.bulk import insert_all
from titiktemu.models import AuditEntry


def record(
    session: Session,
    action: str,
    object_type: str,
    object_id: object,
    actor_id: int | None = None,
    **detail: Any,
) -> None:
    """Add an audit entry; the caller's commit makes it stick (or not) with the change."""
    session.add(
        AuditEntry(
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            actor_id=actor_id,
            detail=detail,
        )
    )


#: One audit line as a pass collects them: action, object type, object id, detail.
Line = tuple[str, str, object, dict[str, Any]]


def record_all(session: Session, lines: Iterable[Line]) -> None:
    """Audit lines of the system's own changes (no actor), in their order, written together: a
    rebuild that changes thousands of rows writes their lines in bulk, not one insert each."""
    rows = [
        {"action": a, "object_type": t, "object_id": str(i), "actor_id": None, "detail": d}
        for a, t, i, d in lines
    ]
    insert_all(session, AuditEntry.__table__, rows)  # type: ignore[arg-type]
