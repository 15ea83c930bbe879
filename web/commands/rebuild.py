"""``titiktemu rebuild REGENCY_CODE``: one regency's full pass, through the broker when one is set."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext

from titiktemu.app import settings_of
from titiktemu.extensions import db
from titiktemu.jobs import Progress, enqueue, run_job
from titiktemu.jobs.names import TaskName
from titiktemu.models import JobRun, JobStatus, Regency
from titiktemu.places.regions import UnknownRegionError, resolve_codes

POLL = 0.5


@click.command()
@click.argument("regency_code")
@click.option("--timeout", default=3600, show_default=True, help="Seconds to wait for the worker.")
@with_appcontext
def rebuild(regency_code: str, timeout: int) -> None:
    """Rebuild proposals, overlap flags and gaps of REGENCY_CODE, such as 33.10, showing progress."""
    try:
        code = resolve_codes([regency_code])[0].code
    except UnknownRegionError as exc:
        raise click.BadParameter(str(exc), param_hint="REGENCY_CODE") from None
    if db.session.get(Regency, code) is None or len(code) != 5:
        raise click.BadParameter(
            f"regency {code} is not loaded: run titiktemu regions load {code} first",
            param_hint="REGENCY_CODE",
        )
    from titiktemu.matching.rebuild import rebuild_regency  # the engine: only when it runs

    settings = settings_of(current_app)
    session = db.session()
    with click.progressbar(length=100, label=f"Rebuilding {code}") as bar:
        shown = 0.0

        def show(stage: str, percent: float) -> None:
            nonlocal shown
            bar.label = f"Rebuilding {code}: {stage}"
            bar.update(max(0, int(percent - shown)))
            shown = max(shown, int(percent))

        if settings.eager:  # no broker: run here, with a live bar
            job = enqueue(session, TaskName.REBUILD_REGENCY, code, regency_code=code, send=False)
            session.commit()

            def work(progress: Progress) -> None:
                def both(stage: str, percent: float) -> None:
                    progress(stage, percent)
                    show(stage, percent)

                rebuild_regency(session, code, progress=both, settings=settings)

            run_job(job.id, work)
        else:
            job = enqueue(session, TaskName.REBUILD_REGENCY, code, regency_code=code)
            session.commit()  # sends it to the broker
            deadline = time.monotonic() + timeout
            while True:
                session.expire_all()
                row = session.get(JobRun, job.id)
                assert row is not None
                show(row.stage or "queued", row.percent)
                if row.status in (JobStatus.DONE, JobStatus.DEAD):
                    break
                if time.monotonic() > deadline:
                    raise click.ClickException(
                        f"job {job.id} still {row.status.value} after {timeout} s"
                    )
                time.sleep(POLL)
    row = session.get(JobRun, job.id)
    assert row is not None
    if row.status != JobStatus.DONE:
        raise click.ClickException(f"rebuild {row.status.value}: {row.last_error}")
    click.echo(f"Rebuilt {code} (job {job.id}).")
