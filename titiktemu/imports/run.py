"""``run_import``: read, check, plan and (unless a dry run or any problem) write an upload.

All or nothing: every row of every file is checked against lookups loaded once; with a single
problem nothing but the ImportRun is written. The write runs in a savepoint, so a refusal by the
database leaves nothing behind either. Afterwards each affected regency is re-matched once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.audit import record
from titiktemu.errors import NotPermitted
from titiktemu.imports import exchange, interventions, people, programs
from titiktemu.imports.apply import Ids, write
from titiktemu.imports.columns import GIVES, KINDS
from titiktemu.imports.lookups import KnownPerson, Lookups
from titiktemu.imports.plan import Change, Current, compare, counts, listed, unique
from titiktemu.imports.preflight import upload_name
from titiktemu.imports.problems import Problems
from titiktemu.imports.quota import check_rate
from titiktemu.imports.reading import Sheet, Upload, read_upload
from titiktemu.imports.rows import Record, RowCheck, Scope
from titiktemu.imports.titles import title_defaults
from titiktemu.jobs import enqueue
from titiktemu.jobs.housekeeping import REBUILD_TASK
from titiktemu.jobs.locks import hold_regency
from titiktemu.models import (
    ImportFile,
    ImportRun,
    ImportStatus,
    Intervention,
    JobRun,
    JobStatus,
    Need,
    Offer,
    Person,
    Program,
    Role,
)
from titiktemu.models.places import regency_of
from titiktemu.settings import UploadLimits

Check = Callable[[RowCheck], Record | None]
Existing = Callable[[Session, Iterable[Record]], dict[tuple[object, ...], Current]]

CHECKS: Final[dict[str, Check]] = {
    "programs": programs.check,
    "people": people.check,
    "interventions": interventions.check,
    "offers": exchange.check_offer,
    "needs": exchange.check_need,
}
EXISTING: Final[dict[str, Existing]] = {
    "programs": programs.existing,
    "people": people.existing,
    "interventions": interventions.existing,
    "offers": exchange.existing_offers,
    "needs": exchange.existing_needs,
}
WRITTEN: Final = (Program, Person, Intervention, Offer, Need)
#: A rebuild in one of these states has not read the data yet, so it will see the import.
NOT_STARTED: Final = (JobStatus.QUEUED, JobStatus.RETRYING)


def scope_of(actor: Person | None) -> Scope:
    """Where ``actor`` may import; facilitators (and coordinators without a regency) may not."""
    if actor is None:
        return Scope(None, admin=True)
    if actor.active and actor.role == Role.ADMIN:
        return Scope(actor.regency_code, admin=True)
    if actor.active and actor.role == Role.COORDINATOR and actor.regency_code is not None:
        return Scope(actor.regency_code, admin=False)
    raise NotPermitted("only coordinators and admins may import")


def run_import(
    session: Session,
    uploads: Sequence[Upload],
    actor: Person | None,
    *,
    dry_run: bool,
    kind: str | None = None,
    per_hour: int | None = None,
    limits: UploadLimits | None = None,
) -> ImportRun:
    """Check ``uploads`` and, unless ``dry_run`` or any problem, write them; the caller commits.

    With ``per_hour``, a person who already made that many runs in the last hour gets
    TooManyImports before anything is read (the operator, ``actor`` None, is never limited).
    A file over one of ``limits`` (the settings' ``upload_limits``; the defaults when None)
    raises UploadRefused before it is read, and nothing is added to the session. File names
    are kept without control characters and cut to 255 characters.
    """
    scope = scope_of(actor)
    if per_hour is not None:
        check_rate(session, actor, per_hour)
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}: one of {', '.join(KINDS)}")
    session.flush()
    uploads = [Upload(upload_name(u.name), u.data) for u in uploads]
    problems = Problems()
    sheets = [s for upload in uploads for s in read_upload(upload, kind, problems, limits)]
    for sheet in sheets:
        for name in sheet.ignored:
            problems.note(
                "ignored_column", file=sheet.file, kind=sheet.kind, row=sheet.header_row, value=name
            )
    if not dry_run:
        # Two imports of a regency at once would both find a row missing and both add it: the
        # second waits here, then reads what the first wrote.
        hold_regency(session, "import", scope.regency_code)
    lookups = Lookups.load(session, scope.regency_code)
    plan = {k: _plan_kind(session, k, sheets, lookups, scope, problems) for k in KINDS}
    run = ImportRun(
        person_id=actor.id if actor is not None else None,
        dry_run=dry_run,
        kind=kind,
        files=[u.name for u in uploads],
        counts={k: counts(changes) for k, changes in plan.items() if _shown(k, sheets)},
        changes=[] if problems else listed(plan, lambda r: _describe(r, lookups)),
        regency_codes=[],
        job_ids=[],
    )
    if problems:
        run.status = ImportStatus.REJECTED
    elif dry_run:
        run.status = ImportStatus.CHECKED
    else:
        run.status = _apply(session, plan, problems)
    run.problems = problems.report()
    session.add(run)
    session.flush()
    # The files stay with their run: a checked run is applied from them (no second upload from
    # a phone), and an applied one keeps what it was made from.
    session.add_all(ImportFile(import_run_id=run.id, name=u.name, data=u.data) for u in uploads)
    if run.status is ImportStatus.APPLIED and any(
        c.status != "unchanged" for changes in plan.values() for c in changes
    ):
        regencies = sorted(_regencies(session, plan))
        run.regency_codes = regencies
        run.job_ids = _rebuild(session, regencies)
        record(
            session,
            "import.applied",
            "import",
            run.id,
            actor_id=run.person_id,
            counts=run.counts,
            files=run.files,
        )
        session.flush()
    return run


def _describe(record: Record, lookups: Lookups) -> str:
    """A row as the report lists it: "RTLH · Sidowarno · Rehabilitasi rumah · 2021-03-01"."""
    values = record.values
    if record.kind == "interventions":
        village = str(values["village_code"])
        name = lookups.places.villages.get(village, (village, ""))[0]
        category = str(values["category_code"])
        activity = lookups.category_labels.get(category, category)
        start = values["start_date"]
        day = start.isoformat() if isinstance(start, dt.date) else str(start)
        return " · ".join((str(values["program_code"]), name, activity, day))
    if record.kind == "people":
        return f"{values['name']} <{values['email']}>"
    if record.kind == "programs":
        return f"{values['code']} · {values['name']}"
    return f"{values['title']} ({values['person_email']})"


def _shown(kind: str, sheets: list[Sheet]) -> bool:
    return any(s.kind == kind for s in sheets)


def _plan_kind(
    session: Session,
    kind: str,
    sheets: list[Sheet],
    lookups: Lookups,
    scope: Scope,
    problems: Problems,
) -> list[Change]:
    checked: list[Record] = []
    absent: dict[str, frozenset[str]] = {}
    for sheet in (s for s in sheets if s.kind == kind):
        defaults = title_defaults(sheet, lookups, problems)
        if defaults is None:
            continue
        absent[sheet.file] = frozenset(
            key
            for column, keys in GIVES[kind].items()
            if column not in sheet.columns
            for key in keys
        )
        for row in sheet.rows:
            for column, value in defaults.items():
                row.cells.setdefault(column, value)
            found = CHECKS[kind](RowCheck(sheet, row, lookups, scope, problems))
            if found is not None:
                checked.append(found)
            elif kind == "people":
                lookups.refused_person(row.cells.get("email"), sheet.file, row.number)
            elif kind == "programs":
                lookups.refused_program(row.cells.get("code"), sheet.file, row.number)
    records = unique(checked, problems)
    current = EXISTING[kind](session, records) if records else {}
    changes = [compare(r, current.get(r.key), absent.get(r.file, frozenset())) for r in records]
    for change in changes:
        _permit(change, scope, problems)
    _remember(kind, records, current, lookups)
    return changes


def _permit(change: Change, scope: Scope, problems: Problems) -> None:
    """What a coordinator may not change though each cell is fine: shared or foreign records."""
    current, rec = change.current, change.record
    if (
        current is None
        or change.status == "unchanged"
        or (scope.admin and scope.regency_code is None)
    ):
        return
    where: dict[str, Any] = {"file": rec.file, "kind": rec.kind, "row": rec.row}
    if rec.kind == "programs" and not scope.admin:
        problems.add("program_shared", column="code", value=rec.values["code"], **where)
    elif rec.kind == "people":
        if not scope.allows(_str(current.values.get("regency_code"))):
            problems.add(
                "out_of_scope",
                column="email",
                value=rec.values["email"],
                regency=scope.regency_code,
                **where,
            )
        elif current.values.get("role") == Role.ADMIN and not scope.admin:
            problems.add("role_not_allowed", column="role", value="admin", **where)


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _remember(
    kind: str, records: list[Record], current: dict[tuple[object, ...], Current], lookups: Lookups
) -> None:
    """Let later kinds refer to what this one creates (a program code, a person's email)."""
    for r in records:
        if kind == "programs":
            code = str(r.values["code"])
            lookups.programs.setdefault(code.casefold(), code)
        elif kind == "people":
            email = str(r.values["email"])
            stored = current.get(r.key)
            regency = r.values.get(
                "regency_code", stored.values.get("regency_code") if stored else None
            )
            lookups.people[email] = KnownPerson(
                stored.id if stored else None, _str(regency), Role(str(r.values["role"]))
            )


def _apply(session: Session, plan: dict[str, list[Change]], problems: Problems) -> ImportStatus:
    """Write every kind in a savepoint; a database refusal rolls it back and rejects the run."""
    emails = {
        str(email)
        for changes in plan.values()
        for c in changes
        for email in (c.record.values.get("person_email"), c.record.values.get("facilitator_email"))
        if email
    }
    ids = Ids()
    try:
        with session.begin_nested():
            for kind in KINDS:
                ids.refresh(session, emails)
                write(session, kind, plan[kind], ids)
    except sa.exc.SQLAlchemyError as exc:
        problems.add(
            "write_failed",
            file="",
            kind="",
            reason=(str(getattr(exc, "orig", None) or exc).splitlines() or [""])[0][:200],
        )
        return ImportStatus.REJECTED
    finally:
        for obj in list(session.identity_map.values()):
            if isinstance(obj, WRITTEN):
                session.expire(obj)
    return ImportStatus.APPLIED


def _regencies(session: Session, plan: dict[str, list[Change]]) -> set[str]:
    """Regencies whose data changed: the records' new places and, for updates, their old ones."""
    found: set[str] = set()
    changed_programs: list[int] = []
    for changes in plan.values():
        for c in changes:
            if c.status == "unchanged":
                continue
            found |= c.record.regencies
            if c.current is not None:
                found |= _places_of(c.current)
                if c.record.kind == "programs":
                    changed_programs.append(c.current.id)
    if changed_programs:
        query = (
            sa.select(Intervention.regency_code)
            .where(Intervention.program_id.in_(changed_programs))
            .distinct()
        )
        found |= set(session.scalars(query))
    return {regency_of(code) for code in found if code}


def _places_of(current: Current) -> set[str]:
    codes = {current.values.get(k) for k in ("regency_code", "village_code", "kecamatan_code")}
    for name in ("villages", "kecamatan"):
        codes |= set(current.links.get(name, frozenset()))
    return {regency_of(str(c)) for c in codes if c}


def _rebuild(session: Session, regencies: list[str]) -> list[int]:
    """One rebuild per regency, reusing one queued already (it has not read the data yet)."""
    if not regencies:
        return []
    waiting = {
        code: job_id
        for job_id, code in session.execute(
            sa.select(JobRun.id, JobRun.regency_code)
            .where(
                JobRun.task == REBUILD_TASK,
                JobRun.regency_code.in_(regencies),
                JobRun.status.in_(NOT_STARTED),
            )
            .order_by(JobRun.id.desc())
        )
        if code is not None
    }
    return [
        waiting.get(code) or enqueue(session, REBUILD_TASK, code, regency_code=code).id
        for code in regencies
    ]
