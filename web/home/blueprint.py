"""The home page: the regency at a glance."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from titiktemu.extensions import db
from titiktemu.forum.follow_ups import open_follow_ups
from titiktemu.models import Regency
from titiktemu.places.stats import regency_counts
from web.access import is_partner, login_required, me, my_regency

blueprint = Blueprint("home", __name__)


@blueprint.route("/")
@login_required
def index() -> ResponseReturnValue:
    """My follow-ups from the forum, then counts of villages, programs, people, offers, needs,
    proposals and flags in my regency."""
    if is_partner(me()):
        return redirect(url_for("prospectus.index"))  # a partner's home is the prospectus
    code = my_regency()
    regency = db.session.get(Regency, code) if code else None
    counts = regency_counts(db.session(), regency.code) if regency else None
    return render_template(
        "home/index.html",
        regency=regency,
        counts=counts,
        follow_ups=open_follow_ups(db.session(), me(), dt.date.today()),
    )
