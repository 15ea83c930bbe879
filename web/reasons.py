"""A stored reason in the page reader's words: the one renderer, in the request's language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import get_locale

from titiktemu.extensions import db
from titiktemu.i18n import language
from titiktemu.matching.reason_text import labels_for, render_reason


def reason_text(reason: Mapping[str, Any] | None) -> str:
    """The reason in the UI language; "" for a reason that says nothing (templates skip it)."""
    return render_reason(reason, language(get_locale()), labels_for(db.session()))


def reason_lines(
    reasons: Iterable[Mapping[str, Any] | None],
) -> list[tuple[str, Mapping[str, Any]]]:
    """Each reason that says something, with its words: a card's list rendered in one call, the
    language and labels looked up once (the review queue renders some 80 on a page)."""
    lang, labels = language(get_locale()), labels_for(db.session())
    lines = []
    for reason in reasons:
        text = render_reason(reason, lang, labels)
        if text and reason is not None:
            lines.append((text, reason))
    return lines
