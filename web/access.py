"""Who may see what: typed wrappers of Flask-Login (it ships no type hints) and role guards.

Objects that belong to someone else answer 404, not 403, so ids reveal nothing; pages that a
role may not use at all answer 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, g, request
from flask_login import current_user
from flask_login import login_required as _login_required

from titiktemu.extensions import db
from titiktemu.models import Person, Role
from titiktemu.visibility import working_regency

View = TypeVar("View", bound=Callable[..., object])


def login_required(view: View) -> View:
    """Send anonymous visitors to the sign-in page, keeping where they wanted to go."""
    return cast(View, _login_required(view))


def me() -> Person:
    """The signed-in person (call only behind ``login_required``)."""
    return cast(Person, current_user._get_current_object())


def is_coordinator(person: Person) -> bool:
    return person.role in (Role.COORDINATOR, Role.ADMIN)


def coordinator_required(view: View) -> View:
    """Coordinators (and admins) only; everyone else gets 403."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> object:
        if not is_coordinator(me()):
            abort(403)
        return view(*args, **kwargs)

    return login_required(cast(View, wrapped))


def admin_required(view: View) -> View:
    """Admins only; everyone else gets 403."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> object:
        if me().role != Role.ADMIN:
            abort(403)
        return view(*args, **kwargs)

    return login_required(cast(View, wrapped))


#: All a partner (a donor, a company's CSR, Baznas) may open: the prospectus, their own offers
#: and the matches they are part of, their profile, signing in and out. The regency's people,
#: needs, interventions, forum and beneficiaries are its facilitators' working space, so every
#: other page answers 403 to a partner, whatever its own guard would say.
PARTNER_ENDPOINTS = frozenset(
    {
        "home.index",
        "prospectus.index",
        "prospectus.public",
        "exchange.offers",
        "exchange.offer",
        "exchange.new_offer",
        "exchange.edit_offer",
        "exchange.offer_status",
        "matches.index",
        "matches.detail",
        "profile.edit",
        "auth.login",
        "auth.logout",
        "auth.language",
        "auth.password",
        "auth.reset_request",
        "auth.reset",
        "auth.accept_invitation",
        "unsubscribe.confirm",
        "unsubscribe.unsubscribe",
        "health.healthz",
        "static",
    }
)


def is_partner(person: Person) -> bool:
    return person.role == Role.PARTNER


def keep_partners_in_their_pages() -> None:
    """``before_request``: a signed-in partner gets 403 outside :data:`PARTNER_ENDPOINTS`
    (an unknown address keeps its 404)."""
    if request.endpoint is None or request.endpoint in PARTNER_ENDPOINTS:
        return
    if current_user.is_authenticated and is_partner(me()):
        abort(403)


def my_regency() -> str:
    """The regency the signed-in person works in (see ``regency_of``)."""
    return regency_of(me())


def regency_of(person: Person) -> str:
    """Where ``person``, the request's actor, works (``visibility.working_regency``: a global
    admin works in the instance's busiest regency), looked up once a request; "" when none is
    loaded. Pages and the API both ask here."""
    found: str | None = g.get("working_regency")
    if found is None:
        found = g.working_regency = working_regency(db.session(), person) or ""
    return found
