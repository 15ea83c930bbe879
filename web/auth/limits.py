"""Rate limits: failed sign-ins per address and per account, and the forms that send email.

One ``Limiter`` per app, made in ``create_app``: Flask-Limiter keeps its storage on the extension
object, so a module-level limiter shared by two apps (tests, a CLI next to the web) would count
in whichever storage was configured last. The limits sit here, in one table, and wrap the views
of this blueprint by endpoint name.

Sign-in counts only failures (a 401): ten a minute from one address, whatever the accounts, and
ten a minute against one account, whatever the addresses. The eleventh gets 429 until the
moving window has room again; a right password never uses up the allowance.

The counts live in the broker's Redis when there is one. When it cannot be reached the limiter
counts in this process's memory instead (the same limits, per process) and goes back to Redis
once it answers again, so a Redis outage never stops anyone signing in; ``/healthz`` says which
store counts (``limits_state``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, cast

from flask import Flask, Response, request
from flask.typing import RouteCallable
from flask_limiter import Limiter, RouteLimit
from flask_login import current_user

from titiktemu.accounts.signin import normalise_email
from titiktemu.app import settings_of
from titiktemu.health import LIMITS_FALLBACK, LIMITS_MEMORY, LIMITS_REDIS
from titiktemu.settings import Settings

LOGIN_FAILURES = "10 per minute"
#: Emails out per address asking and per address asked about: enough for a typo, not for spam.
RESET_ASKS_PER_IP = "5 per minute;30 per hour"
RESET_ASKS_PER_ACCOUNT = "3 per hour"
#: Link pages (the token is signed, so this is only against noise) and self-registration.
LINK_POSTS_PER_IP = "10 per minute"
REGISTRATIONS_PER_IP = "5 per minute;20 per hour"
#: A coordinator inviting a whole workshop of facilitators stays well under this.
INVITES_PER_PERSON = "100 per hour"
CREDENTIAL_CHANGES_PER_PERSON = "10 per minute"


def client_ip() -> str:
    """The client's address (behind a proxy, configure ProxyFix so this is the real client)."""
    return f"ip:{request.remote_addr or 'unknown'}"


def submitted_account() -> str:
    """The account named in the form, normalised and hashed (no addresses in Redis keys)."""
    email = normalise_email(request.form.get("email", ""))
    return f"account:{hashlib.sha256(email.encode()).hexdigest()[:32]}"


def signed_in_person() -> str:
    """The signed-in person, else the address."""
    if current_user.is_authenticated:
        return f"person:{current_user.get_id()}"
    return client_ip()


def failed_sign_in(response: Response) -> bool:
    return response.status_code == 401


def refused(response: Response) -> bool:
    return response.status_code >= 400


def storage_uri(settings: Settings) -> str:
    """Redis when the broker is Redis (shared by every web process), else this process's memory."""
    broker = settings.broker_url or ""
    return broker if broker.startswith(("redis://", "rediss://")) else "memory://"


#: A Redis that does not answer within this long counts as down (the request goes on in memory).
STORAGE_TIMEOUT_SECONDS = 1


def init_limiter(app: Flask) -> Limiter:
    """Make this app's limiter and wrap the auth views in their limits."""
    uri = storage_uri(settings_of(app))
    remote = uri != "memory://"
    limiter = Limiter(
        key_func=client_ip,
        app=app,
        storage_uri=uri,
        storage_options=(
            {
                "socket_connect_timeout": STORAGE_TIMEOUT_SECONDS,
                "socket_timeout": STORAGE_TIMEOUT_SECONDS,
            }
            if remote
            else {}
        ),
        strategy="moving-window",
        key_prefix="titiktemu",
        headers_enabled=True,
        # Redis down: the same limits, counted in memory, and back to Redis when it answers.
        in_memory_fallback_enabled=remote,
        # A failure the fallback does not cover (Redis dropping between the check of a sign-in
        # and the count of its failure) is logged, never a 500.
        swallow_errors=True,
    )
    post = ["POST"]

    def limit(
        value: str, key: Callable[[], str], scope: str, deduct: Callable[[Response], bool] | None
    ) -> RouteLimit:
        return limiter.limit(value, key_func=key, scope=scope, methods=post, deduct_when=deduct)

    table = {
        "auth.login": [
            limit(LOGIN_FAILURES, client_ip, "ip", failed_sign_in),
            limit(LOGIN_FAILURES, submitted_account, "account", failed_sign_in),
        ],
        "auth.reset_request": [
            limit(RESET_ASKS_PER_IP, client_ip, "ip", None),
            limit(RESET_ASKS_PER_ACCOUNT, submitted_account, "account", None),
        ],
        "auth.reset": [limit(LINK_POSTS_PER_IP, client_ip, "ip", None)],
        "auth.accept_invitation": [limit(LINK_POSTS_PER_IP, client_ip, "ip", None)],
        "auth.invite_facilitator": [limit(INVITES_PER_PERSON, signed_in_person, "person", None)],
        "auth.register_facilitator": [limit(REGISTRATIONS_PER_IP, client_ip, "ip", None)],
        "auth.password": [
            limit(CREDENTIAL_CHANGES_PER_PERSON, signed_in_person, "person", refused)
        ],
    }
    for endpoint, limits in table.items():
        view: Callable[..., Any] = app.view_functions[endpoint]
        for wrap in limits:
            view = wrap(view)
        app.view_functions[endpoint] = cast(RouteCallable, view)
    app.extensions["titiktemu.limiter"] = limiter
    return limiter


def limiter_of(app: Flask) -> Limiter:
    """The app's limiter (tests reset it between cases)."""
    limiter: Limiter = app.extensions["titiktemu.limiter"]
    return limiter


def limits_state(app: Flask) -> str:
    """Where sign-in failures are counted right now: "redis", "memory" (no Redis configured:
    the embedded default, one process) or "memory (redis unreachable)" (the fallback)."""
    if storage_uri(settings_of(app)) == "memory://":
        return LIMITS_MEMORY
    try:
        reachable = limiter_of(app).storage.check()
    except Exception:  # a health check answers, whatever the storage does
        reachable = False
    return LIMITS_REDIS if reachable else LIMITS_FALLBACK
