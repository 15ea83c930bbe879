"""RFC 9457 problem details: every error under /api/v1 answers ``application/problem+json``.

The web's HTML error pages stay as they are; ``answer_http_error`` is called by them for API
paths (routing errors such as an unknown path have no blueprint, so the path decides).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from titiktemu.errors import DomainError, TooMany
from titiktemu.extensions import db

PROBLEM_TYPE = "application/problem+json"
API_PREFIX = "/api/"
TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


@dataclass
class ApiProblem(Exception):  # noqa: N818 - RFC 9457 names it a problem
    """Raised anywhere in an API view; the blueprint turns it into a problem response."""

    status: int
    detail: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    #: The URI of this occurrence, when it has its own (a rejected import run).
    instance: str | None = None


def invalid(errors: Mapping[str, str] | Iterable[tuple[str, str]], detail: str = "") -> ApiProblem:
    """A 422 naming each field that is wrong."""
    pairs = list(errors.items()) if isinstance(errors, Mapping) else list(errors)
    return ApiProblem(422, detail or "The request has invalid fields.", pairs)


def problem_of(error: DomainError, fields: Mapping[str, str] | None = None) -> ApiProblem:
    """The one translation of a command's refusal: its kind's status, its words as the detail
    and its field errors under the API's names (``fields`` maps a command's field name to the
    resource's, e.g. "village" -> "village_code"). Rolls the request's transaction back."""
    db.session.rollback()
    fields = fields or {}
    errors = getattr(error, "errors", None) or {}
    pairs = [(fields.get(key, key), message) for key, message in errors.items()]
    detail = str(error)
    if pairs and (not detail or detail == "; ".join(f"{k}: {v}" for k, v in errors.items())):
        detail = "The request has invalid fields."  # InputError: the fields say it
    headers = {}
    if isinstance(error, TooMany) and error.retry_after is not None:
        headers["Retry-After"] = str(error.retry_after)
    return ApiProblem(error.http_status, detail, pairs, headers)


def answer_domain_error(error: DomainError) -> Response:
    """A refusal no API view translated itself (web/app.py registers it for every path)."""
    return answer_problem(problem_of(error))


def problem_response(
    status: int,
    detail: str = "",
    errors: Iterable[tuple[str, str]] = (),
    headers: Mapping[str, str] | None = None,
    instance: str | None = None,
) -> Response:
    body = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail or TITLES.get(status, "Error"),
        "instance": instance or request.path,
        "errors": [{"field": name, "message": message} for name, message in errors],
    }
    answer = Response(json.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    for key, value in (headers or {}).items():
        answer.headers[key] = value
    answer.headers["Cache-Control"] = "no-store"
    return answer


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX) or request.blueprint == "api"


def answer_problem(problem: ApiProblem) -> Response:
    return problem_response(
        problem.status, problem.detail, problem.errors, problem.headers, problem.instance
    )


def answer_http_error(error: HTTPException) -> Response:
    """An HTTP error (404 of routing, 405, 413, ...) as a problem; keeps Allow and the like."""
    code = error.code or 500
    if code >= 500:
        db.session.rollback()
    keep = {k: v for k, v in error.get_headers() if k.lower() not in ("content-type",)}
    detail = error.description if code < 500 else "Something went wrong on our side."
    return problem_response(code, str(detail or ""), (), keep)


def _any_http_error(error: HTTPException) -> Response | HTTPException:
    """Codes without a page of their own: a problem under /api/, Werkzeug's answer elsewhere."""
    return answer_http_error(error) if is_api_request() else error


def register_problem_handlers(app: Flask) -> None:
    """Problems for ``ApiProblem`` and for every HTTP error code the web has no page for."""
    app.register_error_handler(ApiProblem, answer_problem)
    app.register_error_handler(HTTPException, _any_http_error)
