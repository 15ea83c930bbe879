"""Security: sign-in rate limits, headers on every error page, CSRF on every POST route."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import AnyConverter, IntegerConverter, Rule

from titiktemu.app import settings_of
from titiktemu.extensions import db
from titiktemu.models import Role
from titiktemu.settings import Settings
from web.app import create_app
from web.auth.limits import limiter_of, storage_uri

from .conftest import PASSWORD, AuthActions, csrf_token

#: The one POST route without CSRF: RFC 8058 one-click unsubscribe, proven by its signed token.
CSRF_EXEMPT = {"unsubscribe.unsubscribe"}
#: The API's routes take bearer tokens, never cookies: no session to forge, so no CSRF; instead
#: each one refuses a request without a live token (``test_api_routes_refuse_cookies``).
API_ENDPOINTS = "api."


@pytest.fixture(autouse=True)
def _fresh_limits(app: Flask) -> Iterator[None]:
    """Untouched rate limits before and after each test: they live in memory for the whole
    session, and an account locked here must not fail someone else's sign-in later."""
    limiter_of(app).reset()
    yield
    limiter_of(app).reset()


def from_address(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def attempt(client: FlaskClient, email: str, password: str = "bukan-kata-sandinya") -> int:
    token = csrf_token(client, "/login")
    answer = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    return answer.status_code


def assert_security_headers(answer) -> None:
    csp = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["Referrer-Policy"] == "same-origin"


# --- Rate limits on signing in ---------------------------------------------------------------


def test_one_account_from_many_addresses_is_limited(app: Flask, make_person) -> None:
    make_person("sri@example.org")
    phones = [from_address(app, "10.0.0.1"), from_address(app, "10.0.0.2")]
    for n in range(10):
        assert attempt(phones[n % 2], "Sri@Example.org ") == 401
    assert attempt(phones[0], "sri@example.org") == 429
    third = from_address(app, "10.0.0.3")
    blocked = third.post(
        "/login",
        data={
            "email": "sri@example.org",
            "password": PASSWORD,  # even the right password waits out the minute
            "csrf_token": csrf_token(third, "/login"),
        },
    )
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers
    assert_security_headers(blocked)
    # The addresses themselves are not blocked: another account still gets its answer.
    make_person("ani@example.org")
    assert attempt(phones[0], "ani@example.org", PASSWORD) == 302


def test_one_address_trying_many_accounts_is_limited(app: Flask, make_person) -> None:
    attacker = from_address(app, "10.0.0.9")
    for n in range(10):
        assert attempt(attacker, f"orang{n}@example.org") == 401
    assert attempt(attacker, "orang10@example.org") == 429
    make_person("sri@example.org")
    assert attempt(attacker, "sri@example.org", PASSWORD) == 429
    assert attempt(from_address(app, "10.0.0.10"), "sri@example.org", PASSWORD) == 302


def test_a_successful_sign_in_is_not_counted(app: Flask, make_person) -> None:
    make_person("sri@example.org")
    phone = from_address(app, "10.0.1.1")
    for _ in range(9):
        assert attempt(phone, "sri@example.org") == 401
    assert attempt(phone, "sri@example.org", PASSWORD) == 302
    AuthActions(phone).logout()
    assert attempt(phone, "sri@example.org") == 401  # the tenth failure, not the eleventh try
    assert attempt(phone, "sri@example.org") == 429


def test_an_invalid_form_is_not_counted_as_a_failure(app: Flask) -> None:
    phone = from_address(app, "10.0.2.1")
    for _ in range(12):
        assert attempt(phone, "not-an-email") == 400
    assert attempt(phone, "sri@example.org") == 401


def test_reset_requests_are_limited_per_account(app: Flask) -> None:
    answers = []
    for n in range(4):
        client = from_address(app, f"10.0.3.{n}")
        token = csrf_token(client, "/reset")
        answer = client.post("/reset", data={"email": "sri@example.org", "csrf_token": token})
        answers.append(answer.status_code)
    assert answers == [200, 200, 200, 429]


def test_limits_are_shared_through_redis_when_the_broker_is_redis(settings: Settings) -> None:
    for broker, expected in [
        (None, "memory://"),
        ("redis://redis:6379/0", "redis://redis:6379/0"),
        ("rediss://cache.example:6380/1", "rediss://cache.example:6380/1"),
        ("amqp://rabbit//", "memory://"),
    ]:
        assert storage_uri(Settings(**{**settings.__dict__, "broker_url": broker})) == expected


@pytest.mark.services
def test_failures_are_counted_in_redis(app: Flask, redis_url: str, make_person) -> None:
    """Two web processes with the same Redis see one count."""
    settings = settings_of(app)
    first = create_app(Settings(**{**settings.__dict__, "broker_url": redis_url}))
    second = create_app(Settings(**{**settings.__dict__, "broker_url": redis_url}))
    try:
        limiter_of(first).reset()
        make_person("sri@example.org")
        for n in range(10):
            web = from_address(first if n % 2 else second, "10.0.4.1")
            assert attempt(web, "sri@example.org") == 401
        assert attempt(from_address(first, "10.0.4.2"), "sri@example.org") == 429
    finally:
        limiter_of(first).reset()
        for one in (first, second):
            with one.app_context():
                db.engine.dispose()


# --- Security headers on every kind of answer ------------------------------------------------


def test_security_headers_on_error_pages(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person, tmp_path: Path
) -> None:
    make_person("sri@example.org")
    auth.login("sri@example.org", PASSWORD)
    forbidden = client.get("/invite")  # a facilitator on a coordinator's page
    missing = client.get("/no-such-page")
    wrong_method = client.get("/logout")
    assert (forbidden.status_code, missing.status_code, wrong_method.status_code) == (403, 404, 405)
    for answer in (forbidden, missing, wrong_method):
        assert_security_headers(answer)
    assert "Titik Temu" in missing.get_data(as_text=True)  # our page, in the site's frame

    attacker = from_address(app, "10.0.5.1")
    for n in range(10):
        attempt(attacker, f"x{n}@example.org")
    limited = attacker.get("/login")
    assert limited.status_code == 200  # only POSTs are limited
    too_many = attacker.post(
        "/login",
        data={"email": "y@example.org", "password": "z", "csrf_token": csrf_token(attacker)},
    )
    assert too_many.status_code == 429
    assert_security_headers(too_many)


def test_a_server_error_shows_our_page_with_the_headers(settings: Settings, tmp_path: Path) -> None:
    """A real failure through a real route: the database was never migrated, so signing in
    cannot find the people table (no test-only route needed)."""
    broken = create_app(
        Settings(**{**settings.__dict__, "database_url": f"sqlite:///{tmp_path / 'empty.db'}"})
    )
    try:
        client = broken.test_client()
        token = csrf_token(client, "/reset")  # a form that needs no table
        answer = client.post(
            "/login", data={"email": "sri@example.org", "password": "x", "csrf_token": token}
        )
        assert answer.status_code == 500
        assert_security_headers(answer)
        html = answer.get_data(as_text=True)
        assert "Titik Temu" in html and "Traceback" not in html and "people" not in html
    finally:
        with broken.app_context():
            db.engine.dispose()


def test_error_pages_answer_json_to_json_clients(client: FlaskClient) -> None:
    answer = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert answer.status_code == 404 and answer.get_json() == {"error": "Not Found"}
    assert_security_headers(answer)


def test_cookies_are_secure_behind_https(settings: Settings) -> None:
    secure = create_app(Settings(**{**settings.__dict__, "base_url": "https://titiktemu.example"}))
    try:
        assert secure.config["SESSION_COOKIE_SECURE"] and secure.config["REMEMBER_COOKIE_SECURE"]
        assert secure.config["SESSION_COOKIE_HTTPONLY"]
        assert secure.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    finally:
        with secure.app_context():
            db.engine.dispose()


# --- CSRF on every POST route ----------------------------------------------------------------


def post_rules(app: Flask) -> list[Rule]:
    rules = [rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())]
    return sorted(rules, key=lambda rule: rule.rule)


def fill(converter: object) -> object:
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, AnyConverter):  # <any(a, b):x> matches only its own words
        return sorted(converter.items)[0]
    return "x"


def filled_path(rule: Rule) -> str:
    """The rule's path with every argument filled: ints with 1, strings with "x"."""
    values = {name: fill(converter) for name, converter in rule._converters.items()}
    built = rule.build(values, append_unknown=False)
    assert built is not None, f"cannot fill {rule.rule}: teach filled_path its converter"
    return built[1]


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_every_post_route_refuses_a_missing_csrf_token(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person, who: str
) -> None:
    if who == "admin":
        make_person("admin@example.org", role=Role.ADMIN)
        auth.login("admin@example.org", PASSWORD)
    rules = post_rules(app)
    endpoints = {rule.endpoint for rule in rules}
    # The walk must see the routes we know of; new ones join it by themselves.
    assert {"auth.login", "auth.logout", "auth.invite_facilitator", "auth.reset"} <= endpoints
    assert endpoints >= CSRF_EXEMPT
    answers = {}
    for rule in rules:
        if rule.endpoint in CSRF_EXEMPT or rule.endpoint.startswith(API_ENDPOINTS):
            continue
        answers[rule.rule] = client.post(filled_path(rule), data={"anything": "1"}).status_code
    assert answers and all(status == 400 for status in answers.values()), answers
    if who == "admin":
        assert client.get("/").status_code == 200  # still signed in: only the POSTs were refused


def test_the_csrf_exempt_unsubscribe_needs_a_signed_token(client: FlaskClient) -> None:
    (rule,) = [rule for rule in post_rules(client.application) if rule.endpoint in CSRF_EXEMPT]
    assert client.post(filled_path(rule)).status_code == 404
    assert client.post(filled_path(rule), data={"List-Unsubscribe": "One-Click"}).status_code == 404


def test_api_routes_refuse_cookies(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person
) -> None:
    """Signed in with a cookie, every API route but the public documents still answers 401
    problem+json: the API authenticates by bearer token only."""
    make_person("admin@example.org", role=Role.ADMIN)
    auth.login("admin@example.org", PASSWORD)
    public = {"api.openapi_document", "api.api_docs"}
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith(API_ENDPOINTS)]
    assert len(rules) >= 20
    for rule in rules:
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            answer = client.open(filled_path(rule), method=method, json={})
            if rule.endpoint in public:
                assert answer.status_code == 200, rule.rule
                continue
            assert (answer.status_code, answer.mimetype) == (401, "application/problem+json"), (
                method,
                rule.rule,
            )
            assert answer.headers["WWW-Authenticate"].startswith("Bearer")
            assert_security_headers(answer)
