"""The coverage matrix counts what works where, whatever the kecamatan, year and view asked: its
statements are built once per process and run with each request's values, so a page asked
after another must never show the first one's."""

from __future__ import annotations

from collections import defaultdict

import pytest
import sqlalchemy as sa
from flask import Flask

from titiktemu.extensions import db
from titiktemu.models import Intervention
from titiktemu.places.coverage import coverage

from .test_web_coordinator import demo  # noqa: F401 - a fixture

KLATEN = "33.10"


@pytest.mark.usefixtures("demo")
def test_the_matrix_counts_what_works_where_in_every_view(app: Flask) -> None:
    with app.app_context():
        session = db.session()
        rows = session.execute(
            sa.select(
                Intervention.village_code,
                Intervention.program_id,
                Intervention.category_code,
                Intervention.budget_year,
            ).where(Intervention.village_code.startswith(KLATEN + "."))
        ).all()
        years = sorted({r.budget_year for r in rows})
        kecamatan = sorted({r.village_code[:8] for r in rows})[:3]
        assert len(years) > 1 and len(kecamatan) == 3, "the demo works in several years"
        for year in (None, *years):
            for by in ("program", "category"):
                for open_one in kecamatan:
                    cov = coverage(session, KLATEN, by=by, kecamatan=open_one, year=year)
                    works: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
                    for r in rows:
                        if year is None or r.budget_year == year:
                            key = str(r.program_id) if by == "program" else r.category_code
                            works[(r.village_code[:8], key)].add(r.village_code)
                    assert cov.years == sorted(years, reverse=True)
                    for row in cov.kecamatan:
                        for column in cov.columns:
                            expected = len(works.get((row.code, column.key), ()))
                            assert row.counts[column.key] == expected, (year, by, row.code)
                    selected = cov.selected_row
                    assert selected is not None and selected.code == open_one and selected.rows
                    for village in selected.rows:
                        assert village.code.startswith(open_one + ".")
                        expected_marks = {
                            column.key
                            for column in cov.columns
                            if village.code in works.get((open_one, column.key), ())
                        }
                        assert village.marks == expected_marks, (year, by, village.code)
