"""After the engine stored something: queue the emails it causes and wake the sender."""

from __future__ import annotations

from sqlalchemy.orm import Session

from titiktemu.jobs import kick
from titiktemu.jobs.names import TaskName
from titiktemu.mail.notifications import announce_new_flags, announce_new_proposals
from titiktemu.matching.results import StoreReport
from titiktemu.settings import Settings


def announce(session: Session, settings: Settings, regency_code: str, report: StoreReport) -> int:
    """Queue emails for new proposals and flags, in the caller's transaction."""
    queued = announce_new_proposals(session, settings, regency_code, report.created)
    queued += announce_new_flags(session, settings, regency_code, report.flags_created)
    if queued:
        kick(session, TaskName.SEND_PENDING_EMAIL)
    return queued
