"""Operations declared once: their pydantic models validate the request, shape the response and
write the OpenAPI document, so what is documented is what is enforced.

``@operation("GET", "/needs/{need_id}", ...)`` registers a Flask route on the API blueprint,
authenticates the bearer token (unless public), validates path, query and body, calls the view
with what it declared, serialises the returned model and adds the ETag and ``Link`` headers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Response, request
from pydantic import BaseModel, ValidationError

from web.api import idempotency
from web.api.auth import authenticate
from web.api.blueprint import blueprint
from web.api.etags import etag_of, not_modified
from web.api.pagination import next_link
from web.api.problems import ApiProblem, invalid

JSON = "application/json"
PATH_PARAM = re.compile(r"\{(\w+)\}")
#: What a view may return: the response model, or it and a status code, or a finished Response.
Result = BaseModel | tuple[BaseModel, int] | Response
View = Callable[..., Result]


@dataclass(frozen=True)
class Operation:
    """One method on one path, as OpenAPI will describe it."""

    method: str
    path: str
    endpoint: str
    tag: str
    summary: str
    description: str
    path_params: type[BaseModel] | None
    query: type[BaseModel] | None
    body: type[BaseModel] | None
    body_required: bool
    response: type[BaseModel] | None
    status: int
    errors: tuple[int, ...]
    public: bool
    #: A request body that is not JSON (multipart uploads): media type and JSON Schema.
    raw_body: tuple[str, dict[str, Any]] | None = None
    response_media: str = JSON
    #: A POST that creates: it takes an ``Idempotency-Key`` header (``web.api.idempotency``).
    idempotent: bool = False


OPERATIONS: list[Operation] = []


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
    """Declare an operation; the view gets the validated ``path`` values as keyword arguments
    and ``query``/``body`` models when declared."""

    def register(view: View) -> View:
        op = Operation(
            method=method,
            path=path,
            endpoint=view.__name__,
            tag=tag,
            summary=summary,
            description=(view.__doc__ or "").strip(),
            path_params=path_params,
            query=query,
            body=body,
            body_required=body_required,
            response=response,
            status=status,
            errors=errors,
            public=public,
            raw_body=raw_body,
            response_media=response_media,
            idempotent=idempotent,
        )
        OPERATIONS.append(op)

        def handle(**values: str) -> Response:
            return _handle(op, view, values)

        handle.__name__ = view.__name__
        handle.__doc__ = view.__doc__
        rule = PATH_PARAM.sub(r"<\1>", path)
        blueprint.add_url_rule(rule, view.__name__, handle, methods=[method])
        return view

    return register


def _handle(op: Operation, view: View, values: dict[str, str]) -> Response:
    if not op.public:
        authenticate()
    kwargs: dict[str, Any] = {}
    if op.path_params is not None:
        try:
            kwargs.update(op.path_params.model_validate(values).model_dump())
        except ValidationError:
            raise ApiProblem(404, "Nothing is found at this address.") from None
    if op.query is not None:
        kwargs["query"] = validated(op.query, _query_args(), "query")
    if op.body is not None:
        kwargs["body"] = validated(op.body, _json_body(op.body_required), "")
    if op.idempotent and idempotency.wanted():
        return idempotency.once(f"{op.method} {op.path}", lambda: _answer(op, view, kwargs))
    return _answer(op, view, kwargs)


def _answer(op: Operation, view: View, kwargs: dict[str, Any]) -> Response:
    result = view(**kwargs)
    if isinstance(result, Response):
        return _tagged(op, result)
    model, status = result if isinstance(result, tuple) else (result, op.status)
    if op.response is not None and not isinstance(model, op.response):
        raise TypeError(f"{op.endpoint} returned {type(model).__name__}, not {op.response}")
    answer = _tagged(op, Response(model.model_dump_json(), status=status, mimetype=JSON))
    cursor = getattr(model, "next_cursor", None)
    if isinstance(cursor, str):
        answer.headers["Link"] = next_link(cursor)
    return answer


def _tagged(op: Operation, answer: Response) -> Response:
    """A successful GET gets its ETag, and becomes a bodiless 304 when the client has it."""
    if op.method != "GET" or answer.status_code != 200:
        return answer
    tag = etag_of(answer.get_data())
    if not_modified(tag):
        answer = Response(status=304)
    answer.set_etag(tag)
    answer.headers["Cache-Control"] = "private, no-cache"
    return answer


def _query_args() -> dict[str, str]:
    args = {key: request.args.getlist(key) for key in request.args}
    repeated = [key for key, value in args.items() if len(value) > 1]
    if repeated:
        raise invalid({f"query.{key}": "give this parameter once" for key in repeated})
    return {key: value[0] for key, value in args.items()}


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
