"""Spreadsheet upload for coordinators: check first (a dry run with every problem listed), then
import the same files with one tap, and watch the regency being re-matched."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, gettext, ngettext
from werkzeug.datastructures import FileStorage

from titiktemu import visibility
from titiktemu.app import settings_of
from titiktemu.extensions import db
from titiktemu.imports import (
    TooManyImports,
    Upload,
    UploadRefused,
    run_import,
    template_csv,
    template_xlsx,
)
from titiktemu.imports.columns import KINDS
from titiktemu.imports.problems import problem_text
from titiktemu.jobs.housekeeping import UNFINISHED
from titiktemu.models import ImportFile, ImportRun, ImportStatus, JobRun, Person
from titiktemu.vocabulary.synonyms import (
    SynonymError,
    add_synonym,
    may_keep_synonyms,
    offered_readings,
    reading_regency,
)
from web.access import coordinator_required, me
from web.imports.forms import KIND_LABELS, ApplyForm, UploadForm
from web.synonyms.forms import KeepForm, refusal

blueprint = Blueprint("imports", __name__)
# A problem is a code and its values, written in the reader's language where it is shown.
blueprint.add_app_template_filter(problem_text, "problem_text")

#: Rows of the change list shown on the page (a phone on a slow line; the CLI lists all).
SHOWN_CHANGES = 100

#: Runs listed on the upload page.
RECENT = 20


def _run_or_404(run_id: int) -> ImportRun:
    """The run if I may see it (as the API decides), else 404."""
    query = sa.select(ImportRun).where(ImportRun.id == run_id, visibility.import_runs(me()))
    run = db.session.scalars(query).first()
    if run is None:
        abort(404)
    return run


def _recent(viewer: Person) -> list[ImportRun]:
    query = sa.select(ImportRun).where(visibility.import_runs(viewer))
    return list(db.session.scalars(query.order_by(ImportRun.id.desc()).limit(RECENT)))


def _uploads(files: list[FileStorage]) -> list[Upload]:
    return [Upload(name=f.filename or "upload", data=f.read()) for f in files if f]


def _import(uploads: list[Upload], kind: str | None, dry_run: bool) -> ImportRun:
    """Run the import (it keeps the files with the run) and commit, which sends the re-match;
    TooManyImports when the person already made the hour's allowance of runs."""
    session = db.session()
    settings = settings_of(current_app)
    run = run_import(
        session,
        uploads,
        me(),
        dry_run=dry_run,
        kind=kind,
        per_hour=settings.imports_per_hour,
        limits=settings.upload_limits,
    )
    session.commit()
    return run


def _refused_page(form: UploadForm, exc: UploadRefused) -> Response:
    """The upload page again, 413 or 422, saying why the file was not even read."""
    db.session.rollback()
    reason = exc.text(str(get_locale()))
    form.files.errors = [
        *form.files.errors,
        gettext(
            "%(file)s was not read, nothing is saved: %(reason)s", file=_file_of(exc), reason=reason
        ),
    ]
    return _index_page(form, exc.status)


def _file_of(exc: UploadRefused) -> str:
    return str(exc.problem.get("file") or gettext("The file"))


def _index_page(form: UploadForm, status: int, limited: TooManyImports | None = None) -> Response:
    page = render_template(
        "imports/index.html",
        form=form,
        runs=_recent(me()),
        kinds=KINDS,
        kind_labels=KIND_LABELS,
        limited=_limited_text(limited) if limited is not None else None,
    )
    answer = Response(page, status=status)
    if limited is not None:
        answer.headers["Retry-After"] = str(limited.retry_after)
    return answer


def _limited_text(exc: TooManyImports) -> str:
    return str(
        ngettext(
            "You have checked or imported %(limit)d times in the last hour, the most allowed. "
            "Please try again in %(num)d minute.",
            "You have checked or imported %(limit)d times in the last hour, the most allowed. "
            "Please try again in %(num)d minutes.",
            exc.minutes,
            limit=exc.limit,
        )
    )


@blueprint.route("/imports", methods=["GET", "POST"])
@coordinator_required
def index() -> ResponseReturnValue:
    """Upload files to check them (nothing is saved) or to import them straight away."""
    form = UploadForm()
    if form.validate_on_submit():
        uploads = _uploads(list(form.files.data or []))
        if uploads:
            dry_run = request.form.get("action") != "apply"
            try:
                run = _import(uploads, form.kind.data or None, dry_run)
            except TooManyImports as exc:
                db.session.rollback()
                return _index_page(form, 429, exc)
            except UploadRefused as exc:
                return _refused_page(form, exc)
            return redirect(url_for(".detail", run_id=run.id))
        form.files.errors = [*form.files.errors, str(form.files.validators[0].message)]
    return _index_page(form, 400 if form.is_submitted() else 200)


@blueprint.route("/imports/<int:run_id>")
@coordinator_required
def detail(run_id: int) -> ResponseReturnValue:
    """What the run would change or changed, every problem, and the re-matching's progress."""
    run = _run_or_404(run_id)
    jobs = (
        list(
            db.session.scalars(
                sa.select(JobRun).where(JobRun.id.in_(run.job_ids)).order_by(JobRun.id)
            )
        )
        if run.job_ids
        else []
    )
    running = any(job.status in UNFINISHED for job in jobs)
    applied_later = None
    if run.status == ImportStatus.CHECKED:
        applied_later = db.session.scalars(
            sa.select(ImportRun.id)
            .where(ImportRun.id > run.id, ImportRun.person_id == run.person_id)
            .where(ImportRun.status == ImportStatus.APPLIED)
            .order_by(ImportRun.id)
            .limit(1)
        ).first()
    files = list(
        db.session.scalars(sa.select(ImportFile.name).where(ImportFile.import_run_id == run.id))
    )
    return render_template(
        "imports/detail.html",
        run=run,
        jobs=jobs,
        running=running,
        files=files,
        form=ApplyForm(),
        kind_labels=KIND_LABELS,
        applied_later=applied_later,
        shown_changes=SHOWN_CHANGES,
        keep=url_for(".keep_synonym", run_id=run.id) if _keeping_for(run) else None,
    )


def _keeping_for(run: ImportRun) -> str | None:
    """The regency a reading of ``run`` is kept for, when the viewer may keep its synonyms."""
    regency = reading_regency(run)
    return regency if regency is not None and may_keep_synonyms(me(), regency) else None


@blueprint.route("/imports/<int:run_id>/synonyms", methods=["POST"])
@coordinator_required
def keep_synonym(run_id: int) -> ResponseReturnValue:
    """Keep one reading of the run's report as a synonym of the regency the run was read for."""
    run = _run_or_404(run_id)
    form = KeepForm()
    if not form.validate_on_submit():
        abort(400)
    reading = {name: str(form[name].data) for name in ("kind", "phrase", "code")}
    if reading not in offered_readings(run):  # only what the report read, nothing made up
        abort(400)
    regency = _keeping_for(run)
    if regency is None:
        abort(403)
    try:
        add_synonym(
            db.session(),
            me(),
            reading["kind"],
            reading["phrase"],
            reading["code"],
            regency_code=regency,
        )
    except SynonymError as exc:
        db.session.rollback()
        flash(
            refusal(exc, reading["phrase"]),
            "info" if exc.code in ("duplicate", "known") else "error",
        )
    else:
        db.session.commit()
        flash(
            gettext(
                "'%(phrase)s' is saved as a synonym: the next import reads it without a note.",
                phrase=reading["phrase"],
            ),
            "info",
        )
    return redirect(url_for(".detail", run_id=run.id))


@blueprint.route("/imports/<int:run_id>/apply", methods=["POST"])
@coordinator_required
def apply(run_id: int) -> ResponseReturnValue:
    """Import the files of a checked run; they are checked again, against today's data."""
    run = _run_or_404(run_id)
    if not ApplyForm().validate_on_submit():
        abort(400)
    if run.status != ImportStatus.CHECKED:
        abort(409)
    stored = db.session.scalars(
        sa.select(ImportFile).where(ImportFile.import_run_id == run.id).order_by(ImportFile.id)
    )
    uploads = [Upload(name=f.name, data=f.data) for f in stored]
    if not uploads:  # its files are no longer kept (retention.py): nothing to apply
        flash(gettext("The files of this check are no longer kept: upload them again."), "error")
        return redirect(url_for(".index"))
    try:
        applied = _import(uploads, run.kind, dry_run=False)
    except TooManyImports as exc:
        db.session.rollback()
        return _index_page(UploadForm(), 429, exc)
    except UploadRefused as exc:  # the limits were lowered since the check
        return _refused_page(UploadForm(), exc)
    return redirect(url_for(".detail", run_id=applied.id))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blueprint.route(
    "/imports/templates/<any(programs, people, interventions, offers, needs):kind>"
    ".<any(csv, xlsx):fmt>"
)
@coordinator_required
def template(kind: str, fmt: str) -> ResponseReturnValue:
    """An empty file of one kind: the Indonesian comment row, then the header."""
    if fmt == "csv":
        return Response(
            template_csv(kind),
            mimetype="text/csv",
            headers={"Content-Disposition": f"attachment; filename=titiktemu-{kind}.csv"},
        )
    return Response(
        template_xlsx([kind]),
        mimetype=XLSX,
        headers={"Content-Disposition": f"attachment; filename=titiktemu-{kind}.xlsx"},
    )


@blueprint.route("/imports/templates/titiktemu.xlsx")
@coordinator_required
def workbook_template() -> ResponseReturnValue:
    """One XLSX workbook with a sheet per kind, each with its comment row and header."""
    return Response(
        template_xlsx(KINDS),
        mimetype=XLSX,
        headers={"Content-Disposition": "attachment; filename=titiktemu-template.xlsx"},
    )
