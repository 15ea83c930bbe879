"""What ``/healthz`` reports: can we reach the database and the broker right now, does the
database hold the reference data it needs to take any data, and where sign-in failures are
counted."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from kombu import Connection
from sqlalchemy.orm import Session

from titiktemu.settings import Settings
from titiktemu.vocabulary.reference_data import ReferenceDataCheck, check_reference_data

#: Where the sign-in limiter counts: the broker's Redis, this process's memory (no Redis set: the
#: embedded default), or memory because Redis does not answer (``web.auth.limits``).
LIMITS_REDIS = "redis"
LIMITS_MEMORY = "memory"
LIMITS_FALLBACK = "memory (redis unreachable)"


@dataclass(frozen=True)
class HealthReport:
    """The answer of ``/healthz``: each part's state, and whether to serve traffic."""

    database: str
    broker: str
    reference_data: ReferenceDataCheck | None  # None when the database cannot be reached
    login_limits: str = LIMITS_MEMORY

    @property
    def serving(self) -> bool:
        """False (503) when the database is down or the taxonomy is missing: such an instance
        refuses every import and form. No regency loaded yet is reported but serves, so a load
        balancer does not drop a fresh instance while its operator sets it up.

        A broker (Redis) that does not answer is a warning, not a reason to stop serving: jobs
        wait in ``job_runs`` and emails in the outbox until it is back, and sign-in failures are
        counted in memory meanwhile. Every instance shares the one Redis, so a 503 here would
        take them all out of the load balancer at once."""
        return (
            self.database == "ok" and self.reference_data is not None and self.reference_data.usable
        )

    @property
    def warnings(self) -> list[str]:
        """What works less well than it should while the instance still serves."""
        found = []
        if self.broker.startswith("error"):
            found.append("broker unreachable: jobs wait in the database until it answers")
        if self.login_limits == LIMITS_FALLBACK:
            found.append("sign-in failures are counted per process, in memory, until Redis answers")
        return found

    def as_json(self) -> dict[str, object]:
        """``status``: "ok" when serving with nothing to warn about, "warning" when serving with
        ``warnings``, "degraded" when not serving (503); ``reference_data`` names what is
        missing."""
        warnings = self.warnings
        status = "degraded" if not self.serving else "warning" if warnings else "ok"
        return {
            "database": self.database,
            "broker": self.broker,
            "reference_data": str(self.reference_data) if self.reference_data else "unknown",
            "login_limits": self.login_limits,
            "warnings": warnings,
            "status": status,
        }


def health_report(
    session: Session, settings: Settings, login_limits: str = LIMITS_MEMORY
) -> HealthReport:
    """Check the database, the broker and the reference data; never raises (``login_limits``:
    the web limiter's own account of where it counts)."""
    database = database_state(session)
    reference = check_reference_data(session) if database == "ok" else None
    return HealthReport(database, broker_state(settings), reference, login_limits)


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
