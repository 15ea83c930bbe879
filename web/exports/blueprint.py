"""Downloads: CSV/XLSX tables, the sync report, IATI XML and HXL CSV."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("exports", __name__)
