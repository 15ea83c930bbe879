"""Accounts an operator makes from the command line: the first admin of a new instance, or a
coordinator before anyone can sign in to invite them.

Nobody types a password into a terminal: the account is made without one and the operator passes
on a set-password link, the same signed ``/invite/<token>`` link an invitation emails, but valid
72 hours instead of 7 days, because it travels by chat or paper rather than to the address itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session

from titiktemu.accounts.signin import INVITE_SALT, link_token, normalise_email
from titiktemu.audit import record
from titiktemu.errors import Conflict, DomainError, Invalid, NotFound
from titiktemu.models import Person, Regency, Role
from titiktemu.places.kemendagri import get_wilayah, normalize_wilayah_code
from titiktemu.settings import Settings

SETUP_LINK_MAX_AGE = dt.timedelta(hours=72)


class AccountSetupError(DomainError, ValueError):
    """Why the account or link cannot be made; the message is one line for the operator.

    ``usage`` is True when the command was given something wrong (``exit_code`` 2) rather than
    meeting a state of the database (1).
    """

    usage = False


class MalformedEmailError(AccountSetupError, Invalid):
    usage = True
    exit_code = 2


class RegencyRequiredError(AccountSetupError, Invalid):
    usage = True
    exit_code = 2


class UnknownRegencyError(AccountSetupError, Invalid):
    usage = True
    exit_code = 2


class RegencyNotLoadedError(AccountSetupError, Conflict):
    pass


class EmailTakenError(AccountSetupError, Conflict):
    pass


class NoSuchAccountError(AccountSetupError, NotFound):
    pass


class HasPasswordError(AccountSetupError, Conflict):
    pass


@dataclass(frozen=True)
class SetupLink:
    """A person without a password and the link that sets it."""

    person: Person
    url: str


def setup_link(settings: Settings, person: Person, *, issued_at: float | None = None) -> str:
    """The set-password link of ``person``, valid ``SETUP_LINK_MAX_AGE`` and used up by use."""
    token = link_token(
        settings, INVITE_SALT, person, issued_at=issued_at, valid_for=SETUP_LINK_MAX_AGE
    )
    return f"{settings.base_url}/invite/{token}"


def create_account(
    session: Session,
    settings: Settings,
    email: str,
    role: Role,
    regency: str | None = None,
    name: str = "",
) -> SetupLink:
    """Make an active account without a password (audited, operator as actor) and its link.

    ``regency`` is a Kemendagri code ("33.10" or "3310") of a loaded regency; coordinators and
    facilitators need one, an admin without one administers every regency. The caller commits.
    """
    address = _checked_email(email)
    code = loaded_regency(session, regency) if regency else None
    if code is None and role != Role.ADMIN:
        raise RegencyRequiredError(
            f"a {role.value} needs a regency: add --regency CODE (e.g. 33.10)"
        )
    existing = _person(session, address)
    if existing is not None:
        hint = (
            f" or `titiktemu user link {address}` for a new set-password link"
            if existing.password_hash is None and existing.active
            else ""
        )
        raise EmailTakenError(
            f"{address} already has an account; use the password reset on the sign-in page{hint}"
        )
    person = Person(email=address, name=name.strip()[:200], role=role, regency_code=code)
    session.add(person)
    session.flush()
    record(
        session,
        "person.created",
        "person",
        person.id,
        actor_id=None,
        role=role.value,
        regency=code,
        via="command line",
    )
    return SetupLink(person, setup_link(settings, person))


def renew_setup_link(session: Session, settings: Settings, email: str) -> SetupLink:
    """A fresh set-password link for an active account that has no password yet (audited)."""
    address = normalise_email(email)
    person = _person(session, address)
    if person is None or not person.active:
        raise NoSuchAccountError(f"no active account has the email {address}")
    if person.password_hash is not None:
        raise HasPasswordError(
            f"{address} has set a password already; use the password reset on the sign-in page"
        )
    record(session, "person.setup_link", "person", person.id, actor_id=None, via="command line")
    return SetupLink(person, setup_link(settings, person))


def loaded_regency(session: Session, raw: str) -> str:
    """The code of the regency ``raw`` names ("33.10" or "3310"), once its places are loaded."""
    code = normalize_wilayah_code(raw.strip())
    place = get_wilayah(code) if code else None
    if place is None or place.level != 2:
        raise UnknownRegencyError(
            f"unknown regency code {raw!r}: give a Kemendagri regency code such as 33.10"
        )
    if session.get(Regency, place.code) is None:
        raise RegencyNotLoadedError(
            f"{place.name} ({place.code}) is not loaded: run `titiktemu regions load {place.code}`"
        )
    return place.code


def _checked_email(email: str) -> str:
    """The lower-cased address, checked as the web forms check it."""
    address = normalise_email(email)
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        raise MalformedEmailError(f"{email.strip()!r} is not an email address: {exc}") from None
    return address


def _person(session: Session, address: str) -> Person | None:
    return session.scalars(sa.select(Person).where(Person.email == address)).one_or_none()
