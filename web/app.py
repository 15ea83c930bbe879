"""The web application factory: the shared core plus login, CSRF, rate limits, i18n, security
headers, error pages and blueprints."""

from __future__ import annotations

import datetime as dt
import io
import logging
from typing import Any

import flask_babel
from babel.support import Translations
from flask import Flask, Request, Response, g, jsonify, render_template, request, session
from flask.typing import ResponseReturnValue
from flask_babel import Babel, format_date, get_locale
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect
from jinja2 import pass_context
from jinja2.runtime import Context
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from titiktemu.accounts.signin import signed_in_person
from titiktemu.accounts.whatsapp import whatsapp_link
from titiktemu.app import create_core_app
from titiktemu.errors import DomainError
from titiktemu.extensions import db
from titiktemu.i18n import TRANSLATIONS_DIR, day, language, money
from titiktemu.jobs.queue import celery_init_app
from titiktemu.models import Person
from titiktemu.settings import Settings
from web.access import keep_partners_in_their_pages
from web.api.problems import (
    answer_domain_error,
    answer_http_error,
    is_api_request,
    register_problem_handlers,
)
from web.auth.limits import init_limiter
from web.obstacles.forms import obstacle_kind
from web.params import init_params
from web.reasons import reason_lines, reason_text

LANGUAGES = ("id", "en")
ERROR_PAGES = (400, 403, 404, 413, 429)
#: Uploads larger than this are refused before they are read (a 10,000-row XLSX is about 1 MB).
MAX_UPLOAD_BYTES = 32 * 1024 * 1024
#: When even the 500 template fails (the database is down), this needs nothing at all.
PLAIN_500 = (
    "<!doctype html><title>500 · Titik Temu</title>"
    "<h1>Terjadi kesalahan / Something went wrong</h1>"
    "<p>Coba lagi sebentar lagi. / Please try again in a moment.</p>"
)

log = logging.getLogger(__name__)

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def _money(value: float) -> str:
    """Rupiah in the page reader's language, by the one formatter emails and reasons use."""
    return money(value, language(get_locale()))


def _dateformat(value: Any, format: str | None = None) -> str:
    """Flask-Babel's ``dateformat``, with a plain date in the medium form through the one
    formatter reasons use (remembered per process: a list page shows the same few dates over
    and over, and Babel formats one in 50 µs)."""
    if type(value) is dt.date and format in (None, "medium"):
        return day(value, language(get_locale()))
    return str(format_date(value, format))


class InMemoryUploads(Request):
    """Uploaded files are read into memory, never spooled to a temporary file: a beneficiary
    list's NIKs and names must not touch a disk (``MAX_CONTENT_LENGTH`` bounds the memory)."""

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> io.BytesIO:
        return io.BytesIO()


def create_app(settings: Settings | None = None) -> Flask:
    """Build the web app; ``settings`` default to the environment."""
    app = create_core_app(settings, import_name="web")
    app.request_class = InMemoryUploads
    base_url = app.extensions["titiktemu.settings"].base_url
    app.config.update(
        BABEL_DEFAULT_LOCALE="id",
        BABEL_DEFAULT_TIMEZONE="Asia/Jakarta",
        # The one catalog lives in the shared package: the worker's emails read it too.
        BABEL_TRANSLATION_DIRECTORIES=str(TRANSLATIONS_DIR),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=base_url.startswith("https://"),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=base_url.startswith("https://"),
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
    )
    celery_init_app(app)  # to send jobs; the worker runs them (or this process, when eager)
    babel.init_app(app, locale_selector=_select_locale)
    _install_gettext(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    app.after_request(_security_headers)
    app.before_request(keep_partners_in_their_pages)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["money"] = _money  # "Rp 170.500.000", as emails write it
    app.jinja_env.filters["dateformat"] = _dateformat  # "1 Mar 2021" / "Mar 1, 2021"
    app.jinja_env.filters["whatsapp"] = whatsapp_link  # wa.me link of a mobile number, or None
    app.jinja_env.globals["obstacle_kind"] = obstacle_kind  # "Community refusal", translated
    app.jinja_env.globals["reason_text"] = (
        reason_text  # the engine's reasons, in the reader's words
    )
    app.jinja_env.globals["reason_lines"] = reason_lines  # a list of them, rendered in one go
    init_params(app)  # bounded <int:...>, <village:...>, and no NUL anywhere: before the rules

    from web.admin.blueprint import blueprint as admin
    from web.api.resources import blueprint as api
    from web.auth.blueprint import blueprint as auth
    from web.beneficiaries.blueprint import blueprint as beneficiaries
    from web.exchange.blueprint import blueprint as exchange
    from web.exports.blueprint import blueprint as exports
    from web.forum.blueprint import blueprint as forum
    from web.health.blueprint import blueprint as health
    from web.home.blueprint import blueprint as home
    from web.imports.blueprint import blueprint as imports
    from web.interventions.blueprint import blueprint as interventions
    from web.matches.blueprint import blueprint as matches
    from web.obstacles.blueprint import blueprint as obstacles
    from web.overlaps.blueprint import blueprint as overlaps
    from web.places.blueprint import blueprint as places
    from web.profile.blueprint import blueprint as profile
    from web.prospectus.blueprint import blueprint as prospectus
    from web.review.blueprint import blueprint as review
    from web.synonyms.blueprint import blueprint as synonyms
    from web.unsubscribe.blueprint import blueprint as unsubscribe

    for blueprint in (
        auth,
        home,
        health,
        unsubscribe,
        profile,
        exchange,
        interventions,
        matches,
        review,
        overlaps,
        places,
        admin,
        imports,
        synonyms,
        obstacles,
        forum,
        beneficiaries,
        prospectus,
        exports,
        api,
    ):
        app.register_blueprint(blueprint)
    # Mail clients POST the one-click unsubscribe without a form; the signed token is the proof.
    csrf.exempt(unsubscribe)
    # The API authenticates by bearer token, never by cookie, so there is no session to forge.
    csrf.exempt(api)
    init_limiter(app)  # after the blueprints: it wraps their views by endpoint
    _register_error_pages(app)
    _register_commands(app)
    return app


def _register_commands(app: Flask) -> None:
    """Our commands hang on ``app.cli`` too, so the test runner sees what ``titiktemu`` runs."""
    from web.commands import COMMANDS, load_command

    # Flask-Migrate registered its `db` group in init_app; ours replaces it under the same name.
    for name in COMMANDS:
        app.cli.add_command(load_command(name), name)


def _register_error_pages(app: Flask) -> None:
    """Our own pages for the errors people meet; every one still passes ``_security_headers``."""
    for code in ERROR_PAGES:
        app.register_error_handler(code, _error_page)
    app.register_error_handler(500, _server_error)
    app.register_error_handler(DomainError, _refused)
    register_problem_handlers(app)  # /api/ answers problem+json, whatever the code


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _error_page(error: HTTPException) -> ResponseReturnValue:
    if is_api_request():
        return answer_http_error(error)
    code = error.code or 500
    # Keep what the error adds (Allow, Retry-After), not its text/html content type.
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    if _wants_json():
        return jsonify(error=error.name), code, headers
    return render_template(f"errors/{code}.html"), code, headers


def _refused(error: DomainError) -> ResponseReturnValue:
    """A command's refusal that its view did not turn into a form message: under /api/ a
    problem+json of its kind, on a page the error page of its status (403, 404, 409 ...)."""
    if is_api_request():
        return answer_domain_error(error)
    db.session.rollback()
    code = error.http_status
    if _wants_json():
        return jsonify(error=HTTP_STATUS_CODES.get(code, "Error")), code
    return render_template(f"errors/{code if code in ERROR_PAGES else 400}.html"), code


def _server_error(error: HTTPException) -> ResponseReturnValue:
    """The 500 page; when even that cannot render (the database is down), a plain one."""
    db.session.rollback()
    if is_api_request():
        return answer_http_error(error)
    try:
        return render_template("errors/500.html"), 500
    except Exception:  # the error page must never fail in turn
        log.exception("the 500 page could not be rendered")
        return PLAIN_500, 500, {"Content-Type": "text/html; charset=utf-8"}


def _catalog() -> Translations:
    """The catalog of the request's locale, found once per locale: Flask-Babel looks it up
    anew on every ``_()`` (the context, the domain, the locale's name), and a page of cards
    says some 250. Kept by the locale object itself, so ``refresh()`` and ``force_locale``
    (a new locale object) find theirs."""
    if not g:  # no app context: Flask-Babel's own answer (the msgids)
        return flask_babel.get_translations()  # type: ignore[no-any-return]
    locale = get_locale()
    held = g.get("_babel_catalog")
    if held is None or held[0] is not locale:
        held = g._babel_catalog = (locale, flask_babel.get_translations())
    found: Translations = held[1]
    return found


#: The template context's name for the catalog of the render (see ``_install_gettext``).
RENDER_CATALOG = "_render_catalog"


class _RenderCatalog:
    """The render's catalog, looked up at its first word (a render that says none, an SVG
    outside any sign-in, never asks for the locale)."""

    __slots__ = ("found",)

    def __init__(self) -> None:
        self.found: Translations | None = None

    def get(self) -> Translations:
        if self.found is None:
            self.found = _catalog()
        return self.found


def _install_gettext(app: Flask) -> None:
    """Templates' ``_()`` and ``ngettext()`` as Flask-Babel installs them, on ``_catalog``,
    looked up once per render: a render runs in one locale (``force_locale`` and ``refresh``
    take effect at the next one), and a page of cards says some 120 words, each lookup four
    context variables deep. A macro imported without context looks it up itself."""
    app.context_processor(lambda: {RENDER_CATALOG: _RenderCatalog()})

    def catalog_of(context: Context) -> Translations:
        held = context.get(RENDER_CATALOG)
        return held.get() if isinstance(held, _RenderCatalog) else _catalog()

    @pass_context
    def gettext(context: Context, s: str) -> str:
        return str(catalog_of(context).ugettext(s))

    @pass_context
    def ngettext(context: Context, s: str, p: str, n: int) -> str:
        return str(catalog_of(context).ungettext(s, p, n))

    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=gettext,
        ngettext=ngettext,
        newstyle=True,
        pgettext=lambda c, s: _catalog().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalog().unpgettext(c, s, p, n),
    )


def _load_user(user_id: str) -> Person | None:
    if not user_id.isdigit():
        return None
    return signed_in_person(db.session(), int(user_id), session.get("sid"))


def _select_locale() -> str:
    """The person's saved language, else the session's choice, else Indonesian (not the browser's:
    phones here are often set to English while their owners read Indonesian)."""
    if current_user.is_authenticated:
        return str(current_user.language)
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    return "id"


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    return response
