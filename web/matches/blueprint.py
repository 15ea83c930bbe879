"""My matches: proposals that involve me."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from web.access import login_required

blueprint = Blueprint("matches", __name__)


@blueprint.route("/matches")
@login_required
def index() -> ResponseReturnValue:
    """Placeholder until the feature lands."""
    return render_template("placeholder.html", title="My matches: proposals that involve me.")
