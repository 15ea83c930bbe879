"""The home page: the regency at a glance."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from titiktemu.extensions import db
from titiktemu.models import Regency
from titiktemu.places.stats import regency_counts
from web.access import login_required

blueprint = Blueprint("home", __name__)


@blueprint.route("/")
@login_required
def index() -> ResponseReturnValue:
    """Counts of villages, programs, people, offers, needs, proposals and flags in my regency."""
    regency = None
    if current_user.regency_code:
        regency = db.session.get(Regency, current_user.regency_code)
    else:  # a global admin: the first regency that has anything loaded
        regency = db.session.scalars(sa.select(Regency).order_by(Regency.code).limit(1)).first()
    counts = regency_counts(db.session(), regency.code) if regency else None
    return render_template("home/index.html", regency=regency, counts=counts)
