"""My profile: programs, villages, skills, language and notifications."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from web.access import login_required

blueprint = Blueprint("profile", __name__)


@blueprint.route("/profile")
@login_required
def edit() -> ResponseReturnValue:
    """Placeholder until the feature lands."""
    return render_template(
        "placeholder.html",
        title="My profile: programs, villages, skills, language and notifications.",
    )
