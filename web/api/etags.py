"""ETags are Werkzeug's (``add_etag`` on every successful GET, see ``web.api.spec``); this
checks ``If-Match`` against the tag a GET of the object gave."""

from __future__ import annotations

from flask import request
from werkzeug.http import generate_etag as etag_of

from web.api.problems import ApiProblem

__all__ = ["check_if_match", "etag_of"]


def check_if_match(tag: str) -> None:
    """412 when ``If-Match`` names another version of the object than the current one."""
    if request.if_match and tag not in request.if_match:
        raise ApiProblem(412, "The object changed since you read it; read it again.")
