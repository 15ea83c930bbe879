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


#: Kinds whose page is this package's route with the identifier last: (endpoint, argument, an
#: identifier the route accepts). Their address is its route's prefix and the identifier.
OWN_PAGES: dict[str, tuple[str, str, Any]] = {
    "village": ("places.village", "code", "00.00.00.0000"),
    "person": ("places.person", "person_id", 0),
    "program": ("places.program", "program_id", 0),
}


def page_url(kind: str, ident: object) -> str | None:
    """The page of a village, person, program, need, offer, intervention or kecamatan."""
    if kind in OWN_PAGES:
        _endpoint, _argument, example = OWN_PAGES[kind]
        value = str(ident) if isinstance(example, str) else int(str(ident))
        return f"{_prefix(kind, request.script_root)}{value}"
    if kind == "kecamatan":
        return url_for("places.coverage", kecamatan=str(ident), _anchor=f"k{ident}")
    if kind == "category":
        return url_for("places.coverage", by="category")
    if kind in OTHER_PAGES:
        return f"{request.script_root}{OTHER_PAGES[kind]}{ident}"
    return None


@lru_cache(maxsize=32)
def _prefix(kind: str, _script_root: str) -> str:
    """The route's address up to its identifier, built by ``url_for`` once per mount point: a
    queue page links some eighty people, villages and programs, each a route build."""
    endpoint, argument, example = OWN_PAGES[kind]
    values: dict[str, Any] = {argument: example}
    return url_for(endpoint, **values).removesuffix(str(example))


def template_helpers() -> dict[str, Any]:
    """What every coordinator page's templates may call."""
    return {"page_url": page_url}
