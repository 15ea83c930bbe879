"""Where each kind of thing has its page, for cards, lists and the graph view alike.

Needs, offers and interventions live in other blueprints (exchange, interventions); their pages
are addressed by path, which is what the emails and the other blueprints promise.
"""

from __future__ import annotations

from typing import Any

from flask import request, url_for

#: Kinds with a page of their own outside this package: (path prefix).
OTHER_PAGES = {"need": "/needs/", "offer": "/offers/", "intervention": "/interventions/"}


def page_url(kind: str, ident: object) -> str | None:
    """The page of a village, person, program, need, offer, intervention or kecamatan."""
    if kind == "village":
        return url_for("places.village", code=str(ident))
    if kind == "person":
        return url_for("places.person", person_id=int(str(ident)))
    if kind == "program":
        return url_for("places.program", program_id=int(str(ident)))
    if kind == "kecamatan":
        return url_for("places.coverage", kecamatan=str(ident), _anchor=f"k{ident}")
    if kind == "category":
        return url_for("places.coverage", by="category")
    if kind in OTHER_PAGES:
        return f"{request.script_root}{OTHER_PAGES[kind]}{ident}"
    return None


def template_helpers() -> dict[str, Any]:
    """What every coordinator page's templates may call."""
    return {"page_url": page_url}
