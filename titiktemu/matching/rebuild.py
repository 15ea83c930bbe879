"""Running the engine for a regency: load the records, run, store the results. One transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.orm import Session

from graph.engine import Engine
from titiktemu.jobs.locks import hold_regency
from titiktemu.mail.announce import announce
from titiktemu.matching.config import load_config
from titiktemu.matching.inputs import load_inputs
from titiktemu.matching.results import StoreReport, store_result
from titiktemu.settings import Settings

log = logging.getLogger(__name__)

Progress = Callable[[str, float], None]


def _quiet(_stage: str, _percent: float) -> None:
    return None


def rebuild_regency(
    session: Session,
    regency_code: str,
    progress: Progress = _quiet,
    settings: Settings | None = None,
) -> StoreReport:
    """A full pass for one regency, written idempotently and committed; with ``settings`` the
    emails it causes are queued in the same transaction."""
    progress("load", 0.0)
    if session.get_bind().dialect.name == "postgresql":
        # Live matches of the regency wait for the pass (on any worker machine), so none hands
        # out capacity the pass is handing out too. SQLite has one writer anyway, and taking it
        # now would hold back this job's own progress reports.
        hold_regency(session, "match", regency_code)
    inputs = load_inputs(session, regency_code)
    progress("engine", 10.0)
    engine = Engine(inputs, load_config(session, regency_code))
    result = engine.run(progress=lambda stage, pct: progress(stage, 10 + 0.8 * pct))
    progress("store", 90.0)
    # No progress past this point: it is written on a connection of its own, which SQLite would
    # keep waiting behind this transaction's writes until the job failed.
    report = store_result(session, regency_code, result)
    if settings is not None:
        announce(session, settings, regency_code, report)
    session.commit()
    log.info(
        "rebuilt %s: %d new proposals, %d updated, %d obsolete, %d new flags, %d gaps",
        regency_code,
        len(report.created),
        report.updated,
        report.obsoleted,
        len(report.flags_created),
        report.gaps,
    )
    progress("done", 100.0)
    return report
