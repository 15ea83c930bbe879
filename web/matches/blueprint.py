"""My matches: proposals that involve me, the other side, the reasons, and contacts once accepted."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask.typing import ResponseReturnValue

from titiktemu.exchange.facilitator import contact_visible, my_proposal, my_proposals, sides
from titiktemu.extensions import db
from web.access import login_required, me
from web.pages import template_context

blueprint = Blueprint("matches", __name__)
blueprint.context_processor(template_context)


@blueprint.route("/matches")
@login_required
def index() -> ResponseReturnValue:
    """Every live proposal where I own the need or the offer or am the person proposed."""
    person = me()
    proposals = my_proposals(db.session(), person)
    return render_template("matches/index.html", rows=[(p, sides(p, person)) for p in proposals])


@blueprint.route("/matches/<int:proposal_id>")
@login_required
def detail(proposal_id: int) -> ResponseReturnValue:
    """One proposal: what is needed, what meets it, why, and (once accepted) how to reach them."""
    person = me()
    proposal = my_proposal(db.session(), person, proposal_id)
    if proposal is None:
        abort(404)
    return render_template(
        "matches/detail.html",
        proposal=proposal,
        side=sides(proposal, person),
        contact=contact_visible(proposal),
    )
