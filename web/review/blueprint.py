"""The review queue: coordinators decide on proposals."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from web.access import coordinator_required

blueprint = Blueprint("review", __name__)


@blueprint.route("/review")
@coordinator_required
def queue() -> ResponseReturnValue:
    """Placeholder until the feature lands."""
    return render_template(
        "placeholder.html", title="The review queue: coordinators decide on proposals."
    )
