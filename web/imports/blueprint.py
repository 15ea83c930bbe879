"""Spreadsheet upload: check (dry run), then apply; templates to fill in."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("imports", __name__)
