"""Strong ETags from the body's hash: a client that sends ``If-None-Match`` gets a bodiless 304."""

from __future__ import annotations

import hashlib

from flask import request

from web.api.problems import ApiProblem


def etag_of(body: bytes) -> str:
    """The unquoted tag of a representation."""
    return hashlib.sha256(body).hexdigest()[:40]


def not_modified(tag: str) -> bool:
    return tag in request.if_none_match


def check_if_match(tag: str) -> None:
    """412 when ``If-Match`` names another version of the object than the current one."""
    if request.if_match and tag not in request.if_match:
        raise ApiProblem(412, "The object changed since you read it; read it again.")
