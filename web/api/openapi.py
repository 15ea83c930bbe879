"""The published OpenAPI 3.1 document: spectree's, finished with what only we know.

spectree finds the operations on the app, writes their request bodies and puts every pydantic
model in ``components.schemas`` (request models in validation mode, response models in
serialisation mode). This adds the mount point, bearer security, path and query parameters
as the models say (a missing query parameter is left out, not null), the ``Idempotency-Key``
header, the ETag and 304 of GETs, and the problem answers each operation can give.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel

from web.api import idempotency
from web.api.blueprint import blueprint
from web.api.schemas.common import Problem
from web.api.spec import OPERATIONS, Operation, spec

REF = "#/components/schemas/{model}"
PROBLEM = "application/problem+json"
DESCRIPTIONS = {
    200: "OK",
    201: "Created",
    304: "Not modified: the `If-None-Match` ETag is current",
    400: "The body is not valid JSON",
    401: "No live bearer token",
    403: "Your role may not do this",
    404: "Not found, or not yours to see",
    409: "The object's state does not allow this",
    412: "`If-Match` names an older version",
    413: "The upload is too large",
    415: "The body is not of the declared media type",
    422: "Invalid fields; `errors` lists them",
    429: "Too many requests: `Retry-After` says in how many seconds to try again",
}
#: The order of the document and of the docs page (tags not named here come last).
TAG_ORDER = (
    "Regions",
    "Programs",
    "People",
    "Needs",
    "Offers",
    "Interventions",
    "Proposals",
    "Overlap flags",
    "Gaps",
    "Imports",
    "Documentation",
)
INFO = {
    "title": "Titik Temu API",
    "version": "1",
    "description": (
        "Offers, needs, interventions, proposals and overlap flags of development facilitators. "
        "Send a personal API token (made on your profile page) as `Authorization: Bearer TOKEN`; "
        "you see what your pages show you. Lists are paged with `limit` and the opaque `cursor` "
        "(`next_cursor` of the previous page, also in the `Link` header). GET answers carry an "
        "`ETag`; send it back as `If-None-Match` to get a 304. Errors are RFC 9457 "
        "`application/problem+json` with the fields that are wrong in `errors`. The POSTs that "
        "create take an optional `Idempotency-Key` header: a retry with the same key creates "
        "nothing and gets the first answer again."
    ),
}


def build_document() -> dict[str, Any]:
    """The whole document, as a plain dict ready for JSON (inside an app context)."""
    generated = copy.deepcopy(spec.spec)
    schemas: dict[str, Any] = generated["components"]["schemas"]
    found: list[tuple[Operation, str, str, dict[str, Any]]] = []
    for full_path, item in generated["paths"].items():
        path = full_path.removeprefix(blueprint.url_prefix or "")
        for method, made in item.items():
            op = OPERATIONS[made["operationId"]]
            found.append((op, path, method, _operation(op, made, schemas)))
    found.sort(key=lambda entry: _tag_rank(entry[0]))
    paths: dict[str, dict[str, Any]] = {}
    for _op, path, method, item in found:
        paths.setdefault(path, {})[method] = item
    tags = dict.fromkeys(op.tag for op, *_ in found)
    return {
        "openapi": "3.1.0",
        "info": INFO,
        "servers": [{"url": blueprint.url_prefix}],
        "tags": [{"name": t} for t in tags],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token from your profile page",
                }
            },
            "responses": {
                str(code): {
                    "description": text,
                    "content": {PROBLEM: {"schema": {"$ref": REF.format(model=Problem.__name__)}}},
                }
                for code, text in DESCRIPTIONS.items()
                if code >= 400
            },
        },
    }


def _tag_rank(op: Operation) -> int:
    return TAG_ORDER.index(op.tag) if op.tag in TAG_ORDER else len(TAG_ORDER)


def _operation(op: Operation, made: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """One operation: spectree's summary, description and request body, and ours."""
    item: dict[str, Any] = {
        "operationId": made["operationId"],
        "tags": [op.tag],
        "summary": made["summary"],
        "description": made["description"],
        "security": [] if op.public else [{"bearer": []}],
    }
    parameters = []
    for model, where in ((op.path_params, "path"), (op.query, "query")):
        if model is not None:
            parameters += _parameters(model, schemas, where)
    if op.idempotent:
        parameters.append(idempotency_parameter())
    if parameters:
        item["parameters"] = parameters
    if op.body is not None:
        item["requestBody"] = {**made["requestBody"], "required": op.body_required}
    elif op.raw_body is not None:
        media, schema = op.raw_body
        item["requestBody"] = {"required": True, "content": {media: {"schema": schema}}}
    item["responses"] = _responses(op)
    return item


def idempotency_parameter() -> dict[str, Any]:
    """The optional ``Idempotency-Key`` header of the POSTs that create."""
    return {
        "name": idempotency.HEADER,
        "in": "header",
        "required": False,
        "description": idempotency.DESCRIPTION,
        "schema": dict(idempotency.SCHEMA),
    }


def _parameters(
    model_class: type[BaseModel], schemas: dict[str, Any], where: str
) -> list[dict[str, Any]]:
    """Each field of a path or query model as a parameter (null is how absence is modelled in
    Python; in a query string a parameter is simply left out). A path model is a component
    too, as spectree makes the query models."""
    model = model_class.model_json_schema(ref_template=REF)
    for name, schema in model.pop("$defs", {}).items():
        schemas.setdefault(name, schema)
    schemas.setdefault(model_class.__name__, model)
    required = set(model.get("required", ()))
    found = []
    for name, prop in model.get("properties", {}).items():
        schema = _without_null(copy.deepcopy(prop))
        description = schema.pop("description", "")
        schema.pop("title", None)
        parameter = {"name": name, "in": where, "required": where == "path" or name in required}
        if description:
            parameter["description"] = description
        parameter["schema"] = schema
        found.append(parameter)
    return found


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    options = schema.get("anyOf")
    if options is not None:
        kept = [o for o in options if o.get("type") != "null"]
        if len(kept) == 1:
            rest = {k: v for k, v in schema.items() if k != "anyOf"}
            if rest.get("default", 0) is None:
                rest.pop("default")
            return {**kept[0], **rest}
    return schema


def _responses(op: Operation) -> dict[str, Any]:
    success: dict[str, Any] = {"description": DESCRIPTIONS.get(op.status, "OK")}
    if op.response is not None:
        success["content"] = {
            op.response_media: {"schema": {"$ref": REF.format(model=op.response.__name__)}}
        }
    if op.method == "GET":
        success["headers"] = {
            "ETag": {"description": "Strong tag of this body", "schema": {"type": "string"}}
        }
    answers: dict[str, Any] = {str(op.status): success}
    if op.method == "GET":
        answers["304"] = {"description": DESCRIPTIONS[304]}
    codes = set(op.errors)
    if not op.public:
        codes.add(401)
    if op.path_params is not None:
        codes.add(404)
    if op.query is not None or op.body is not None or op.raw_body is not None:
        codes.add(422)
    if op.body is not None:
        codes |= {400, 415}
    if op.idempotent:  # a key sent with another request; a first request that did not finish
        codes |= {409, 422}
    for code in sorted(codes):
        answers[str(code)] = {"$ref": f"#/components/responses/{code}"}
    return answers
