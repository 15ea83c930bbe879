"""The JSON API under /api/v1: bearer tokens only (never cookies), so it is CSRF-exempt."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

# The operations register themselves on the blueprint when their modules are imported.
from web.api import resources  # noqa: E402, F401
