"""``titiktemu import FILE...``: check or apply spreadsheets, print the report, follow re-matching."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from titiktemu.accounts.signin import normalise_email
from titiktemu.app import settings_of
from titiktemu.extensions import db
from titiktemu.imports import (
    KINDS,
    Upload,
    UploadRefused,
    run_import,
    template_csv,
    template_xlsx,
)
from titiktemu.imports.problems import problem_text
from titiktemu.models import ImportRun, ImportStatus, JobRun, JobStatus, Person

POLL = 0.5
FINISHED = (JobStatus.DONE, JobStatus.DEAD)


@click.command("import")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(KINDS), help="What the files hold (else their names).")
@click.option("--dry-run", is_flag=True, help="Check and show what would change; write nothing.")
@click.option("--as", "as_email", metavar="EMAIL", help="Act as this person (default: operator).")
@click.option(
    "--template", type=click.Choice([*KINDS, "all"]), help="Write a template instead of importing."
)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--timeout", default=3600, show_default=True, help="Seconds to wait for re-matching.")
@with_appcontext
def import_files(
    files: tuple[Path, ...],
    kind: str | None,
    dry_run: bool,
    as_email: str | None,
    template: str | None,
    fmt: str,
    output: Path | None,
    timeout: int,
) -> None:
    """Import CSV or XLSX FILES (programs, people, interventions, offers, needs): all or nothing."""
    if template is not None:
        _write_template(template, fmt, output)
        return
    if not files:
        raise click.UsageError("give at least one FILE (or --template KIND)")
    uploads = [Upload(path.name, path.read_bytes()) for path in files]
    session = db.session()
    actor = _actor(as_email)
    try:
        run = run_import(
            session,
            uploads,
            actor,
            dry_run=dry_run,
            kind=kind,
            limits=settings_of(current_app).upload_limits,
        )
    except PermissionError as exc:
        raise click.ClickException(f"{as_email} may not import: {exc}") from None
    except UploadRefused as exc:
        session.rollback()
        click.echo(_line(exc.problem), err=True)
        click.echo("Refused before reading: nothing written or kept.", err=True)
        sys.exit(1)
    session.commit()
    _report(run)
    if run.status is ImportStatus.REJECTED:
        sys.exit(1)
    if run.status is ImportStatus.APPLIED and run.job_ids:
        _follow(run, timeout)


def _actor(email: str | None) -> Person | None:
    if email is None:
        return None
    person = db.session.scalars(
        sa.select(Person).where(Person.email == normalise_email(email))
    ).one_or_none()
    if person is None:
        raise click.BadParameter(f"nobody with the email {email}", param_hint="--as")
    return person


def _write_template(kind: str, fmt: str, output: Path | None) -> None:
    kinds = list(KINDS) if kind == "all" else [kind]
    if fmt == "xlsx":
        data = template_xlsx(kinds)
    elif len(kinds) == 1:
        data = template_csv(kinds[0])
    else:
        raise click.UsageError(
            "a CSV template holds one kind: give --template KIND or --format xlsx"
        )
    if output is None:
        click.echo(data, nl=False)
    else:
        output.write_bytes(data)
        click.echo(f"Wrote {output}.")


def _report(run: ImportRun) -> None:
    # A rejected upload changes nothing: its counts would only read like a result.
    counts = {} if run.status is ImportStatus.REJECTED else run.counts
    for kind, tally in counts.items():
        click.echo(
            f"{kind}: {tally['new']} new, {tally['updated']} updated, "
            f"{tally['unchanged']} unchanged"
        )
    for change in [] if run.status is ImportStatus.REJECTED else run.changes:
        click.echo(_change_line(change))
    shown = sum(tally["new"] + tally["updated"] for tally in counts.values())
    if shown > len(run.changes):
        click.echo(f"... and {shown - len(run.changes)} more rows new or updated")
    for problem in run.problems:
        click.echo(_line(problem), err=problem["level"] == "error")
    if run.status is ImportStatus.REJECTED:
        count = sum(1 for p in run.problems if p["level"] == "error")
        plural = "" if count == 1 else "s"
        click.echo(f"Rejected: nothing written ({count} problem{plural}).", err=True)
    elif run.status is ImportStatus.CHECKED:
        click.echo("Dry run: nothing written.")
    else:
        click.echo(f"Applied (import {run.id}).")


def _change_line(change: dict[str, Any]) -> str:
    """ "interventions.csv:5 new: RTLH · 33.10.12.2003 · house_renovation · 2021-03-01"."""
    fields = f" ({', '.join(change['fields'])})" if change["fields"] else ""
    return f"{change['file']}:{change['row']} {change['status']}{fields}: {change['what']}"


def _line(problem: dict[str, Any]) -> str:
    row = f":{problem['row']}" if problem["row"] else ""
    where = f"{problem['file']}{row}" if problem["file"] else "upload"
    column = f" {problem['column']}" if problem["column"] else ""
    value = f" '{problem['value']}'" if problem["value"] and problem["column"] else ""
    hint = f" — did you mean '{problem['suggestion']}'?" if problem["suggestion"] else ""
    prefix = "note: " if problem["level"] == "note" else ""
    return f"{prefix}{where}{column}{value}: {problem_text(problem, 'en')}{hint}"


def _follow(run: ImportRun, timeout: int) -> None:
    """Show the re-matching jobs: already done when embedded (they ran at commit), else poll.

    The import is written whatever the jobs do, so a slow or failed job is a warning, not an
    exit code: the sweep retries it.
    """
    session = db.session()
    regencies = ", ".join(run.regency_codes)
    query = sa.select(JobRun).where(JobRun.id.in_(run.job_ids)).order_by(JobRun.id)
    if settings_of(current_app).eager:
        session.expire_all()
        _done(session.scalars(query).all(), regencies)
        return
    deadline = time.monotonic() + timeout
    with click.progressbar(length=100, label=f"Re-matching {regencies}") as bar:
        shown = 0
        while True:
            session.expire_all()
            jobs = session.scalars(query).all()
            percent = int(sum(100 if j.status in FINISHED else j.percent for j in jobs) / len(jobs))
            bar.update(max(0, percent - shown))
            shown = max(shown, percent)
            if all(j.status in FINISHED for j in jobs) or time.monotonic() > deadline:
                break
            time.sleep(POLL)
    _done(jobs, regencies)


def _done(jobs: Sequence[JobRun], regencies: str) -> None:
    unfinished = [j for j in jobs if j.status is not JobStatus.DONE]
    if not unfinished:
        click.echo(f"Re-matched {regencies} (jobs {', '.join(str(j.id) for j in jobs)}).")
        return
    for job in unfinished:
        error = f": {job.last_error}" if job.last_error else ""
        click.echo(
            f"warning: re-matching job {job.id} ({job.regency_code}) is {job.status.value}"
            f"{error}; the worker's sweep goes on with it",
            err=True,
        )
