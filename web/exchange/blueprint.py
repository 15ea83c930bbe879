"""Offers and needs: what facilitators can give and what they look for."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from web.access import login_required

blueprint = Blueprint("exchange", __name__)


@blueprint.route("/needs")
@login_required
def needs() -> ResponseReturnValue:
    """Placeholder until the feature lands."""
    return render_template(
        "placeholder.html",
        title="Offers and needs: what facilitators can give and what they look for.",
    )
