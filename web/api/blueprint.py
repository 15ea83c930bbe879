"""The JSON API under /api/v1: bearer tokens only (never cookies), so it is CSRF-exempt.

Only the blueprint: ``web.api.spec`` routes operations on it and ``web.api.resources`` (which
the app imports) declares them, so nothing here imports back.
"""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")
