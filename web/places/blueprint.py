"""Coverage: villages against programs and activities; village, program and person pages."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from web.access import login_required

blueprint = Blueprint("places", __name__)


@blueprint.route("/coverage")
@login_required
def coverage() -> ResponseReturnValue:
    """Placeholder until the feature lands."""
    return render_template(
        "placeholder.html",
        title="Coverage: villages against programs and activities; village, program and person pages.",
    )
