"""Imports: coordinators and admins upload CSV or XLSX files, all or nothing, and follow the
re-matching they queue."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app, request, url_for
from werkzeug.datastructures import FileStorage

from titiktemu import visibility
from titiktemu.app import settings_of
from titiktemu.extensions import db
from titiktemu.i18n import LANGUAGES
from titiktemu.imports import KINDS, TooManyImports, Upload, UploadRefused, run_import
from titiktemu.imports.problems import problem_text
from titiktemu.models import ImportRun, ImportStatus, JobRun
from web.api.auth import require_coordinator
from web.api.pagination import page_of
from web.api.problems import ApiProblem, invalid
from web.api.schemas.common import IdPath
from web.api.schemas.imports import (
    ImportForm,
    ImportOut,
    ImportPage,
    ImportProblem,
    ImportQuery,
    JobProgress,
)
from web.api.spec import operation, validated

MULTIPART = "multipart/form-data"
UPLOAD_SCHEMA = {
    "type": "object",
    "properties": {
        "file": {
            "type": "array",
            "items": {"type": "string", "format": "binary"},
            "minItems": 1,
            "description": "One or more .csv or .xlsx files",
        },
        "dry_run": {"type": "boolean", "default": False, "description": "Check only"},
        "kind": {"type": "string", "enum": list(KINDS), "description": "What every file holds"},
    },
    "required": ["file"],
}


def _problem(problem: dict[str, Any]) -> ImportProblem:
    """A stored problem with its words in both languages, from the one catalog."""
    texts = {f"text_{lang}": problem_text(problem, lang) for lang in LANGUAGES}
    return ImportProblem.model_validate({**problem, **texts})


def import_out(row: ImportRun) -> ImportOut:
    jobs = []
    if row.job_ids:
        jobs = list(
            db.session.scalars(
                sa.select(JobRun).where(JobRun.id.in_(row.job_ids)).order_by(JobRun.id)
            )
        )
    return ImportOut(
        id=row.id,
        status=row.status,
        dry_run=row.dry_run,
        files=list(row.files),
        counts=dict(row.counts),
        problems=[_problem(p) for p in row.problems],
        regency_codes=list(row.regency_codes),
        jobs=[JobProgress.model_validate(j) for j in jobs],
        person_id=row.person_id,
        created_at=row.created_at,
    )


@operation(
    "GET",
    "/imports",
    tag="Imports",
    summary="List import runs (coordinators)",
    query=ImportQuery,
    response=ImportPage,
    errors=(403,),
)
def list_imports(query: ImportQuery) -> ImportPage:
    """Runs uploaded by the people of my regency, by id."""
    select = sa.select(ImportRun).where(visibility.import_runs(require_coordinator()))
    if query.status is not None:
        select = select.where(ImportRun.status == query.status)
    rows, cursor = page_of(db.session(), select, ImportRun.id, query)
    return ImportPage(items=[import_out(r) for r in rows], next_cursor=cursor)


@operation(
    "GET",
    "/imports/{id}",
    tag="Imports",
    summary="One import run and the progress of its re-matching (coordinators)",
    path_params=IdPath,
    response=ImportOut,
    errors=(403, 404),
)
def get_import(id: int) -> ImportOut:
    """Counts, problems, and each re-matching job's status and percent."""
    viewer = require_coordinator()
    row = db.session.scalars(
        sa.select(ImportRun).where(ImportRun.id == id, visibility.import_runs(viewer))
    ).one_or_none()
    if row is None:
        raise ApiProblem(404, "No such import run.")
    return import_out(row)


@operation(
    "POST",
    "/imports",
    tag="Imports",
    summary="Upload CSV or XLSX files (coordinators)",
    response=ImportOut,
    status=201,
    errors=(403, 413, 415, 422, 429),
    raw_body=(MULTIPART, UPLOAD_SCHEMA),
    idempotent=True,
)
def create_import() -> tuple[ImportOut, int]:
    """All or nothing: with `dry_run` nothing is written (status `checked`); otherwise the rows
    are written (status `applied`) and the regency re-matched. When any row has a problem,
    nothing is written and the answer is a 422 problem listing them (the run is kept, its URL
    is the problem's `instance`). A file over the upload limits (an XLSX unpacking past them or
    compressed like a zip bomb: 413; a sheet past its columns, rows or cells, too many shared
    strings, a CSV row too wide: 422) is refused before it is read, and no run is kept. 429
    (with `Retry-After`) when the caller already made the hour's allowance of import runs
    (checks count too)."""
    person = require_coordinator()
    if request.mimetype != MULTIPART:
        raise ApiProblem(415, "Send the files as multipart/form-data.")
    form = validated(ImportForm, request.form.to_dict(), "")
    assert isinstance(form, ImportForm)
    files: list[FileStorage] = request.files.getlist("file")
    if not files:
        raise invalid({"file": "send at least one file"})
    uploads = [Upload(f.filename or f"upload-{n}", f.read()) for n, f in enumerate(files, 1)]
    settings = settings_of(current_app)
    try:
        run = run_import(
            db.session(),
            uploads,
            person,
            dry_run=form.dry_run,
            kind=form.kind,
            per_hour=settings.imports_per_hour,
            limits=settings.upload_limits,
        )
    except PermissionError:
        db.session.rollback()
        raise ApiProblem(403, "Only coordinators of a regency and admins may import.") from None
    except TooManyImports as exc:
        db.session.rollback()
        raise ApiProblem(
            429,
            f"At most {exc.limit} import runs an hour (checks count too); "
            f"try again in {exc.retry_after} seconds.",
            headers={"Retry-After": str(exc.retry_after)},
        ) from None
    except UploadRefused as exc:
        db.session.rollback()
        where = ":".join(str(v) for v in (exc.problem["file"], exc.problem["row"]) if v)
        raise ApiProblem(
            exc.status,
            f"{exc.text('en')} (not read; nothing was written or kept)",
            [(where or "file", exc.text("en"))],
        ) from None
    db.session.commit()  # the run is kept even when rejected; re-matching starts after this
    if run.status == ImportStatus.REJECTED:
        raise ApiProblem(
            422,
            f"The files have problems; nothing was written (import run {run.id}).",
            _problems_as_fields(run),
            instance=url_for("api.get_import", id=run.id),
        )
    return import_out(run), 201


def _problems_as_fields(run: ImportRun) -> list[tuple[str, str]]:
    """Each error as ``file:row:column`` and its English text."""
    pairs = []
    for p in run.problems:
        if p.get("level", "error") != "error":
            continue
        where = ":".join(str(p.get(k)) for k in ("file", "row", "column") if p.get(k) is not None)
        pairs.append((where or "file", problem_text(p, "en") or "problem"))
    return pairs
