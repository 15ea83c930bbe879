"""Obstacles (kendala) and lessons (pelajaran): record one, see the regency's, write the lesson."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from titiktemu.accounts.profile import regency_places
from titiktemu.errors import NotFound
from titiktemu.extensions import db
from titiktemu.models import Intervention, ObstacleStatus, Program
from titiktemu.obstacles import commands
from titiktemu.places.coverage import kecamatan_of
from web.access import is_coordinator, login_required, me, my_regency
from web.obstacles.forms import KIND_LABELS, LessonForm, ObstacleForm
from web.pages import commit_or_show_errors, place_choices
from web.params import arg_int
from web.submissions import created, first_result

blueprint = Blueprint("obstacles", __name__)

FIELDS = {
    "kind": "kind",
    "description": "description",
    "village_code": "village",
    "happened_on": "happened_on",
}


@blueprint.route("/obstacles")
@login_required
def index() -> ResponseReturnValue:
    """The regency's obstacles, newest first, by kind, kecamatan, program and status."""
    regency = my_regency()
    filters = commands.Filters(
        kind=request.args.get("kind") if request.args.get("kind") in KIND_LABELS else None,
        kecamatan=request.args.get("kecamatan") or None,
        program_id=arg_int("program"),
        status=request.args.get("status")
        if request.args.get("status") in ("open", "resolved")
        else None,
    )
    return render_template(
        "obstacles/index.html",
        obstacles=commands.obstacles_of(db.session(), regency, filters),
        tallies=commands.tallies(db.session(), regency) if is_coordinator(me()) else None,
        kinds=KIND_LABELS,
        kecamatan=kecamatan_of(db.session(), regency),
        filters=filters,
    )


@blueprint.route("/obstacles/new", methods=["GET", "POST"])
@login_required
def new() -> ResponseReturnValue:
    """Record an obstacle on an intervention (``?intervention=``) or in a village."""
    person, regency = me(), my_regency()
    form = ObstacleForm()
    places = regency_places(db.session(), regency)
    form.village.choices = place_choices(places, whole_kecamatan=False)
    intervention = None
    posted = str(form.intervention.data or "")
    wanted = arg_int("intervention") or (int(posted) if posted.isdigit() else None)
    if wanted is not None:
        intervention = db.session.get(Intervention, wanted)
        if intervention is None or intervention.regency_code != regency:
            abort(404)
        form.intervention.data = str(intervention.id)
    if request.method == "GET":
        form.village.data = request.args.get("village") or person.home_village_code or ""
    if form.validate_on_submit():
        data = commands.ObstacleInput(
            kind=form.kind.data or "",
            description=form.description.data or "",
            village_code=form.village.data or "",
            intervention_id=intervention.id if intervention else None,
            happened_on=form.happened_on.data,
        )
        key = form.submission_key.posted
        saved = first_result(key, "obstacle") or commit_or_show_errors(
            form,
            FIELDS,
            lambda: (
                created(
                    key,
                    commands.record_obstacle(
                        db.session(), person, data, regency=regency, today=dt.date.today()
                    ),
                ).id
            ),
        )
        if saved is not None:
            flash(_("The obstacle is recorded. Add the lesson once you know what helped."), "info")
            return redirect(url_for(".detail", obstacle_id=saved))
    status = 400 if request.method == "POST" else 200
    return (
        render_template("obstacles/form.html", form=form, intervention=intervention, places=places),
        status,
    )


@blueprint.route("/obstacles/<int:obstacle_id>", methods=["GET", "POST"])
@login_required
def detail(obstacle_id: int) -> ResponseReturnValue:
    """One obstacle; its reporter, its program's people and coordinators write the lesson."""
    person = me()
    try:
        obstacle = commands.visible_obstacle(db.session(), person, obstacle_id)
    except NotFound:
        abort(404)
    may_update = commands.may_update(db.session(), person, obstacle)
    form = LessonForm()
    if request.method == "POST":
        if not may_update:
            abort(403)
        if form.validate_on_submit():
            try:
                seen = ObstacleStatus(str(form.seen_status.data))
            except ValueError:
                abort(400)
            updated = commit_or_show_errors(
                form,
                {"lesson": "lesson"},
                lambda: commands.update_obstacle(
                    db.session(),
                    person,
                    obstacle_id,
                    lesson=form.lesson.data or "",
                    resolve=bool(form.resolved.data),
                    seen_status=seen,
                ),
            )
            if updated is not None:
                flash(_("Saved."), "info")
                return redirect(url_for(".detail", obstacle_id=obstacle_id))
    else:
        form.lesson.data = obstacle.lesson
        form.resolved.data = obstacle.status == ObstacleStatus.RESOLVED
    form.seen_status.data = obstacle.status.value
    program = db.session.get(Program, obstacle.program_id) if obstacle.program_id else None
    return render_template(
        "obstacles/detail.html",
        obstacle=obstacle,
        program=program,
        form=form if may_update else None,
        kinds=KIND_LABELS,
    )
