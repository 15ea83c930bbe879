"""Overlap flags: interventions colliding in one village and period."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from web.access import coordinator_required

blueprint = Blueprint("overlaps", __name__)


@blueprint.route("/overlaps")
@coordinator_required
def index() -> ResponseReturnValue:
    """Placeholder until the feature lands."""
    return render_template(
        "placeholder.html",
        title="Overlap flags: interventions colliding in one village and period.",
    )
