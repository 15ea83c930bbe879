"""Bearer tokens: every API request acts as the person behind its personal token.

Cookies are never looked at, so a signed-in browser cannot be made to call the API.
"""

from __future__ import annotations

from typing import cast

from flask import g, request

from titiktemu.accounts.tokens import person_for_token
from titiktemu.extensions import db
from titiktemu.models import Person, Role
from web.access import is_coordinator, regency_of
from web.api.problems import ApiProblem


def authenticate() -> Person:
    """The token's person, kept in ``g`` for the request; 401 without a live token."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiProblem(
            401, "Send a personal API token: Authorization: Bearer TOKEN.", [], _challenge()
        )
    person = person_for_token(db.session(), token.strip())
    if person is None:
        raise ApiProblem(
            401, "The token is unknown, revoked or its person is inactive.", [], _challenge(True)
        )
    if person.role == Role.PARTNER:
        raise ApiProblem(403, "The API is for the regency's facilitators; partners use the pages.")
    g.api_person = person
    return person


def _challenge(invalid: bool = False) -> dict[str, str]:
    value = 'Bearer realm="titiktemu"' + (', error="invalid_token"' if invalid else "")
    return {"WWW-Authenticate": value}


def caller() -> Person:
    """The acting person (only inside an authenticated operation)."""
    return cast(Person, g.api_person)


def regency_of_caller() -> str:
    """Where the caller works, as on the pages."""
    return regency_of(caller())


def require_coordinator() -> Person:
    """Coordinators and admins only: 403 for the rest, as the coordinators' pages answer."""
    person = caller()
    if not is_coordinator(person):
        raise ApiProblem(403, "Only coordinators and admins may use this.")
    return person
