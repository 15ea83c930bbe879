"""The home page: the regency at a glance."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from titiktemu.extensions import db
from titiktemu.forum.commands import follow_ups_of
from titiktemu.models import Regency
from titiktemu.places.stats import regency_counts
from web.access import login_required, me, my_regency

blueprint = Blueprint("home", __name__)


@blueprint.route("/")
@login_required
def index() -> ResponseReturnValue:
    """My follow-ups from the forum, then counts of villages, programs, people, offers, needs,
    proposals and flags in my regency."""
    code = my_regency()
    regency = db.session.get(Regency, code) if code else None
    counts = regency_counts(db.session(), regency.code) if regency else None
    return render_template(
        "home/index.html",
        regency=regency,
        counts=counts,
        follow_ups=follow_ups_of(db.session(), me()),
    )
