"""Regency administration: rebuild, jobs, failed emails, invitations."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from web.access import coordinator_required

blueprint = Blueprint("admin", __name__)


@blueprint.route("/admin")
@coordinator_required
def index() -> ResponseReturnValue:
    """Placeholder until the feature lands."""
    return render_template(
        "placeholder.html",
        title="Regency administration: rebuild, jobs, failed emails, invitations.",
    )
