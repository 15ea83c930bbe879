"""Invitations: a coordinator brings a facilitator in by email (an admin, also a coordinator);
the link sets the password.

Self-registration is the same path with the person inviting themselves: the account is made at
once, but a password can only be set from the link sent to the address, so nobody can sign up
in someone else's name, and the answer never tells whether an address already has an account.
"""

from __future__ import annotations

import enum
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.accounts.signin import (
    INVITE_MAX_AGE,
    INVITE_SALT,
    LinkProblem,
    link_token,
    normalise_email,
    person_from_link,
    request_password_reset,
    set_password,
)
from titiktemu.audit import record
from titiktemu.errors import NotAllowed
from titiktemu.jobs import kick
from titiktemu.jobs.names import TaskName
from titiktemu.mail.outbox import queue_email
from titiktemu.models import Person, Regency, Role
from titiktemu.settings import Settings


class InviteOutcome(enum.StrEnum):
    SENT = "sent"  # a new person, invited
    RESENT = "resent"  # invited before and not yet joined: a fresh link
    HAS_ACCOUNT = "has_account"  # already signs in (or is someone else's, or inactive)


class InvitationError(NotAllowed, ValueError):
    """The inviter may not invite (anyone, or into this role), or there is no regency to invite
    into."""


#: Who may invite whom: coordinators bring in facilitators and partners (donors, CSR, Baznas),
#: admins also coordinators.
INVITABLE_ROLES: dict[Role, tuple[Role, ...]] = {
    Role.COORDINATOR: (Role.FACILITATOR, Role.PARTNER),
    Role.ADMIN: (Role.FACILITATOR, Role.PARTNER, Role.COORDINATOR),
}
PROMOTION = (Role.FACILITATOR, Role.COORDINATOR)


def invite(
    session: Session,
    settings: Settings,
    inviter: Person,
    email: str,
    name: str = "",
    regency_code: str | None = None,
    role: Role = Role.FACILITATOR,
) -> InviteOutcome:
    """Create the person if the address is new and email them a link to join as ``role``.

    A coordinator invites facilitators and partners into their own regency; an admin also
    coordinators, into ``regency_code`` (or their own). An admin inviting a facilitator who has
    not joined yet as a coordinator makes them one.
    """
    if role not in INVITABLE_ROLES.get(inviter.role, ()):
        raise InvitationError(f"a {inviter.role.value} does not invite a {role.value}")
    regency = inviter.regency_code if inviter.role == Role.COORDINATOR else None
    regency = regency or regency_code or inviter.regency_code
    if regency is None or session.get(Regency, regency) is None:
        raise InvitationError("no regency to invite into")
    address = normalise_email(email)
    person = session.scalars(sa.select(Person).where(Person.email == address)).one_or_none()
    outcome = InviteOutcome.RESENT
    if person is None:
        person = Person(email=address, name=name.strip()[:200], role=role, regency_code=regency)
        session.add(person)
        session.flush()
        outcome = InviteOutcome.SENT
    elif (
        person.password_hash is not None
        or not person.active
        or (inviter.role != Role.ADMIN and person.regency_code != inviter.regency_code)
    ):
        return InviteOutcome.HAS_ACCOUNT
    else:
        if name.strip() and not person.name:
            person.name = name.strip()[:200]
        if inviter.role == Role.ADMIN and (person.role, role) == PROMOTION:
            person.role = role  # never the other way: resending must not demote by default
    _send_invitation(session, settings, person, inviter)
    record(
        session,
        "person.invited",
        "person",
        person.id,
        actor_id=inviter.id,
        regency=regency,
        role=person.role.value,
    )
    return outcome


def register(
    session: Session, settings: Settings, email: str, name: str, regency_code: str
) -> None:
    """Self-registration (the caller checks that it is open): make the facilitator and send the
    link that sets the password; an address with an account gets a reset link instead."""
    if session.get(Regency, regency_code) is None:
        raise InvitationError("unknown regency")
    address = normalise_email(email)
    person = session.scalars(sa.select(Person).where(Person.email == address)).one_or_none()
    if person is not None:
        if person.password_hash is not None:
            request_password_reset(session, settings, address)  # they forgot they had one
        elif person.active:
            _send_invitation(session, settings, person, None)
        return
    person = Person(
        email=address, name=name.strip()[:200], role=Role.FACILITATOR, regency_code=regency_code
    )
    session.add(person)
    session.flush()
    record(session, "person.registered", "person", person.id, regency=regency_code)
    _send_invitation(session, settings, person, None)


def invited_person(session: Session, settings: Settings, token: str) -> Person | LinkProblem:
    """The person an invitation link is for, while it can still be used."""
    return person_from_link(session, settings, INVITE_SALT, token, INVITE_MAX_AGE)


def accept(
    session: Session, settings: Settings, token: str, name: str, password: str
) -> Person | LinkProblem:
    """Join through the invitation: set the name and password; the link is then used up."""
    person = person_from_link(session, settings, INVITE_SALT, token, INVITE_MAX_AGE, consume=True)
    if isinstance(person, LinkProblem):
        return person
    person.name = name.strip()[:200] or person.name
    set_password(session, person, password)
    record(session, "person.joined", "person", person.id, actor_id=person.id)
    return person


def _send_invitation(
    session: Session, settings: Settings, person: Person, inviter: Person | None
) -> None:
    regency = session.get(Regency, person.regency_code) if person.regency_code else None
    queue_email(
        session,
        settings,
        dedupe_key=f"invite:{person.id}:{secrets.token_hex(8)}",
        person=person,
        template="invitation",
        context={
            "url": f"{settings.base_url}/invite/{link_token(settings, INVITE_SALT, person)}",
            "inviter": inviter.name if inviter is not None else "",
            "regency": regency.name if regency is not None else "",
            "role": person.role.value,
            "days": INVITE_MAX_AGE.days,
        },
        regency_code=person.regency_code,
        essential=True,
    )
    kick(session, TaskName.SEND_PENDING_EMAIL)
