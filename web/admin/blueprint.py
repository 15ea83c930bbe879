"""Regency administration: rebuild now, the job list with progress, failed email deliveries."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from titiktemu.extensions import db
from titiktemu.jobs.housekeeping import UNFINISHED, failed_emails, jobs_of, request_rebuild
from titiktemu.models import JobRun
from titiktemu.review.commands import may_review
from web.access import coordinator_required, me, my_regency
from web.admin.forms import RebuildForm
from web.places.links import template_helpers

blueprint = Blueprint("admin", __name__)
blueprint.context_processor(template_helpers)


@blueprint.route("/admin")
@coordinator_required
def index() -> ResponseReturnValue:
    """The rebuild button and my regency's jobs, newest first (dead ones with their error)."""
    regency = my_regency()
    jobs = jobs_of(db.session(), regency)
    return render_template(
        "admin/index.html",
        form=RebuildForm(),
        jobs=jobs,
        running=any(j.status in UNFINISHED for j in jobs),
        failed=len(failed_emails(db.session(), regency)),
    )


@blueprint.route("/admin/rebuild", methods=["POST"])
@coordinator_required
def rebuild() -> ResponseReturnValue:
    """Queue a full rebuild of my regency; it runs after the commit (in process when embedded)."""
    if not RebuildForm().validate_on_submit():
        abort(400)
    job, created = request_rebuild(db.session(), me(), my_regency())
    db.session.commit()
    if created:
        flash(_("Rebuild started."), "info")
    else:
        flash(_("A rebuild is already waiting or running."), "info")
    return redirect(url_for("admin.job", job_id=job.id))


@blueprint.route("/admin/jobs/<int:job_id>")
@coordinator_required
def job(job_id: int) -> ResponseReturnValue:
    """One job's status, stage and progress; the page reloads itself while the job runs."""
    found = db.session.get(JobRun, job_id)
    if found is None or found.regency_code is None or not may_review(me(), found.regency_code):
        abort(404)
    return render_template("admin/job.html", job=found, running=found.status in UNFINISHED)


@blueprint.route("/outbox")
@coordinator_required
def outbox() -> ResponseReturnValue:
    """Emails of my regency that could not be delivered: to whom, what, and why."""
    return render_template("admin/outbox.html", emails=failed_emails(db.session(), my_regency()))
