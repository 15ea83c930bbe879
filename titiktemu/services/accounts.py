"""Passwords and sign-in, with the same cost for unknown people and wrong passwords."""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from titiktemu.models import LoginSession, Person
from titiktemu.models.base import utcnow

PASSWORD_METHOD = "scrypt"  # noqa: S105 - a hash method name, not a password
# Checked against when the email is unknown, so both failures take the same time.
_DUMMY_HASH = generate_password_hash("titiktemu-timing-equaliser", method=PASSWORD_METHOD)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_METHOD)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def authenticate(session: Session, email: str, password: str) -> Person | None:
    """The active person with this email and password, else None (same time either way)."""
    person = session.scalars(
        sa.select(Person).where(Person.email == normalise_email(email))
    ).one_or_none()
    stored = person.password_hash if person is not None and person.password_hash else _DUMMY_HASH
    ok = check_password_hash(stored, password)
    if person is None or not person.active or person.password_hash is None or not ok:
        return None
    return person


def start_session(session: Session, person: Person) -> str:
    """Record a new sign-in and return the token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(token_hash=_digest(token), person_id=person.id))
    session.commit()
    return token


def session_is_live(session: Session, person_id: int, token: str | None) -> bool:
    """True while the sign-in behind ``token`` belongs to the person and was not ended."""
    if not token:
        return False
    live = session.scalar(
        sa.select(LoginSession.id).where(
            LoginSession.token_hash == _digest(token),
            LoginSession.person_id == person_id,
            LoginSession.revoked_at.is_(None),
        )
    )
    return live is not None


def end_session(session: Session, token: str | None) -> None:
    """Mark the sign-in ended, so the cookie that carried it is worthless from now on."""
    if token:
        session.execute(
            sa.update(LoginSession)
            .where(LoginSession.token_hash == _digest(token), LoginSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        session.commit()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
