"""Interventions (3W): what my program does where and when, and the overlaps that touch it."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from titiktemu.accounts.profile import kecamatan_of, regency_places
from titiktemu.exchange.facilitator import (
    Access,
    access_to,
    flag_counts,
    flags_touching,
    my_interventions,
    regency_interventions,
    severity_level,
)
from titiktemu.extensions import db
from titiktemu.interventions.commands import (
    DuplicateIntervention,
    InterventionInput,
    record_intervention,
    recordable_programs,
)
from titiktemu.interventions.similar import Draft, InterventionCheck, check_intervention_draft
from titiktemu.models import ActivityCategory, Intervention, Village
from web.access import is_coordinator, login_required, me, my_regency
from web.fields import choices, parse_amount, values
from web.interventions.forms import InterventionForm
from web.obstacles.warnings import obstacle_warnings
from web.pages import (
    commit_or_show_errors,
    label,
    place_choices,
    row_or_404,
    template_context,
)
from web.params import arg_int
from web.submissions import created, first_result

blueprint = Blueprint("interventions", __name__)
blueprint.context_processor(template_context)

FIELDS = {"activity": "category", "budget_idr": "budget"}
PER_PAGE = 25


@blueprint.route("/interventions")
@login_required
def index() -> ResponseReturnValue:
    """My interventions; a coordinator also pages through all of the regency's."""
    person = me()
    mine = my_interventions(db.session(), person)
    regency_rows: list[Intervention] = []
    total, page, pages = 0, 1, 1
    kecamatan = []
    chosen = request.args.get("kecamatan", "")
    if is_coordinator(person):
        regency = my_regency()
        kecamatan = kecamatan_of(db.session(), regency)
        if chosen not in {k.code for k in kecamatan}:
            chosen = ""
        page = arg_int("page", 1, low=1)
        regency_rows, total = regency_interventions(
            db.session(), person, regency, chosen or None, page, PER_PAGE
        )
        pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    flags = flag_counts(db.session(), [i.id for i in [*mine, *regency_rows]])
    return render_template(
        "interventions/index.html",
        mine=mine,
        regency_rows=regency_rows,
        coordinator=is_coordinator(person),
        kecamatan=kecamatan,
        chosen=chosen,
        total=total,
        page=page,
        pages=pages,
        flags=flags,
    )


def _intervention_or_404(item_id: int, want: Access = Access.READ) -> tuple[Intervention, Access]:
    return row_or_404(
        Intervention,
        item_id,
        want,
        lambda item: item.facilitator_id,
        lambda item: item.regency_code,
    )


@blueprint.route("/interventions/new", methods=["GET", "POST"])
@login_required
def new() -> ResponseReturnValue:
    """Record an intervention of one of my programs; overlaps are checked once it is saved."""
    return _form_page(None)


@blueprint.route("/interventions/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit(item_id: int) -> ResponseReturnValue:
    """Change an intervention I recorded; overlaps are checked again."""
    item, _access = _intervention_or_404(item_id, Access.EDIT)
    return _form_page(item)


def _form_page(item: Intervention | None) -> ResponseReturnValue:
    person = me()
    regency = my_regency()
    programs = recordable_programs(db.session(), person, item)
    if not programs:
        return render_template("interventions/no_program.html"), 200
    places = regency_places(db.session(), regency)
    categories = list(
        db.session.scalars(sa.select(ActivityCategory).order_by(ActivityCategory.code))
    )
    form = InterventionForm()
    form.program.choices = choices((p.id, f"{p.code} – {p.name}") for p in programs)
    form.village.choices = place_choices(places, whole_kecamatan=False)
    form.category.choices = choices([("", ""), *((c.code, label(c)) for c in categories)])
    if request.method == "GET":
        if item is not None:
            form.program.data, form.village.data = item.program_id, item.village_code
            form.category.data, form.title.data = item.category_code, item.title
            form.start_date.data, form.end_date.data = item.start_date, item.end_date
            form.households.data, form.budget.data = item.households, item.budget_idr
        else:
            form.program.data = programs[0].id
            form.village.data = person.home_village_code or ""
    check: InterventionCheck | None = None
    duplicate: Intervention | None = None
    status = 200
    if request.method == "POST" and request.form.get("action") == "check":
        check = _check(form, item)
    elif form.validate_on_submit():
        assert form.start_date.data is not None and form.end_date.data is not None
        data = InterventionInput(
            program_id=form.program.data,
            village_code=form.village.data or "",
            category_code=form.category.data or "",
            title=form.title.data or "",
            start_date=form.start_date.data,
            end_date=form.end_date.data,
            households=form.households.data,
            budget_idr=form.budget.data,
        )
        key = form.submission_key.posted if item is None else None
        first = first_result(key, "intervention")  # a double tap on Save: what the first made
        try:
            saved = (
                first
                if first is not None
                else commit_or_show_errors(
                    form,
                    FIELDS,
                    lambda: (
                        created(
                            key,
                            record_intervention(db.session(), person, data, item, regency=regency),
                        ).id
                    ),
                )
            )
        except DuplicateIntervention as exc:
            db.session.rollback()  # nothing is saved: the key is free for the corrected form
            duplicate = exc.existing
            form.start_date.errors = [
                *form.start_date.errors,
                _(
                    "This program already records this activity in this village starting on "
                    "this date. Change the date or edit the one already recorded."
                ),
            ]
        else:
            if saved is not None:  # the overlap check runs now that this is committed
                flash(_("The intervention is saved. We are checking it for overlaps now."), "info")
                return redirect(url_for(".detail", item_id=saved))
    if request.method == "POST" and check is None:
        status = 400
    duplicate_visible = duplicate is not None and (
        access_to(person, duplicate.facilitator_id, duplicate.regency_code) > Access.NONE
    )
    return (
        render_template(
            "interventions/form.html",
            form=form,
            item=item,
            places=places,
            categories=categories,
            mine=person.villages,
            similar=check.similar if check is not None else None,
            overlap=check.flag if check is not None else None,
            duplicate=duplicate if duplicate_visible else None,
            obstacles=obstacle_warnings(
                form.village.data if form.village.data in values(form.village) else None,
                form.category.data if form.category.data in values(form.category) else None,
            ),
        ),
        status,
    )


def _check(form: InterventionForm, item: Intervention | None) -> InterventionCheck:
    village = form.village.data or ""
    if not village or village not in values(form.village):
        form.village.errors = [_("Choose a village to look for similar interventions.")]
        return InterventionCheck(flag=None, similar=[])
    category = form.category.data or None
    draft = Draft(
        program_id=form.program.data if form.program.data in values(form.program) else None,
        village_code=village,
        category_code=category if category in values(form.category) else None,
        start=form.start_date.data,
        end=form.end_date.data,
        title=form.title.data or "",
        households=form.households.data,
        budget_idr=form.budget.data,
        id=item.id if item else None,
    )
    return check_intervention_draft(db.session(), draft, today=dt.date.today())


def _amount(text: str | None) -> int | None:
    """A whole number as people type it ("Rp 150.000.000"), or None."""
    try:
        return parse_amount(text) if text else None
    except ValueError:
        return None


def _day(text: str | None) -> dt.date | None:
    """A date from the form's date inputs (year-month-day), or None."""
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@blueprint.route("/similar/interventions")
@login_required
def similar() -> ResponseReturnValue:
    """Similar interventions nearby as an HTML fragment, for similar.js while someone types."""
    code = request.args.get("village", "")
    title = request.args.get("title", "")[:200]
    category = request.args.get("category") or None
    check = InterventionCheck(flag=None, similar=[])
    known = code.startswith(my_regency() + ".") and db.session.get(Village, code) is not None
    if known:
        draft = Draft(
            program_id=arg_int("program"),
            village_code=code,
            category_code=category,
            start=_day(request.args.get("start_date")),
            end=_day(request.args.get("end_date")),
            title=title,
            households=_amount(request.args.get("households")),
            budget_idr=_amount(request.args.get("budget")),
            id=arg_int("exclude"),
        )
        check = check_intervention_draft(db.session(), draft, today=dt.date.today())
    checked = known and bool(title.strip() or category)
    answer = render_template(
        "exchange/_similar.html",
        similar=check.similar,
        overlap=check.flag,
        checked=checked,
        what="interventions",
        obstacles=obstacle_warnings(code, category) if known else [],
    )
    return answer, 200, {"Cache-Control": "no-store"}


@blueprint.route("/interventions/<int:item_id>")
@login_required
def detail(item_id: int) -> ResponseReturnValue:
    """One intervention and the overlap flags that touch it, with their reasons."""
    item, access = _intervention_or_404(item_id)
    flags = flags_touching(db.session(), item.id)
    return render_template(
        "interventions/detail.html",
        item=item,
        can_edit=access == Access.EDIT,
        flags=[(f, severity_level(f.severity)) for f in flags],
    )
