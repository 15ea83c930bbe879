"""Admin forms: nothing but the CSRF token, so a rebuild is never triggered by a foreign page."""

from __future__ import annotations

from flask_wtf import FlaskForm


class RebuildForm(FlaskForm):
    """Rebuild my regency now."""
