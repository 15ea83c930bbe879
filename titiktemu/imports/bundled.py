"""Data the product ships itself (the demo), read, checked and written as an upload is.

Same reading, checks, natural keys and bulk writes as :func:`~titiktemu.imports.run.run_import`,
without what belongs to a person's import run: no ImportRun or kept files, no audit entry, no
import lock and no rebuild (the caller decides when to match). Only missing records are added:
what exists is left as it is, so seeding again never undoes someone's edits.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from titiktemu.imports.apply import Ids, write
from titiktemu.imports.columns import KINDS
from titiktemu.imports.lookups import Lookups
from titiktemu.imports.plan import Change
from titiktemu.imports.problems import Problems
from titiktemu.imports.reading import Upload, read_upload
from titiktemu.imports.rows import Scope
from titiktemu.imports.run import _plan_kind


class BundledDataInvalid(ValueError):  # noqa: N818 - says what it is, like the import problems
    """Shipped data the importer refuses: a bug in the files or in the importer, never a user's."""


def add_missing(
    session: Session, uploads: Sequence[Upload], regency_code: str
) -> dict[str, list[Change]]:
    """Check every row of ``uploads`` (one kind per file, named ``<kind>.csv``) as an admin of
    ``regency_code`` would import them, then insert the records not stored yet.

    Returns each kind's changes ("new" ones were added; the others were left alone). Raises
    BundledDataInvalid with the first problems when any row does not check.
    """
    problems = Problems()
    sheets = [sheet for upload in uploads for sheet in read_upload(upload, None, problems)]
    scope = Scope(regency_code, admin=True)
    lookups = Lookups.load(session, regency_code)
    plan = {kind: _plan_kind(session, kind, sheets, lookups, scope, problems) for kind in KINDS}
    if problems:
        errors = [p for p in problems.report() if p["level"] == "error"]
        raise BundledDataInvalid(f"{len(errors)} problem(s), the first: {errors[:3]}")
    emails = {
        str(email)
        for changes in plan.values()
        for change in changes
        for email in (
            change.record.values.get("person_email"),
            change.record.values.get("facilitator_email"),
        )
        if email
    }
    ids = Ids()
    for kind in KINDS:
        ids.refresh(session, emails)
        write(session, kind, [c for c in plan[kind] if c.status == "new"], ids)
    session.flush()
    return plan
