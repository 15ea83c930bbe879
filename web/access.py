"""Who may see what: typed wrappers of Flask-Login (it ships no type hints) and role guards.

Objects that belong to someone else answer 404, not 403, so ids reveal nothing; pages that a
role may not use at all answer 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, g
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
