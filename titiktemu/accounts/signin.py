"""Passwords and sign-in (the same cost for unknown people and wrong passwords), emailed links
for resets and invitations, and whether self-registration is open."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import secrets
from functools import cache

import sqlalchemy as sa
from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from titiktemu.accounts.passwords import PasswordProblem, password_problem
from titiktemu.audit import record
from titiktemu.errors import Invalid, NotPermitted
from titiktemu.jobs import enqueue, kick
from titiktemu.jobs.names import TaskName
from titiktemu.mail.outbox import queue_email
from titiktemu.models import LoginSession, Person, Role, SiteSettings
from titiktemu.models.base import utcnow
from titiktemu.models.site import SITE_SETTINGS_ID
from titiktemu.settings import Settings

PASSWORD_METHOD = "scrypt"  # noqa: S105 - a hash method name, not a password
#: Per hash method, the hash checked when the email is unknown, so both failures take the same time.
_DUMMY_HASHES: dict[str, str] = {}


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_METHOD)


def _dummy_hash() -> str:
    """Made on first use, not at import: scrypt would cost every process start a fraction of a
    second, web and worker alike, although only a sign-in with an unknown email reads it."""
    found = _DUMMY_HASHES.get(PASSWORD_METHOD)
    if found is None:
        found = _DUMMY_HASHES[PASSWORD_METHOD] = hash_password("titiktemu-timing-equaliser")
    return found


def normalise_email(email: str) -> str:
    return email.strip().lower()


def authenticate(session: Session, email: str, password: str) -> Person | None:
    """The active person with this email and password, else None (same time either way)."""
    person = session.scalars(
        sa.select(Person).where(Person.email == normalise_email(email))
    ).one_or_none()
    stored = person.password_hash if person is not None and person.password_hash else _dummy_hash()
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


def signed_in_person(session: Session, person_id: int, token: str | None) -> Person | None:
    """The active person whose live sign-in ``token`` is (not ended, theirs), else None: every
    signed-in request asks, so person and sign-in are read in one statement."""
    if not token:
        return None
    return session.scalars(
        _signed_in_statement(), {"person_id": person_id, "token_hash": _digest(token)}
    ).first()


@cache
def _signed_in_statement() -> sa.Select[Person]:
    """Built once per process, run with its two parameters (every signed-in request asks)."""
    return (
        sa.select(Person)
        .join(LoginSession, LoginSession.person_id == Person.id)
        .where(
            Person.id == sa.bindparam("person_id"),
            Person.active.is_(True),
            LoginSession.token_hash == sa.bindparam("token_hash"),
            LoginSession.revoked_at.is_(None),
        )
        .limit(1)
    )


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


# --- Password changes, emailed links, site-wide registration ----------------------------------

INVITE_SALT = "invite"
INVITE_MAX_AGE = dt.timedelta(days=7)
RESET_SALT = "reset"
RESET_MAX_AGE = dt.timedelta(hours=1)


class PasswordPolicyError(Invalid, ValueError):
    """The password breaks the policy; forms check first, so this is the last guard."""

    def __init__(self, problem: PasswordProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


class LinkProblem(enum.StrEnum):
    """Why an emailed link cannot be used."""

    EXPIRED = "expired"
    USED = "used"  # the password changed since the link was sent: every link is single-use
    INVALID = "invalid"  # not signed by us, mangled, or the person is gone or inactive


def revoke_sessions(session: Session, person_id: int) -> int:
    """End every sign-in of the person, on every device; the number ended."""
    ended = session.execute(
        sa.update(LoginSession)
        .where(LoginSession.person_id == person_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(ended.rowcount)  # type: ignore[attr-defined]


def set_password(session: Session, person: Person, password: str) -> None:
    """Store a new password and end every existing sign-in (in the caller's transaction)."""
    problem = password_problem(password, person.email)
    if problem is not None:
        raise PasswordPolicyError(problem)
    person.password_hash = hash_password(password)
    revoke_sessions(session, person.id)


def change_password(session: Session, person: Person, current: str, new: str) -> bool:
    """Replace the password when ``current`` is right; every sign-in ends, this one too."""
    if person.password_hash is None or not check_password_hash(person.password_hash, current):
        return False
    set_password(session, person, new)
    record(session, "person.password_changed", "person", person.id, actor_id=person.id)
    return True


def _fingerprint(person: Person) -> str:
    """Changes whenever the password does, so a link stops working once it has been used."""
    return hashlib.sha256((person.password_hash or "").encode()).hexdigest()[:16]


def link_token(
    settings: Settings,
    salt: str,
    person: Person,
    *,
    issued_at: float | None = None,
    valid_for: dt.timedelta | None = None,
) -> str:
    """A signed, timestamped token naming the person and the state of their password
    (``issued_at``: date it in the past, e.g. to prove that old links expire).

    ``valid_for`` shortens the life of this one link below what its kind allows (an operator's
    set-password link lasts 72 hours where an invitation, same page, lasts 7 days); it is
    signed with the rest, so it can shorten a link but never lengthen one.
    """
    signer: type[TimestampSigner] = TimestampSigner
    if issued_at is not None:
        stamp = int(issued_at)

        class _Dated(TimestampSigner):
            def get_timestamp(self) -> int:
                return stamp

        signer = _Dated
    serializer = URLSafeTimedSerializer(settings.secret_key, salt=salt, signer=signer)
    payload: dict[str, object] = {"p": person.id, "f": _fingerprint(person)}
    if valid_for is not None:
        payload["v"] = int(valid_for.total_seconds())
    return serializer.dumps(payload)


def person_from_link(
    session: Session,
    settings: Settings,
    salt: str,
    token: str,
    max_age: dt.timedelta,
    *,
    consume: bool = False,
) -> Person | LinkProblem:
    """The active person an emailed link was made for, or why the link cannot be used.

    ``consume``: the caller is about to change the password, so the row is locked (PostgreSQL)
    and a second use of the same link, racing this one, waits and then finds it used.
    """
    serializer = URLSafeTimedSerializer(settings.secret_key, salt=salt)
    try:
        value, signed_at = serializer.loads(
            token, max_age=int(max_age.total_seconds()), return_timestamp=True
        )
    except SignatureExpired:
        return LinkProblem.EXPIRED
    except BadData:
        return LinkProblem.INVALID
    if not isinstance(value, dict) or not isinstance(value.get("p"), int):
        return LinkProblem.INVALID
    valid_for = value.get("v")
    if valid_for is not None:
        if not isinstance(valid_for, int):
            return LinkProblem.INVALID
        if dt.datetime.now(dt.UTC) - signed_at > dt.timedelta(seconds=valid_for):
            return LinkProblem.EXPIRED
    person = session.get(Person, value["p"], with_for_update=consume, populate_existing=consume)
    if person is None or not person.active:
        return LinkProblem.INVALID
    if not hmac.compare_digest(str(value.get("f", "")), _fingerprint(person)):
        return LinkProblem.USED
    return person


#: The job behind the reset form (``worker.tasks.password_reset``).
RESET_TASK = TaskName.PASSWORD_RESET


def ask_for_password_reset(session: Session, email: str) -> None:
    """Queue the reset of ``email`` in the caller's transaction, known address or not.

    The request does the same work either way (one job row), and the job looks the person up
    and emails the link only when there is one, so the answer and its time tell nothing. The
    job never runs inside the request, even without a broker (``detached``).
    """
    enqueue(session, RESET_TASK, normalise_email(email)[:254], max_attempts=3, detached=True)


def request_password_reset(session: Session, settings: Settings, email: str) -> bool:
    """Email a reset link when an active person has this address (the reset job, and
    self-registration of an address that has an account); False when there is nobody."""
    person = session.scalars(
        sa.select(Person).where(Person.email == normalise_email(email))
    ).one_or_none()
    if person is None or not person.active:
        return False
    queue_email(
        session,
        settings,
        dedupe_key=f"reset:{person.id}:{secrets.token_hex(8)}",
        person=person,
        template="password_reset",
        context={
            "url": f"{settings.base_url}/reset/{link_token(settings, RESET_SALT, person)}",
            "minutes": int(RESET_MAX_AGE.total_seconds() // 60),
        },
        regency_code=person.regency_code,
        essential=True,
    )
    record(session, "person.reset_requested", "person", person.id)
    kick(session, TaskName.SEND_PENDING_EMAIL)
    return True


def reset_password(
    session: Session, settings: Settings, token: str, password: str
) -> Person | LinkProblem:
    """Set the password through a reset link; every sign-in of the person ends."""
    person = person_from_link(session, settings, RESET_SALT, token, RESET_MAX_AGE, consume=True)
    if isinstance(person, LinkProblem):
        return person
    set_password(session, person, password)
    record(session, "person.password_reset", "person", person.id, actor_id=person.id)
    return person


def site_settings(session: Session) -> SiteSettings:
    """The site's settings; defaults (registration closed) until an admin saves them."""
    row = session.get(SiteSettings, SITE_SETTINGS_ID)
    return row if row is not None else SiteSettings(id=SITE_SETTINGS_ID, registration_open=False)


def registration_open(session: Session) -> bool:
    return bool(site_settings(session).registration_open)


def set_registration(session: Session, admin: Person, open_: bool) -> None:
    """Open or close self-registration (admins only), recorded in the audit log."""
    if admin.role != Role.ADMIN:
        raise NotPermitted("only an admin opens or closes registration")
    row = session.get(SiteSettings, SITE_SETTINGS_ID)
    if row is None:
        row = SiteSettings(id=SITE_SETTINGS_ID, registration_open=False)
        session.add(row)
    if row.registration_open != open_:
        record(
            session, "site.registration", "site", SITE_SETTINGS_ID, actor_id=admin.id, open=open_
        )
    row.registration_open = open_
    row.updated_by = admin.id
