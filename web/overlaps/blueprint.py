"""Overlap flags: interventions of different programs colliding in one village and period."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from titiktemu.beneficiaries import views
from titiktemu.decisions import AlreadyDecided
from titiktemu.extensions import db
from titiktemu.models import FlagStatus, OverlapFlag, Village
from titiktemu.overlaps import review as overlap_review
from titiktemu.overlaps.review import FlagError
from web.access import coordinator_required, me, my_regency
from web.decisions import already_decided_text
from web.overlaps.forms import FlagActionForm
from web.params import arg_int, link_args
from web.places.links import template_helpers

blueprint = Blueprint("overlaps", __name__)
blueprint.context_processor(template_helpers)

#: The list's status filter: what each choice shows.
SHOW = {
    "open": overlap_review.UNRESOLVED,
    "resolved": (FlagStatus.RESOLVED,),
    "allowed": (FlagStatus.ALLOWED,),
    "all": tuple(FlagStatus),
}


@blueprint.route("/overlaps")
@coordinator_required
def index() -> ResponseReturnValue:
    """My regency's overlap flags, unresolved first and most severe first."""
    show = request.args.get("show", "open")
    if show not in SHOW:
        show = "open"
    result = overlap_review.flags_of(
        db.session(), my_regency(), SHOW[show], page=arg_int("page", 1, low=1)
    )
    return render_template(
        "overlaps/index.html",
        flags=result.items,
        result=result,
        show=show,
        args=link_args("page"),
        villages=result.villages,
        level=overlap_review.severity_level,
    )


def _visible_or_404(flag_id: int) -> OverlapFlag:
    flag = overlap_review.visible_flag(db.session(), me(), flag_id)
    if flag is None:
        abort(404)
    return flag


@blueprint.route("/overlaps/<int:flag_id>")
@coordinator_required
def detail(flag_id: int) -> ResponseReturnValue:
    """One flag: its interventions side by side, how severe and why, and what to do."""
    flag = _visible_or_404(flag_id)
    return _detail(flag, FlagActionForm(formdata=None))


def _detail(flag: OverlapFlag, form: FlagActionForm, status: int = 200) -> ResponseReturnValue:
    return (
        render_template(
            "overlaps/detail.html",
            flag=flag,
            form=form,
            village=db.session.get(Village, flag.village_code),
            level=overlap_review.severity_level(flag.severity),
            is_open=flag.status in overlap_review.UNRESOLVED,
            pairs=len(overlap_review.program_pairs(flag)),
            households=_households(flag),
        ),
        status,
    )


def _households(flag: OverlapFlag) -> list[views.Evidence]:
    """The beneficiary lists' evidence of the flag: households both programs serve there."""
    evidence = views.household_evidence(db.session(), me(), flag)
    if evidence:
        db.session.commit()  # the view of links is audited
    return evidence


@blueprint.route("/overlaps/<int:flag_id>/decide", methods=["POST"])
@coordinator_required
def decide(flag_id: int) -> ResponseReturnValue:
    """Acknowledge, resolve with a note, or allow the combination (and rebuild the regency)."""
    flag = _visible_or_404(flag_id)
    form = FlagActionForm()
    if not form.validate():
        return _detail(flag, form, 400)
    note = form.note.data or ""
    session = db.session()
    try:
        if form.action.data == "acknowledge":
            overlap_review.acknowledge(session, me(), flag.id, note)
            message = _("Acknowledged.")
        elif form.action.data == "resolve":
            overlap_review.resolve(session, me(), flag.id, note)
            message = _("Resolved.")
        else:
            overlap_review.allow(session, me(), flag.id, note)
            message = _(
                "Allowed: these programs may work together in this regency. "
                "The regency is being rebuilt."
            )
    except AlreadyDecided as exc:  # someone decided first: say who, show what they decided
        session.rollback()
        flash(already_decided_text(exc), "error")
        return _detail(flag, FlagActionForm(formdata=None), 409)
    except FlagError:
        session.rollback()
        flash(_("This flag was already decided."), "error")
        return redirect(url_for("overlaps.detail", flag_id=flag_id))
    session.commit()  # an "allowed" rebuild runs now (embedded) or on the worker
    flash(message, "info")
    return redirect(url_for("overlaps.detail", flag_id=flag_id))
