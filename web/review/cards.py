"""The review queue's cards, rendered once per worker process for what they show.

A card is the same HTML for every coordinator who opens it until something on it changes, and
rendering fifteen of them (both sides, the reasons, the decision form) was a third of the
queue's time. The key is everything the card shows (``Card.content``: the values the page read
anyway), with the reader's language, the days it has waited and whether it is overdue: a change
to any of it is another key, so a stale card cannot be served. The two things that differ per
request, the CSRF token and the address to come back to, are marks in the cached HTML that
``fill`` replaces in the finished page.

Written here rather than taken from Flask-Caching: its template tag keys by names the template
lists, and knowing what a card shows is the whole of this module's job.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from titiktemu.lru import Lru
from titiktemu.review.cards import Card
from titiktemu.review.queue import is_overdue

#: Cards kept per process: a regency's first pages under any filter, a few MB of HTML.
KEPT = 2048
#: Stand-ins for the per-request values; random per process, so no text anyone typed (escaped
#: on the way in) can be taken for one.
_NONCE = secrets.token_hex(8)
CSRF_MARK = f"csrf-{_NONCE}"
HERE_MARK = f"here-{_NONCE}"


class CardCache(Lru[Markup]):
    """Rendered cards by key, the least recently shown dropped first; safe across threads."""

    def __init__(self, kept: int = KEPT) -> None:
        super().__init__(kept)


@dataclass
class QueueCards:
    """One page's view of the cache: what keys a card, for the template's ``get``/``put``."""

    cache: CardCache
    #: The reader's language, the taxonomy labels' fingerprint, the app's script root.
    context: tuple[Hashable, ...]
    village_names: Mapping[str, str]
    now: dt.datetime
    cutoff: dt.datetime
    _keys: dict[int, Hashable] = field(default_factory=dict)

    def key(self, p: Card) -> Hashable:
        found = self._keys.get(p.id)
        if found is None:
            found = self._keys[p.id] = (
                *self.context,
                (self.now - p.created_at).days,
                is_overdue(p, self.cutoff),
                p.content,
                # A synergy's villages by name (the page reads the names for all its cards).
                tuple(self.village_names.get(code, code) for code in p.village_codes),
            )
        return found

    def get(self, p: Card) -> Markup | None:
        return self.cache.get(self.key(p))

    def put(self, p: Card, html: Markup) -> Markup:
        return self.cache.put(self.key(p), html)


def fill(html: str, csrf_token: str, here: str) -> str:
    """The finished page with this request's CSRF token and return address in the cards."""
    return html.replace(CSRF_MARK, csrf_token).replace(HERE_MARK, str(escape(here)))
