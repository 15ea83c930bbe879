"""Sending the outbox: claim rows, record the attempt, send, mark sent. Nothing is dropped.

Claiming uses ``FOR UPDATE SKIP LOCKED`` on PostgreSQL and a conditional update on SQLite, so two
senders never take the same row. The attempt is committed before SMTP is touched; a sender that
dies after the server's 250 but before marking leaves the row "sending" until its lease ends, and
the retry reuses the Message-ID (derived from the row id), so a duplicate is recognisable.
Temporary failures (4xx, connection refused) back off exponentially; permanent ones (5xx) fail at
once and are reported to the regency's coordinators.
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

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.mail.outbox import unsubscribe_url
from titiktemu.models import OutboxEmail, OutboxStatus
from titiktemu.models.base import utcnow
from titiktemu.settings import Settings

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 10
BASE_BACKOFF = dt.timedelta(seconds=30)
MAX_BACKOFF = dt.timedelta(hours=2)
SMTP_TIMEOUT = 30


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: list[int] | None = None


def checkpoint(stage: str) -> None:
    """A named point in the send path ("claimed", "accepted", "marked"); fault tests stop here."""


def message_id(settings: Settings, row_id: int) -> str:
    domain = urlsplit(settings.base_url).hostname or "titiktemu.local"
    return f"<outbox-{row_id}@{domain}>"


def _due(now: dt.datetime) -> sa.ColumnElement[bool]:
    return sa.or_(
        sa.and_(
            OutboxEmail.status == OutboxStatus.PENDING,
            sa.or_(OutboxEmail.next_attempt_at.is_(None), OutboxEmail.next_attempt_at <= now),
        ),
        sa.and_(OutboxEmail.status == OutboxStatus.SENDING, OutboxEmail.lease_until < now),
    )


def claim(session: Session, limit: int = 100, now: dt.datetime | None = None) -> list[int]:
    """Take up to ``limit`` due rows for this sender and record the attempt; committed."""
    now = now or utcnow()
    claimed = {
        "status": OutboxStatus.SENDING,
        "lease_until": now + LEASE,
        "attempts": OutboxEmail.attempts + 1,
    }
    if session.get_bind().dialect.name == "postgresql":
        ids = list(
            session.scalars(
                sa.select(OutboxEmail.id)
                .where(_due(now))
                .order_by(OutboxEmail.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        if ids:
            session.execute(sa.update(OutboxEmail).where(OutboxEmail.id.in_(ids)).values(**claimed))
    else:
        ids = []
        candidates = session.scalars(
            sa.select(OutboxEmail.id).where(_due(now)).order_by(OutboxEmail.id).limit(limit)
        ).all()
        for row_id in candidates:  # the condition again in the update: a lease, won or lost
            won = session.execute(
                sa.update(OutboxEmail).where(OutboxEmail.id == row_id, _due(now)).values(**claimed)
            )
            if won.rowcount == 1:  # type: ignore[attr-defined]
                ids.append(row_id)
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
    delay: dt.timedelta = BASE_BACKOFF * (2 ** max(attempts - 1, 0))
    return min(delay, MAX_BACKOFF)


def send_pending(session: Session, settings: Settings, limit: int = 100) -> SendReport:
    """Send every due email once (a batch of ``limit``); returns what happened."""
    from titiktemu.mail.notifications import announce_failed_delivery

    report = SendReport(failed=[])
    ids = claim(session, limit)
    if not ids:
        return report
    checkpoint("claimed")
    transport = _Transport(settings)
    try:
        for position, row_id in enumerate(ids):
            row = session.get(OutboxEmail, row_id)
            if row is None or row.status != OutboxStatus.SENDING:
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
            checkpoint("accepted")
            row.status = OutboxStatus.SENT
            row.sent_at = utcnow()
            row.lease_until = None
            row.last_error = ""
            session.commit()
            checkpoint("marked")
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
        row.status = OutboxStatus.FAILED
        row.last_error = f"{code} {error}"[:2000]
        row.lease_until = None
        assert report.failed is not None
        report.failed.append(row.id)
        log.error("email %s to %s failed permanently: %s %s", row.id, row.to_address, code, error)
    else:
        _retry(row, f"{code} {error}", report)
    session.commit()


def _retry(row: OutboxEmail, error: str, report: SendReport) -> None:
    row.last_error = error[:2000]
    row.lease_until = None
    if row.attempts >= MAX_ATTEMPTS:
        row.status = OutboxStatus.FAILED
        assert report.failed is not None
        report.failed.append(row.id)
        return
    row.status = OutboxStatus.PENDING
    row.next_attempt_at = utcnow() + backoff(row.attempts)
    report.retrying += 1
