"""Outages: what still works while a service the web depends on is down.

Issue 12, finding 6: with Redis stopped, ``POST /login`` answered 500 (the sign-in limiter keeps
its counts in the broker's Redis) while signed-in pages kept working. Now the limiter counts in
memory while Redis is away, and ``/healthz`` says so. A private ``redis-server`` is the broker
here, killed in the middle of the test; nothing of ours is stubbed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from harness.services import PrivateRedis, ServiceUnavailableError, redis_client
from titiktemu.extensions import db
from titiktemu.jobs.queue import celery_of
from titiktemu.settings import Settings
from web.app import create_app

from .conftest import PASSWORD, AuthActions, skip_or_fail

EMAIL = "sri@example.org"
#: web.auth.limits.LOGIN_FAILURES: ten failures a minute, the eleventh try is refused.
FAILURES_ALLOWED = 10


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    try:
        server = PrivateRedis()
    except ServiceUnavailableError as exc:
        skip_or_fail(str(exc))
        raise
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def web(settings: Settings, app: Flask, private_redis: PrivateRedis) -> Iterator[Flask]:
    """The web app on the test database with the private Redis as its broker (and so as the
    store of its sign-in limits), as ``docker compose`` runs it."""
    live = create_app(Settings(**{**settings.__dict__, "broker_url": private_redis.url}))
    try:
        yield live
    finally:
        celery_of(live).close()
        with live.app_context():
            db.session.remove()
            db.engine.dispose()


def health(web: Flask) -> tuple[int, dict[str, Any]]:
    answer = web.test_client().get("/healthz")
    body = answer.get_json()
    assert isinstance(body, dict)
    return answer.status_code, body


def test_sign_in_works_while_redis_is_down(
    web: Flask, private_redis: PrivateRedis, make_person
) -> None:
    make_person(EMAIL)
    phone = web.test_client()
    auth = AuthActions(phone)

    # Redis up: failures are counted there.
    assert auth.login(EMAIL, "not the password").status_code == 401
    with redis_client(private_redis.url) as store:
        assert any(b"titiktemu" in key for key in store.keys("*"))
    status, body = health(web)
    assert (status, body["login_limits"], body["broker"]) == (200, "redis", "ok")
    assert body["status"] == "ok" and body["warnings"] == []
    assert auth.login(EMAIL, PASSWORD).status_code == 302
    assert phone.get("/").status_code == 200

    private_redis.kill()

    # Redis down: the signed-in page still works, and so does signing in again.
    assert phone.get("/").status_code == 200
    auth.logout()
    assert auth.login(EMAIL, PASSWORD).status_code == 302
    assert phone.get("/").status_code == 200
    auth.logout()

    # Wrong passwords are still limited, counted in this process's memory.
    for _ in range(FAILURES_ALLOWED):
        assert auth.login(EMAIL, "not the password").status_code == 401
    assert auth.login(EMAIL, "not the password").status_code == 429
    assert auth.login(EMAIL, PASSWORD).status_code == 429  # the account is locked for now

    # /healthz tells the operator, and still answers 200: the instance serves.
    status, body = health(web)
    assert status == 200
    assert body["login_limits"] == "memory (redis unreachable)"
    assert body["broker"].startswith("error")
    assert body["status"] == "warning" and len(body["warnings"]) == 2

    # Redis back: /healthz says so at once, and another person signs in from another address.
    private_redis.start()
    status, body = health(web)
    assert (status, body["login_limits"], body["status"]) == (200, "redis", "ok")
    make_person("budi@example.org", name="Budi")
    other = web.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    assert AuthActions(other).login("budi@example.org", PASSWORD).status_code == 302
