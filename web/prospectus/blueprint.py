"""The prospectus (``/prospectus``): gaps, the programs' work and their accepted synergies, per
kecamatan, for partners (donors, CSR, Baznas) and the regency's own people; a partner also finds
their offers here. ``/prospectus/<regency>`` serves it to anyone once the regency's coordinators
switch it on."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from titiktemu.exchange.facilitator import match_counts, my_offers
from titiktemu.extensions import db
from titiktemu.models import Person, Proposal, Regency
from titiktemu.prospectus import build as prospectus
from titiktemu.prospectus.commands import set_public
from web.access import (
    coordinator_required,
    is_coordinator,
    is_partner,
    login_required,
    me,
    my_regency,
)
from web.pages import lang, template_context
from web.params import year_arg

blueprint = Blueprint("prospectus", __name__)
blueprint.context_processor(template_context)


@blueprint.route("/prospectus")
@login_required
def index() -> ResponseReturnValue:
    """My regency's prospectus; a partner's offers under it, a coordinator's public switch."""
    person = me()
    code = my_regency()
    if not code:
        abort(404)
    report = prospectus.build(db.session(), code, year_arg(), lang())
    return _page(report, person)


@blueprint.route("/prospectus/public", methods=["POST"])
@coordinator_required
def publish() -> ResponseReturnValue:
    """Switch the public prospectus on (``public=1``) or off (anything else)."""
    public = request.form.get("public") == "1"
    if set_public(db.session(), me(), my_regency(), public):
        db.session.commit()
    flash(
        _("Anyone with the link can now read the prospectus.")
        if public
        else _("The prospectus is for signed-in people only again."),
        "info",
    )
    return redirect(url_for(".index"))


@blueprint.route("/prospectus/<regency_code>")
def public(regency_code: str) -> ResponseReturnValue:
    """The read-only prospectus for anyone, while the regency has it switched on (else 404)."""
    regency = db.session.get(Regency, regency_code)
    if regency is None or not prospectus.is_public(db.session(), regency.code):
        abort(404)
    report = prospectus.build(db.session(), regency.code, year_arg(), lang())
    return _page(report, None)


def _page(report: prospectus.Prospectus, person: Person | None) -> str:
    """The prospectus page: for ``person`` signed in (a partner's offers under it, a
    coordinator's public switch), or read-only for anyone (``None``)."""
    partner = person is not None and is_partner(person)
    return render_template(
        "prospectus/index.html",
        report=report,
        chosen=_chosen(report),
        public_view=person is None,
        partner=partner,
        offers=my_offers(db.session(), person) if person is not None and partner else [],
        offer_matches=match_counts(db.session(), Proposal.offer_id) if partner else {},
        coordinator=person is not None and is_coordinator(person),
    )


def _chosen(report: prospectus.Prospectus) -> prospectus.KecamatanProspect | None:
    """The kecamatan shown in full: ``?kecamatan=``, else the first (the most open needs)."""
    wanted = request.args.get("kecamatan")
    return next((k for k in report.kecamatan if k.code == wanted), None) or next(
        iter(report.kecamatan), None
    )
