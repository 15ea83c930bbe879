"""The email outbox: a row written in the same transaction as the event that causes the email.

A queued email is data: its template, recipient and context (:mod:`titiktemu.mail.context`). The
sender renders it when it delivers, in the recipient's language then, and stores what it sent.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from titiktemu.models.base import Base, Timestamped, str_enum


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # permanent failure (5xx) or retries exhausted: shown to coordinators


class OutboxEmail(Timestamped, Base):
    __tablename__ = "email_outbox"
    __table_args__ = (sa.Index("ix_email_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What caused it, e.g. "proposal-accepted:12:to:7": the same event never mails twice.
    dedupe_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"))
    regency_code: Mapped[str | None] = mapped_column(sa.ForeignKey("regencies.code"), index=True)
    template: Mapped[str] = mapped_column(sa.String(60))
    #: What the template is rendered with (frozen by :func:`titiktemu.mail.context.freeze`) and
    #: the unsubscribe link; None for an email stored already written.
    context: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    #: The email as sent (or as last attempted); empty while it waits to be rendered.
    stored_subject: Mapped[str] = mapped_column("subject", sa.String(300), default="")
    stored_text: Mapped[str] = mapped_column("body_text", sa.Text, default="")
    stored_html: Mapped[str] = mapped_column("body_html", sa.Text, default="")
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime | None]
    #: A claim on SQLite: the sender owns the row until this time (PostgreSQL uses SKIP LOCKED).
    lease_until: Mapped[dt.datetime | None]
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    sent_at: Mapped[dt.datetime | None]

    @property
    def rendered(self) -> bool:
        """Written already: sent or attempted, or stored written."""
        return self.context is None or self.stored_text != ""

    # Read as before: what was sent, or for a waiting email what it would say if sent now.
    @property
    def subject(self) -> str:
        return self.stored_subject if self.rendered else self._preview("subject")

    @subject.setter
    def subject(self, value: str) -> None:
        self.stored_subject = value

    @property
    def body_text(self) -> str:
        return self.stored_text if self.rendered else self._preview("text")

    @body_text.setter
    def body_text(self, value: str) -> None:
        self.stored_text = value

    @property
    def body_html(self) -> str:
        return self.stored_html if self.rendered else self._preview("html")

    @body_html.setter
    def body_html(self, value: str) -> None:
        self.stored_html = value

    def _preview(self, part: str) -> str:
        # The mail package imports the models; rendering is its business, not the model's.
        from titiktemu.mail.outbox import preview

        return preview(self, part)
