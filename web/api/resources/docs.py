"""The OpenAPI document and the readable docs page: public, no token needed."""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import Response, jsonify, render_template

from web.api.docs_view import grouped, rich, type_text
from web.api.openapi import build_document
from web.api.spec import operation


@cache
def document() -> dict[str, Any]:
    """Built once per process: the operations do not change after start-up."""
    return build_document()


@operation(
    "GET",
    "/openapi.json",
    tag="Documentation",
    summary="This API's OpenAPI 3.1 document",
    public=True,
)
def openapi_document() -> Response:
    """Generated from the same pydantic models that validate requests and shape responses."""
    return jsonify(document())


@operation(
    "GET",
    "/docs",
    tag="Documentation",
    summary="This API's documentation, for people",
    public=True,
    response_media="text/html",
)
def api_docs() -> Response:
    """The OpenAPI document as a page: operations by tag, parameters and fields."""
    html = render_template(
        "api/docs.html", doc=document(), groups=grouped(document()), type_text=type_text, rich=rich
    )
    return Response(html, mimetype="text/html")
