"""Export then import changes nothing, in CSV and in XLSX (the exports' own writers)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.test_imports_support import (
    CONTENT_TABLES,
    KLATEN,
    dump,
    imported,
    person,
    sample_csvs,
)
from titiktemu.exports.import_format import BUILDERS
from titiktemu.exports.tables import Table, interventions_table
from titiktemu.exports.writers import Sheet, to_csv, to_xlsx
from titiktemu.extensions import db
from titiktemu.imports import Upload, kind_of_name
from titiktemu.models import ImportStatus, Role


def _exported(session: Session) -> list[Table]:
    viewer = person(session, "koor@example.org", Role.COORDINATOR)
    tables = [build(session, viewer, KLATEN) for build in BUILDERS.values()]
    return [*tables, interventions_table(session, viewer, KLATEN)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(ctx: object, fmt: str) -> None:
    session = db.session()
    imported(session, sample_csvs(), expect=ImportStatus.APPLIED)
    tables = _exported(session)
    before = dump(session, CONTENT_TABLES)
    if fmt == "csv":
        uploads = [Upload(f"klaten-{t.name}.csv", to_csv(t)) for t in tables]
    else:
        uploads = [Upload("klaten.xlsx", to_xlsx([Sheet(t.name, [t]) for t in tables]))]
    run = imported(session, uploads, expect=ImportStatus.APPLIED)
    assert run.counts == {
        "programs": {"new": 0, "updated": 0, "unchanged": 2},
        "people": {"new": 0, "updated": 0, "unchanged": 3},
        "interventions": {"new": 0, "updated": 0, "unchanged": 2},
        "offers": {"new": 0, "updated": 0, "unchanged": 1},
        "needs": {"new": 0, "updated": 0, "unchanged": 1},
    }
    assert dump(session, CONTENT_TABLES) == before
    # The 3W export's read-only columns are ignored, and said so.
    notes = {(p["code"], p["value"]) for p in run.problems}
    assert ("ignored_column", "village_name") in notes
    assert all(p["level"] == "note" for p in run.problems)


def test_kind_names() -> None:
    assert kind_of_name("klaten-3w.csv") == "interventions"
    assert kind_of_name("Kebutuhan.CSV") == "needs"
    assert kind_of_name("needs offers.csv") is None
    assert kind_of_name("data.csv") is None
