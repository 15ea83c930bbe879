"""What ``/healthz`` reports: can we reach the database and the broker right now."""

from __future__ import annotations

import sqlalchemy as sa
from kombu import Connection
from sqlalchemy.orm import Session

from titiktemu.settings import Settings


def database_state(session: Session) -> str:
    """ "ok", or "error: <reason>"; never raises, a health check must answer."""
    try:
        session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        session.rollback()
        return f"error: {type(exc).__name__}"
    return "ok"


def broker_state(settings: Settings) -> str:
    """ "eager" on the embedded default (tasks run in process), else "ok" or "error: <reason>"."""
    if settings.broker_url is None:
        return "eager"
    try:
        with Connection(settings.broker_url, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception as exc:  # any failure to connect is the answer, not a crash
        return f"error: {type(exc).__name__}"
    return "ok"
