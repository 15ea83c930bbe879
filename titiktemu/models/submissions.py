"""One-time submission keys: what a person's create request already made, by the key it carried.

A form draws a fresh key into a hidden field; an API client sends its own as ``Idempotency-Key``.
The key row is written in the transaction that creates, unique per person, so a key creates once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from titiktemu.models.base import Base, utcnow


class SubmissionKey(Base):
    __tablename__ = "submission_keys"
    __table_args__ = (sa.UniqueConstraint("person_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(255))
    #: What it creates: "need", "offer", "intervention" (forms) or "POST /needs" (the API).
    kind: Mapped[str] = mapped_column(sa.String(80))
    #: SHA-256 of the API request (operation and body), so a key sent with another body is
    #: refused; empty for forms, whose key is drawn afresh with each form.
    fingerprint: Mapped[str] = mapped_column(sa.String(64), default="")
    #: The id of what a form created.
    result_id: Mapped[int | None]
    #: The first answer to an API request, given again to a repeat: status, headers, body.
    status: Mapped[int | None]
    headers: Mapped[list[Any] | None] = mapped_column(sa.JSON)
    body: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    #: When the result (or the answer) was recorded; None while the first request is running.
    settled_at: Mapped[dt.datetime | None]
