"""Offers and needs: what facilitators can give and what they look for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from titiktemu.accounts.profile import (
    kecamatan_of,
    regency_places,
    skill_groups,
    villages_by_code,
    villages_in,
)
from titiktemu.decisions import AlreadyDecided
from titiktemu.exchange.commands import (
    NeedInput,
    OfferInput,
    StatusError,
    access_of,
    change_status,
    find,
    save_need,
    save_offer,
)
from titiktemu.exchange.facilitator import (
    Access,
    gap_of,
    match_counts,
    my_needs,
    my_offers,
    proposals_of,
)
from titiktemu.extensions import db
from titiktemu.interventions.similar import Similar, similar_needs
from titiktemu.models import Kecamatan, Need, Offer, Proposal, Village
from web.access import is_partner, login_required, me, my_regency
from web.decisions import already_decided_text
from web.exchange.forms import NeedForm, OfferForm
from web.fields import choices, values
from web.obstacles.warnings import obstacle_warnings, obstacle_warnings_for_places
from web.pages import (
    commit_or_show_errors,
    place_choices,
    skill_choices,
    template_context,
)
from web.params import arg_int
from web.submissions import created, first_result

blueprint = Blueprint("exchange", __name__)
blueprint.context_processor(template_context)

NEED_FIELDS = {"village": "area"}
OFFER_FIELDS: dict[str, str] = {}


@blueprint.route("/needs")
@login_required
def needs() -> ResponseReturnValue:
    """My needs and my offers, with their status and how many matches each has."""
    person = me()
    return render_template(
        "exchange/index.html",
        needs=my_needs(db.session(), person),
        offers=my_offers(db.session(), person),
        need_matches=match_counts(db.session(), Proposal.need_id),
        offer_matches=match_counts(db.session(), Proposal.offer_id),
    )


@blueprint.route("/offers")
@login_required
def offers() -> ResponseReturnValue:
    """Offers are listed with the needs (a partner's, under the prospectus)."""
    if is_partner(me()):
        return redirect(url_for("prospectus.index", _anchor="offers"))
    return redirect(url_for(".needs", _anchor="offers"))


# Needs -----------------------------------------------------------------------------------------


def _need_or_404(need_id: int, want: Access = Access.READ) -> tuple[Need, Access]:
    """The command's ``find``: its refusal is the 404 (or 403) page (web/app.py ``_refused``)."""
    need = find(db.session(), me(), Need, need_id, want)
    return need, access_of(me(), need)


@blueprint.route("/needs/new", methods=["GET", "POST"])
@login_required
def new_need() -> ResponseReturnValue:
    """Post a need; "check for similar" lists open needs nearby that look alike, saving nothing."""
    return _need_page(None)


@blueprint.route("/needs/<int:need_id>/edit", methods=["GET", "POST"])
@login_required
def edit_need(need_id: int) -> ResponseReturnValue:
    """Change one of my needs; matching runs again."""
    need, _access = _need_or_404(need_id, Access.EDIT)
    return _need_page(need)


def _need_page(need: Need | None) -> ResponseReturnValue:
    person = me()
    regency = my_regency()
    groups = skill_groups(db.session())
    places = regency_places(db.session(), regency)
    form = NeedForm()
    form.skills.choices = skill_choices(groups)
    form.area.choices = place_choices(places, whole_kecamatan=True)
    if request.method == "GET":
        if need is not None:
            form.title.data, form.description.data = need.title, need.description
            form.skills.data = [s.code for s in need.skills]
            form.area.data = need.village_code or need.kecamatan_code
            form.needed_from.data, form.needed_until.data = need.needed_from, need.needed_until
        else:
            form.area.data = person.home_village_code or ""
    similar: list[Similar] | None = None
    status = 200
    if request.method == "POST" and request.form.get("action") == "check":
        similar = _similar_needs(form, need)
    elif form.validate_on_submit():
        area = form.area.data or ""
        is_village = len(area) > len("33.10.01")
        data = NeedInput(
            title=form.title.data or "",
            skills=list(form.skills.data or []),
            village_code=area if is_village else None,
            kecamatan_code=None if is_village else area,
            needed_from=form.needed_from.data,
            needed_until=form.needed_until.data,
            description=form.description.data or "",
        )
        saved = _saved(
            form,
            "need",
            need,
            NEED_FIELDS,
            lambda: save_need(db.session(), person, data, need, regency=regency),
        )
        if saved is not None:  # the match job runs now that this is committed
            flash(_("Your need is saved. We are looking for matches now."), "info")
            return redirect(url_for(".need", need_id=saved))
    if request.method == "POST" and similar is None:
        status = 400
    return (
        render_template(
            "exchange/need_form.html",
            form=form,
            need=need,
            groups=groups,
            places=places,
            mine=person.villages,
            similar=similar,
            obstacles=obstacle_warnings(
                form.area.data if form.area.data in values(form.area) else None
            ),
        ),
        status,
    )


def _saved(
    form: NeedForm | OfferForm,
    kind: str,
    item: Need | Offer | None,
    fields: dict[str, str],
    save: Callable[[], Need | Offer],
) -> int | None:
    """Save through the command and commit: the id saved, or None with its field errors shown
    in the form. A double tap on Save of a new one gets the id the first tap made."""
    key = form.submission_key.posted if item is None else None
    first = first_result(key, kind)
    if first is not None:
        return first
    return commit_or_show_errors(form, fields, lambda: created(key, save()).id)


def _similar_needs(form: NeedForm, need: Need | None) -> list[Similar]:
    area = form.area.data or ""
    if not area or area not in values(form.area):
        form.area.errors = [_("Choose a village or a kecamatan to look for similar needs.")]
        return []
    skills = values(form.skills)
    return similar_needs(
        db.session(),
        title=form.title.data or "",
        kecamatan_code=area[:8],
        village_code=area if len(area) > 8 else None,
        skills=[s for s in form.skills.data or [] if s in skills],
        exclude_id=need.id if need else None,
    )


@blueprint.route("/similar/needs")
@login_required
def similar_needs_fragment() -> ResponseReturnValue:
    """The "similar open needs" list as an HTML fragment, for similar.js while someone types."""
    regency = my_regency()
    code = (
        request.args.get("village") or request.args.get("area") or request.args.get("kecamatan")
    ) or ""
    hits: list[Similar] = []
    title = request.args.get("title", "")[:200]
    known = db.session.get(Village, code) or db.session.get(Kecamatan, code) if code else None
    if known is not None and code.startswith(regency + "."):
        hits = similar_needs(
            db.session(),
            title=title,
            kecamatan_code=code[:8],
            village_code=code if len(code) > 8 else None,
            skills=request.args.getlist("skills")[:40],
            exclude_id=arg_int("exclude"),
        )
    checked = known is not None and bool(title.strip() or request.args.getlist("skills"))
    answer = render_template(
        "exchange/_similar.html",
        similar=hits,
        checked=checked,
        what="needs",
        obstacles=obstacle_warnings(code) if known is not None else [],
    )
    return answer, 200, {"Cache-Control": "no-store"}


@blueprint.route("/needs/<int:need_id>")
@login_required
def need(need_id: int) -> ResponseReturnValue:
    """One need: what, where, when, its status and what matching found for it."""
    item, access = _need_or_404(need_id)
    return _need_detail(item, access)


def _need_detail(item: Need, access: Access, status: int = 200) -> ResponseReturnValue:
    return (
        render_template(
            "exchange/need.html",
            need=item,
            can_edit=access == Access.EDIT,
            proposals=proposals_of(db.session(), need_id=item.id) if access == Access.EDIT else [],
            gap=gap_of(db.session(), item.id),
            today=dt.date.today(),
        ),
        status,
    )


@blueprint.route("/needs/<int:need_id>/<any(withdraw, fulfilled, reopen):action>", methods=["POST"])
@login_required
def need_status(need_id: int, action: str) -> ResponseReturnValue:
    """Withdraw, mark fulfilled or reopen one of my needs (409 when that can no longer be done)."""
    item, access = _need_or_404(need_id, Access.EDIT)
    if not _change_status(item, action):
        return _need_detail(item, access, 409)
    return redirect(url_for(".need", need_id=item.id))


def _change_status(item: Need | Offer, action: str) -> bool:
    """Through the command; False, with the reason flashed, when the state refused it (other
    refusals are the error page of their kind)."""
    try:
        change_status(db.session(), me(), item, action)
    except AlreadyDecided as exc:
        db.session.rollback()
        flash(already_decided_text(exc), "error")
        return False
    except StatusError:
        db.session.rollback()
        flash(_("The end date has passed: change the dates first, then reopen."), "error")
        return False
    db.session.commit()  # matching retires or renews its proposals after this
    messages = {
        "withdraw": _("Withdrawn. Its suggested matches are withdrawn too."),
        "fulfilled": _("Marked as fulfilled. Thank you for letting us know."),
        "reopen": _("Open again. We are looking for matches now."),
    }
    flash(messages[action], "info")
    return True


# Offers ----------------------------------------------------------------------------------------


def _offer_or_404(offer_id: int, want: Access = Access.READ) -> tuple[Offer, Access]:
    offer = find(db.session(), me(), Offer, offer_id, want)
    return offer, access_of(me(), offer)


@blueprint.route("/offers/new", methods=["GET", "POST"])
@login_required
def new_offer() -> ResponseReturnValue:
    """Offer a skill, data or a resource in some villages or whole kecamatan."""
    return _offer_page(None)


@blueprint.route("/offers/<int:offer_id>/edit", methods=["GET", "POST"])
@login_required
def edit_offer(offer_id: int) -> ResponseReturnValue:
    """Change one of my offers; matching runs again."""
    offer, _access = _offer_or_404(offer_id, Access.EDIT)
    return _offer_page(offer)


def _offer_page(offer: Offer | None) -> ResponseReturnValue:
    person = me()
    regency = my_regency()
    groups = skill_groups(db.session())
    places = regency_places(db.session(), regency)
    kecamatan = kecamatan_of(db.session(), regency)
    form = OfferForm()
    form.skills.choices = skill_choices(groups)
    form.kecamatan.choices = choices((k.code, k.name) for k in kecamatan)
    form.villages.choices = place_choices(places, whole_kecamatan=False, empty=False)
    form.browse.choices = choices([("", ""), *((k.code, k.name) for k in kecamatan)])
    if request.method == "GET":
        if offer is not None:
            form.title.data, form.description.data = offer.title, offer.description
            form.skills.data = [s.code for s in offer.skills]
            form.kecamatan.data = [k.code for k in offer.kecamatan]
            form.villages.data = [v.code for v in offer.villages]
            form.available_from.data = offer.available_from
            form.available_until.data = offer.available_until
            form.capacity.data = offer.capacity
        else:
            form.villages.data = [v.code for v in person.villages]
    status = 200
    browsing = request.method == "POST" and request.form.get("action") == "browse"
    if not browsing and form.validate_on_submit():
        data = OfferInput(
            title=form.title.data or "",
            skills=list(form.skills.data or []),
            village_codes=list(form.villages.data or []),
            kecamatan_codes=list(form.kecamatan.data or []),
            available_from=form.available_from.data,
            available_until=form.available_until.data,
            capacity=form.capacity.data or 1,
            description=form.description.data or "",
        )
        saved = _saved(
            form,
            "offer",
            offer,
            OFFER_FIELDS,
            lambda: save_offer(db.session(), person, data, offer, regency=regency),
        )
        if saved is not None:  # the match job runs now that this is committed
            flash(_("Your offer is saved. We are looking for matches now."), "info")
            return redirect(url_for(".offer", offer_id=saved))
    if request.method == "POST" and not browsing:
        status = 400
    valid = values(form.villages)
    chosen = [c for c in form.villages.data or [] if c in valid]
    shown = {v.code: v for v in villages_by_code(db.session(), [v.code for v in person.villages])}
    shown.update({v.code: v for v in villages_by_code(db.session(), chosen)})
    browse = form.browse.data or ""
    listed = villages_in(db.session(), regency, browse) if browsing and browse else []
    return (
        render_template(
            "exchange/offer_form.html",
            form=form,
            offer=offer,
            groups=groups,
            kecamatan=kecamatan,
            shown=sorted(shown.values(), key=lambda v: (v.name, v.code)),
            listed=[v for v in listed if v.code not in shown],
            chosen=set(chosen),
            browse_name=next((k.name for k in kecamatan if k.code == browse), ""),
            obstacles=obstacle_warnings_for_places([*(form.kecamatan.data or []), *chosen][:20]),
        ),
        status,
    )


@blueprint.route("/offers/<int:offer_id>")
@login_required
def offer(offer_id: int) -> ResponseReturnValue:
    """One offer: what, where, when, capacity, its status and its matches."""
    item, access = _offer_or_404(offer_id)
    return _offer_detail(item, access)


def _offer_detail(item: Offer, access: Access, status: int = 200) -> ResponseReturnValue:
    return (
        render_template(
            "exchange/offer.html",
            offer=item,
            can_edit=access == Access.EDIT,
            proposals=proposals_of(db.session(), offer_id=item.id) if access == Access.EDIT else [],
            today=dt.date.today(),
        ),
        status,
    )


@blueprint.route(
    "/offers/<int:offer_id>/<any(withdraw, fulfilled, reopen):action>", methods=["POST"]
)
@login_required
def offer_status(offer_id: int, action: str) -> ResponseReturnValue:
    """Withdraw, mark fulfilled or reopen one of my offers (409 when that can no longer be done)."""
    item, access = _offer_or_404(offer_id, Access.EDIT)
    if not _change_status(item, action):
        return _offer_detail(item, access, 409)
    return redirect(url_for(".offer", offer_id=item.id))
