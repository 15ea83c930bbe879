"""Interventions (3W): what my program does where and when."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from web.access import login_required

blueprint = Blueprint("interventions", __name__)


@blueprint.route("/interventions")
@login_required
def index() -> ResponseReturnValue:
    """Placeholder until the feature lands."""
    return render_template(
        "placeholder.html", title="Interventions (3W): what my program does where and when."
    )
