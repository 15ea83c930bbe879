"""Operations declared once, validated and documented by spectree over our pydantic models.

Why spectree (issue 13: spectree and flask-openapi3 were both tried on programs and needs):

- It works on the plain Flask app and a plain ``Blueprint``. flask-openapi3 validates and
  documents only on its ``OpenAPI`` app class (``app.register_api``, and its
  ``validation_error_callback`` is read from ``current_app``); our app is made by the shared
  core (``titiktemu.app.create_core_app``) that the worker uses too, which would then carry a
  web library.
- Its ``before`` hook sees the request's ``ValidationError`` and the operation, so a refusal
  becomes our RFC 9457 problem with ``query.limit``-style field names; flask-openapi3's one
  app-wide callback gets the error alone.
- Query models stay components of the document (``ExchangeQuery``, ``PageQuery`` fields...),
  so the published schema names stay; flask-openapi3 flattens them into parameters only.
- It checks every answer against its declared model (schemathesis checks the same from the
  outside), and it adds no pages of its own (``page_templates={}``): our server-rendered
  docs page stays the one.
Both read a JSON body with ``get_json(silent=True)``: a body that is not JSON (400) or not
``application/json`` (415) is refused here before they see it. Bearer auth, path models (404),
``Idempotency-Key`` and the ETag (Werkzeug's ``add_etag``/``make_conditional``) are the
blueprint's hooks below; ``web.api.openapi`` finishes spectree's document.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import wraps
from typing import Any

from flask import Response, request
from pydantic import BaseModel, ValidationError
from spectree import Response as Answers
from spectree import SpecTree

from web.api import idempotency
from web.api.auth import authenticate
from web.api.blueprint import blueprint
from web.api.pagination import next_link
from web.api.problems import ApiProblem, invalid
from web.api.schemas.common import Problem

JSON = "application/json"
PATH_PARAM = re.compile(r"\{(\w+)\}")
#: What a view may return: its response model, or it and a status code, or a finished Response.
Result = BaseModel | tuple[BaseModel, int] | Response
View = Callable[..., Result]


@dataclass(frozen=True)
class Operation:
    """What spectree does not know of an operation: for the hooks below and the document."""

    method: str
    path: str
    tag: str
    path_params: type[BaseModel] | None
    query: type[BaseModel] | None
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    errors: tuple[int, ...]
    public: bool
    #: A request body that is not JSON (multipart uploads): media type and JSON Schema.
    raw_body: tuple[str, dict[str, Any]] | None
    response_media: str
    #: A POST that creates: it takes an ``Idempotency-Key`` header (``web.api.idempotency``).
    idempotent: bool
    body_required: bool


#: By view name (the endpoint without ``api.`` and the document's operationId).
OPERATIONS: dict[str, Operation] = {}


def _refuse(req: Any, resp: Any, error: Exception | None, instance: Any, adapter: Any) -> None:
    """spectree's ``before`` hook: its validation error as our 422 problem."""
    if isinstance(error, ValidationError):
        op = OPERATIONS[req.endpoint.removeprefix("api.")]
        query = op.query is not None and error.title == op.query.__name__
        raise invalid(pydantic_errors(error, "query" if query else ""))


def _wrong_answer(
    req: Any, resp: Any, error: Exception | None, instance: Any, adapter: Any
) -> None:
    """spectree's ``after`` hook: an answer unlike its declared model is our bug (500 problem)."""
    if error is not None:
        raise error


spec = SpecTree(
    "flask",
    mode="strict",
    annotations=False,
    before=_refuse,
    after=_wrong_answer,
    validation_error_model=Problem,
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    page_templates={},
)


def operation(
    method: str,
    path: str,
    *,
    tag: str,
    summary: str,
    path_params: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    body_required: bool = True,
    response: type[BaseModel] | None = None,
    status: int = 200,
    errors: tuple[int, ...] = (),
    public: bool = False,
    raw_body: tuple[str, dict[str, Any]] | None = None,
    response_media: str = JSON,
    idempotent: bool = False,
) -> Callable[[View], View]:
    """Route the view on the API blueprint under spectree's validation; the view gets the
    validated ``path`` values as keyword arguments and ``query``/``body`` models when declared."""
    declared = dict(locals())
    op = Operation(**{f.name: declared[f.name] for f in fields(Operation)})

    def register(view: View) -> View:
        OPERATIONS[view.__name__] = op

        @wraps(view)
        def call(**kwargs: Any) -> Response | tuple[BaseModel, int, dict[str, str]]:
            if query is not None:
                kwargs["query"] = request.context.query  # type: ignore[attr-defined]
            if body is not None:
                kwargs["body"] = request.context.json  # type: ignore[attr-defined]
            if idempotent and idempotency.wanted():
                return idempotency.once(f"{method} {path}", lambda: _finished(view(**kwargs), op))
            return _handed_over(view(**kwargs), op)

        call.__doc__ = f"{summary}\n\n{inspect.cleandoc(view.__doc__ or '')}"  # spectree: summary
        answers = Answers(**{f"HTTP_{status}": response}) if response is not None else None
        checked = spec.validate(
            query=query, json=body, resp=answers, tags=[tag], operation_id=view.__name__
        )
        blueprint.add_url_rule(
            PATH_PARAM.sub(r"<\1>", path), view.__name__, checked(call), methods=[method]
        )
        return view

    return register


def _handed_over(result: Result, op: Operation) -> Response | tuple[BaseModel, int, dict[str, str]]:
    """The view's model itself, for spectree to serialize: a model instance of the declared
    class is valid by construction, and spectree then skips parsing the JSON back to check it
    (a page of 50 proposals, 1-2 ms). A finished Response as it is."""
    if isinstance(result, Response):
        return result
    model, status = result if isinstance(result, tuple) else (result, op.status)
    cursor = getattr(model, "next_cursor", None)
    return model, status, {"Link": next_link(cursor)} if isinstance(cursor, str) else {}


def _finished(result: Result, op: Operation) -> Response:
    """The view's model as JSON (spectree checks it against the declared one), with the next
    page's ``Link``; a finished Response as it is."""
    if isinstance(result, Response):
        return result
    model, status = result if isinstance(result, tuple) else (result, op.status)
    answer = Response(model.model_dump_json(), status=status, mimetype=JSON)
    cursor = getattr(model, "next_cursor", None)
    if isinstance(cursor, str):
        answer.headers["Link"] = next_link(cursor)
    return answer


@blueprint.before_request
def _admit() -> None:
    """Before spectree validates: the token (401), the path (404), repeated query parameters,
    the body's media type and syntax (415, 400) and text no database keeps (422)."""
    op = OPERATIONS.get((request.endpoint or "").removeprefix("api."))
    if op is None:
        return
    if not op.public:
        authenticate()
    if op.path_params is not None:
        try:
            values = op.path_params.model_validate(request.view_args or {}).model_dump()
        except ValidationError:
            raise ApiProblem(404, "Nothing is found at this address.") from None
        request.view_args = values
    repeated = [key for key in request.args if len(request.args.getlist(key)) > 1]
    if repeated:
        raise invalid({f"query.{key}": "give this parameter once" for key in repeated})
    bad = _unstorable(_json_body(op.body_required), "") if op.body is not None else []
    if bad:  # (the app refuses such query strings before: web.params.refuse_unreadable)
        raise invalid(bad)


@blueprint.after_request
def _conditional(answer: Response) -> Response:
    """A successful GET gets its ETag, and becomes a bodiless 304 when the client has it."""
    if request.method in ("GET", "HEAD") and answer.status_code == 200:
        answer.add_etag()
        answer.headers["Cache-Control"] = "private, no-cache"
        answer.make_conditional(request)
    return answer


def _json_body(required: bool) -> Any:
    data = request.get_data(cache=True)
    if not data and not required:
        return {}
    if request.mimetype != JSON:
        raise ApiProblem(415, "Send the body as application/json.")
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise ApiProblem(400, "The body is not valid JSON.") from None


def validated(model: type[BaseModel], data: Any, prefix: str) -> BaseModel:
    """``data`` as ``model``, or a 422 naming the fields (for bodies spectree does not read)."""
    bad = _unstorable(data, prefix)
    if bad:
        raise invalid(bad)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid(pydantic_errors(exc, prefix)) from None


def pydantic_errors(exc: ValidationError, prefix: str) -> list[tuple[str, str]]:
    """Pydantic's errors as (field, message): ``title``, ``skills.0``, ``query.limit``."""
    pairs = []
    for error in exc.errors(include_url=False):
        name = ".".join(str(part) for part in (prefix, *error["loc"]) if part != "")
        pairs.append((name or "body", str(error["msg"])))
    return pairs


def _unstorable(data: Any, where: str) -> list[tuple[str, str]]:
    """Text no database keeps: NUL characters (PostgreSQL refuses them) and lone surrogates."""
    if isinstance(data, str):
        if "\x00" in data:
            return [(where or "body", "must not contain NUL characters")]
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            return [(where or "body", "must be valid Unicode text")]
        return []
    items: list[tuple[Any, Any]] = []
    if isinstance(data, dict):
        items = list(data.items())
    elif isinstance(data, list):
        items = list(enumerate(data))
    found = []
    for key, value in items:
        found += _unstorable(key, where) if isinstance(key, str) else []
        found += _unstorable(value, f"{where}.{key}" if where else str(key))
    return found
