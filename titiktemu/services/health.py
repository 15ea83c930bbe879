"""What ``/healthz`` reports: can we reach the database and the broker right now, and does the
database hold the reference data it needs to take any data."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from kombu import Connection
from sqlalchemy.orm import Session

from titiktemu.services.reference_data import ReferenceDataCheck, check_reference_data
from titiktemu.settings import Settings


@dataclass(frozen=True)
class HealthReport:
    """The answer of ``/healthz``: each part's state, and whether to serve traffic."""

    database: str
    broker: str
    reference_data: ReferenceDataCheck | None  # None when the database cannot be reached

    @property
    def serving(self) -> bool:
        """False (503) when the database or broker is down or the taxonomy is missing: such an
        instance refuses every import and form. No regency loaded yet is reported but serves,
        so a load balancer does not drop a fresh instance while its operator sets it up."""
        return (
            self.database == "ok"
            and not self.broker.startswith("error")
            and self.reference_data is not None
            and self.reference_data.usable
        )

    def as_json(self) -> dict[str, str]:
        """``status`` is "ok" exactly when serving; ``reference_data`` names what is missing."""
        return {
            "database": self.database,
            "broker": self.broker,
            "reference_data": str(self.reference_data) if self.reference_data else "unknown",
            "status": "ok" if self.serving else "degraded",
        }


def health_report(session: Session, settings: Settings) -> HealthReport:
    """Check the database, the broker and the reference data; never raises."""
    database = database_state(session)
    reference = check_reference_data(session) if database == "ok" else None
    return HealthReport(database, broker_state(settings), reference)


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
