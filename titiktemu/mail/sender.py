"""Sending the outbox: claim rows, record the attempt, send, mark sent. Nothing is dropped.

Claiming (the jobs' lease protocol, :mod:`titiktemu.jobs.lease`) uses ``FOR UPDATE SKIP LOCKED``
on PostgreSQL and a conditional update on SQLite, so two senders never take the same row. The
attempt is committed before SMTP is touched; a sender that dies after the server's 250 but
before marking leaves the row "sending" until its lease ends, and
the retry reuses the Message-ID (derived from the row id), so a duplicate is recognisable.
Temporary failures (4xx, connection refused) back off exponentially; permanent ones (5xx) fail at
once and are reported to the regency's coordinators. An email is rendered when it is first
attempted (:func:`titiktemu.mail.outbox.write`), and what was attempted is stored with the row.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

from sqlalchemy.orm import Session

from titiktemu.jobs.lease import Backoff, DurableQueue
from titiktemu.mail.outbox import RecipientGoneError, unsubscribe_url, write
from titiktemu.models import OutboxEmail, OutboxStatus
from titiktemu.models.base import utcnow
from titiktemu.settings import Settings

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 10
SMTP_TIMEOUT = 30
#: The outbox's lease protocol, the jobs' one (:mod:`titiktemu.jobs.lease`) on its own columns.
OUTBOX = DurableQueue(
    model=OutboxEmail,
    id=OutboxEmail.id,
    status=OutboxEmail.status,
    attempts=OutboxEmail.attempts,
    retry_at=OutboxEmail.next_attempt_at,
    lease_until=OutboxEmail.lease_until,
    last_error=OutboxEmail.last_error,
    waiting=(OutboxStatus.PENDING,),
    running=OutboxStatus.SENDING,
    retrying=OutboxStatus.PENDING,
    given_up=OutboxStatus.FAILED,
    backoff=Backoff(base=dt.timedelta(seconds=30), cap=dt.timedelta(hours=2)),
)


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: list[int] | None = None


def message_id(settings: Settings, row_id: int) -> str:
    domain = urlsplit(settings.base_url).hostname or "titiktemu.local"
    return f"<outbox-{row_id}@{domain}>"


def claim(session: Session, limit: int = 100, now: dt.datetime | None = None) -> list[int]:
    """Take up to ``limit`` due rows for this sender and record the attempt; committed."""
    ids = OUTBOX.claim_due(session, limit, now=now or utcnow(), lease=LEASE)
    session.commit()
    return ids


def build_message(settings: Settings, row: OutboxEmail) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = row.to_address
    msg["Subject"] = row.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id(settings, row.id)
    if row.person_id is not None:
        url = unsubscribe_url(settings, row.person_id)
        msg["List-Unsubscribe"] = f"<{url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(row.body_text)
    if row.body_html:
        msg.add_alternative(row.body_html, subtype="html")
    values = (row.context or {}).get("values")
    calendar = values.get("calendar") if isinstance(values, dict) else None
    if isinstance(calendar, dict):  # a forum invitation: the meeting for the person's calendar
        from titiktemu.forum.calendar import meeting_ics

        msg.add_attachment(
            meeting_ics(calendar),
            maintype="text",
            subtype="calendar",
            filename="forum.ics",
            params={"method": "REQUEST"},
        )
    return msg


class _Transport:
    """SMTP from TITIKTEMU_SMTP_URL, or .eml files in the outbox folder on the embedded default."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def send(self, msg: EmailMessage, row_id: int) -> None:
        if self.settings.smtp_url is None:
            self._write_eml(msg, row_id)
            return
        if self.smtp is None:
            self.smtp = _connect(self.settings.smtp_url)
        self.smtp.send_message(msg)

    def _write_eml(self, msg: EmailMessage, row_id: int) -> None:
        folder = self.settings.outbox_dir
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / f"{row_id:08d}.eml"
        temp = final.with_suffix(".tmp")
        temp.write_bytes(msg.as_bytes())
        os.replace(temp, final)  # atomic: a reader never sees half a message

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except smtplib.SMTPException:
                self.smtp.close()
            except OSError:
                self.smtp.close()
            self.smtp = None


def _connect(url: str) -> smtplib.SMTP:
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if parts.scheme == "smtps":
        smtp = smtplib.SMTP_SSL(host, parts.port or 465, timeout=SMTP_TIMEOUT, context=context)
    else:
        smtp = smtplib.SMTP(host, parts.port or 25, timeout=SMTP_TIMEOUT)
        smtp.ehlo()
        if smtp.has_extn("starttls"):  # upgrade whenever the server offers it
            smtp.starttls(context=context)
            smtp.ehlo()
    if parts.username:
        smtp.login(unquote(parts.username), unquote(parts.password or ""))
    return smtp


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min ... capped at two hours."""
    return OUTBOX.backoff.after(attempts)


def send_pending(session: Session, settings: Settings, limit: int = 100) -> SendReport:
    """Send every due email once (a batch of ``limit``); returns what happened."""
    from titiktemu.mail.notifications import announce_failed_delivery

    report = SendReport(failed=[])
    ids = claim(session, limit)
    if not ids:
        return report
    transport = _Transport(settings)
    try:
        for position, row_id in enumerate(ids):
            row = session.get(OutboxEmail, row_id)
            if row is None or row.status != OutboxStatus.SENDING:
                continue
            try:
                write(row)  # rendered now, in the recipient's language; kept for a retry
            except RecipientGoneError as exc:
                _fail_or_retry(session, row, 550, str(exc), report)
                continue
            try:
                transport.send(build_message(settings, row), row_id)
            except smtplib.SMTPRecipientsRefused as exc:
                code = min(c for c, _ in exc.recipients.values())
                _fail_or_retry(session, row, code, str(exc.recipients), report)
                continue
            except smtplib.SMTPResponseException as exc:
                _fail_or_retry(session, row, exc.smtp_code, str(exc.smtp_error), report)
                continue
            except (smtplib.SMTPException, OSError) as exc:
                # The server is unreachable: this row and the rest of the batch wait and retry.
                for later in ids[position:]:
                    pending = session.get(OutboxEmail, later)
                    if pending is not None and pending.status == OutboxStatus.SENDING:
                        _retry(pending, f"{type(exc).__name__}: {exc}", report)
                session.commit()
                log.warning("SMTP unreachable, %d emails wait: %s", len(ids) - position, exc)
                break
            row.status = OutboxStatus.SENT
            row.sent_at = utcnow()
            row.lease_until = None
            row.last_error = ""
            session.commit()
            report.sent += 1
    finally:
        transport.close()
    for row_id in report.failed or []:
        row = session.get(OutboxEmail, row_id)
        if row is not None:
            announce_failed_delivery(session, settings, row)
    session.commit()
    return report


def _fail_or_retry(
    session: Session, row: OutboxEmail, code: int, error: str, report: SendReport
) -> None:
    if 500 <= code < 600:
        OUTBOX.give_up(row, f"{code} {error}")
        assert report.failed is not None
        report.failed.append(row.id)
        log.error("email %s to %s failed permanently: %s %s", row.id, row.to_address, code, error)
    else:
        _retry(row, f"{code} {error}", report)
    session.commit()


def _retry(row: OutboxEmail, error: str, report: SendReport) -> None:
    if OUTBOX.retry_or_give_up(row, error, max_attempts=MAX_ATTEMPTS, now=utcnow()):
        report.retrying += 1
        return
    assert report.failed is not None
    report.failed.append(row.id)
