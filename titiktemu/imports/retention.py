"""Which uploaded files stay with their import run, and the sweep that drops the rest.

Kept: the files of every applied run (what it was made from) and of each person's last checked
run (it can still be applied with one tap). The files of rejected runs, and of checked runs that a
later check replaced, go once they are a day old. The run itself stays, with its report and the
files' names; a run without stored files says on its page that they are no longer kept.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.models import ImportFile, ImportRun, ImportStatus
from titiktemu.models.base import utcnow

KEEP_FOR: Final = dt.timedelta(days=1)


def prune_import_files(
    session: Session, now: dt.datetime | None = None, keep_for: dt.timedelta = KEEP_FOR
) -> int:
    """Delete the files no longer kept (see the module); return how many. The caller commits."""
    cutoff = (now or utcnow()) - keep_for
    last_checked = (
        sa.select(sa.func.max(ImportRun.id))
        .where(ImportRun.status == ImportStatus.CHECKED)
        .group_by(ImportRun.person_id)  # the operator's runs (no person) count as one person's
    )
    dropped = sa.select(ImportRun.id).where(
        ImportRun.status.in_((ImportStatus.REJECTED, ImportStatus.CHECKED)),
        ImportRun.created_at < cutoff,
        ImportRun.id.not_in(last_checked),
    )
    result = session.execute(
        sa.delete(ImportFile)
        .where(ImportFile.import_run_id.in_(dropped))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
