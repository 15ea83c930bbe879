"""``Idempotency-Key`` on the API's creating POSTs: a retry with the same key and the same request
gets the first answer (status, headers, body) again and creates nothing; the same key with
another request is refused (422). The rule is ``titiktemu.submissions``'.

The key is taken in the request's transaction before the view runs, and the answer recorded once
the view is done: a concurrent twin waits for the first to commit and then for its answer. A
request that is refused before it writes (a 422 of its fields) leaves the key free.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from flask import Response, request

from titiktemu.extensions import db
from titiktemu.submissions import Earlier, claim, settle, wait_for, well_formed
from web.api.auth import caller
from web.api.problems import ApiProblem, answer_problem, invalid

HEADER = "Idempotency-Key"
FIELD = f"header.{HEADER}"
#: Headers of the first answer not given again (the server sets them for each answer).
NOT_REPLAYED = {"content-length", "date", "server", "set-cookie", "vary"}
#: The OpenAPI description of the header.
DESCRIPTION = (
    "Optional. A key of your choosing (1 to 255 visible ASCII characters), new for each thing "
    "you create. Sending the same request again with the same key (a retry after a timeout) "
    "creates nothing and answers what the first request answered; the same key with another "
    "request answers 422. Keys are kept for a day."
)
SCHEMA = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"}
FORM_MEDIA = ("multipart/form-data", "application/x-www-form-urlencoded")


def wanted() -> bool:
    return HEADER in request.headers


def once(kind: str, answer: Callable[[], Response]) -> Response:
    """``answer()`` the first time this caller sends this key; the first answer after that."""
    key = request.headers.get(HEADER, "")
    if not well_formed(key):
        raise invalid({FIELD: "1 to 255 visible ASCII characters"})
    person_id = caller().id
    fingerprint = _fingerprint(kind)
    session = db.session()
    first = claim(session, person_id, key, kind, fingerprint)
    if first is None:
        return _first(person_id, key, answer)
    if first.fingerprint != fingerprint:
        raise invalid(
            {FIELD: "already used for another request"},
            "This Idempotency-Key was sent before with another request; use a new key.",
        )
    if not first.settled:
        first = wait_for(session, person_id, key)
    if not first.settled:
        raise ApiProblem(
            409, "The first request with this Idempotency-Key did not finish; use a new key."
        )
    return _replayed(first)


def _first(person_id: int, key: str, answer: Callable[[], Response]) -> Response:
    session = db.session()
    try:
        response = answer()
    except ApiProblem as problem:
        session.rollback()  # what was not committed is undone, the key's claim with it
        response = answer_problem(problem)
    headers = [[k, v] for k, v in response.headers.items() if k.lower() not in NOT_REPLAYED]
    kept = settle(
        session,
        person_id,
        key,
        status=response.status_code,
        headers=headers,
        body=response.get_data(as_text=True),
    )
    if kept:  # the request wrote (committed or not yet): its answer goes with the key
        session.commit()
    else:  # refused before it wrote: nothing to remember, the key stays free
        session.rollback()
    return response


def _replayed(first: Earlier) -> Response:
    response = Response(first.body or "", status=first.status or 200)
    for name, value in first.headers or []:
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _fingerprint(kind: str) -> str:
    """SHA-256 of the operation and the request's content (JSON compared by value; multipart
    by its fields and the files' names and bytes)."""
    digest = hashlib.sha256(kind.encode())
    if request.mimetype in FORM_MEDIA:
        for name, value in sorted(request.form.items(multi=True)):
            digest.update(f"\0{name}={value}".encode())
        for name, upload in sorted(request.files.items(multi=True), key=lambda item: item[0]):
            data = upload.stream.read()
            upload.stream.seek(0)
            digest.update(f"\0{name}:{upload.filename}:".encode())
            digest.update(hashlib.sha256(data).digest())
        return digest.hexdigest()
    data = request.get_data(cache=True)
    try:
        canonical = json.dumps(json.loads(data), sort_keys=True, separators=(",", ":"))
        digest.update(b"\0json" + canonical.encode())
    except (ValueError, UnicodeDecodeError):
        digest.update(b"\0raw" + data)
    return digest.hexdigest()
