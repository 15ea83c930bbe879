"""One line per decision or change, in the same transaction as the change itself."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

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
