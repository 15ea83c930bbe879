"""The JSON API under /api/v1 (skeleton: routes are added by the API work)."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")
