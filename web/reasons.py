"""A stored reason in the page reader's words: the one renderer, in the request's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import get_locale

from titiktemu.extensions import db
from titiktemu.i18n import language
from titiktemu.matching.reason_text import labels_for, render_reason


def reason_text(reason: Mapping[str, Any] | None) -> str:
    """The reason in the UI language; "" for a reason that says nothing (templates skip it)."""
    return render_reason(reason, language(get_locale()), labels_for(db.session()))
