"""Personal API tokens: made on the profile page or by an operator, shown once, stored hashed.

A token acts as its person, with the same role and regency scope as their pages; revoking it,
deactivating the person or the person leaving stops it at the next request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from titiktemu.audit import record
from titiktemu.errors import Invalid
from titiktemu.models import ApiToken, Person
from titiktemu.models.base import utcnow

#: Tokens start with this, so a leaked one is recognisable (secret scanners, logs).
TOKEN_PREFIX = "tt_"  # noqa: S105 - a marker, not a secret
MAX_NAME = 80
#: last_used_at is written at most this often per token, not on every request.
TOUCH_EVERY = dt.timedelta(minutes=5)


class TokenNameError(Invalid, ValueError):
    """The token's name is empty or too long."""


def digest(token: str) -> str:
    """SHA-256: enough for 256 random bits, and quick to check on every API request."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, person: Person, name: str) -> tuple[ApiToken, str]:
    """A new token for ``person``; the plain token is returned here and never again. The caller
    commits."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise TokenNameError(name)
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(person_id=person.id, name=name, token_hash=digest(plain), prefix=plain[:9])
    session.add(row)
    session.flush()
    record(session, "token.created", "api_token", row.id, actor_id=person.id, name=name)
    return row, plain


def person_for_token(session: Session, plain: str) -> Person | None:
    """The active person behind a live token, else None; notes when the token was last used."""
    if not plain.startswith(TOKEN_PREFIX) or len(plain) > 200:
        return None
    row = session.scalars(_token_statement(), {"token_hash": digest(plain)}).one_or_none()
    if row is None or row.revoked_at is not None or not row.person.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
        row.last_used_at = now
        session.commit()
    return row.person


@cache
def _token_statement() -> sa.Select[ApiToken]:
    """The token with its person, in one statement built once (every API request asks)."""
    return (
        sa.select(ApiToken)
        .where(ApiToken.token_hash == sa.bindparam("token_hash"))
        .options(joinedload(ApiToken.person))
    )


def tokens_of(session: Session, person: Person) -> list[ApiToken]:
    """The person's live tokens, newest first."""
    return list(
        session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.person_id == person.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.id.desc())
        )
    )


def revoke_token(session: Session, person: Person, token_id: int) -> bool:
    """Revoke one of the person's own tokens; False when it is not theirs or already revoked.
    The caller commits."""
    row = session.get(ApiToken, token_id)
    if row is None or row.person_id != person.id or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    record(session, "token.revoked", "api_token", row.id, actor_id=person.id)
    return True
