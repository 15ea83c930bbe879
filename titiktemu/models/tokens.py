"""Personal API tokens: a script acts as the person who made the token, with their role and scope.

Only a SHA-256 of the token is stored (the token is random and long, so a slow hash adds
nothing); the first characters are kept in clear so people can tell their tokens apart.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from titiktemu.models.base import Base, utcnow
from titiktemu.models.people import Person


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    #: What the person calls it ("laptop script", "dashboard").
    name: Mapped[str] = mapped_column(sa.String(80))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: The token's first characters, shown in lists ("tt_3kQ9…").
    prefix: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    person: Mapped[Person] = relationship()
