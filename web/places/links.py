"""Where each kind of thing has its page, for cards, lists and the graph view alike.

Needs, offers and interventions live in other blueprints (exchange, interventions); their pages
are addressed by path, which is what the emails and the other blueprints promise.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import request, url_for

#: Kinds with a page of their own outside this package: (path prefix).
OTHER_PAGES = {"need": "/needs/", "offer": "/offers/", "intervention": "/interventions/"}


#: An identifier standing in for any in a route's address (found nowhere else in one).
ANY_ID = 987654321

#: Kinds whose page is a route of this app with one identifier: (endpoint, argument, an
#: identifier the route accepts, standing in for any).
OWN_PAGES: dict[str, tuple[str, str, Any]] = {
    "village": ("places.village", "code", "00.00.00.0000"),
    "person": ("places.person", "person_id", ANY_ID),
    "program": ("places.program", "program_id", ANY_ID),
}


def page_url(kind: str, ident: object) -> str | None:
    """The page of a village, person, program, need, offer, intervention or kecamatan."""
    if kind in OWN_PAGES:
        endpoint, argument, example = OWN_PAGES[kind]
        value = str(ident) if isinstance(example, str) else int(str(ident))
        return route_url(endpoint, argument, example, value)
    if kind == "kecamatan":
        return url_for("places.coverage", kecamatan=str(ident), _anchor=f"k{ident}")
    if kind == "category":
        return url_for("places.coverage", by="category")
    if kind in OTHER_PAGES:
        return f"{request.script_root}{OTHER_PAGES[kind]}{ident}"
    return None


def route_url(endpoint: str, argument: str, example: object, value: object) -> str:
    """``url_for(endpoint, argument=value)`` for a route with that one argument, from its
    address around ``example`` built once per mount point: a queue page links some hundred
    people, villages, programs and proposals, each a route build (``example`` must be a value
    the route accepts and that appears nowhere else in its address)."""
    before, after = _around(endpoint, argument, example, request.script_root)
    return f"{before}{value}{after}"


@lru_cache(maxsize=64)
def _around(endpoint: str, argument: str, example: object, _script_root: str) -> tuple[str, str]:
    values: dict[str, Any] = {argument: example}
    before, _, after = url_for(endpoint, **values).partition(str(example))
    return before, after


def template_helpers() -> dict[str, Any]:
    """What every coordinator page's templates may call."""
    return {"page_url": page_url, "route_url": route_url}
