"""Export then import changes nothing, through the pages a coordinator uses, in CSV and in XLSX.

The demo regency is exported kind by kind (the 3W registry and the import-format tables of
programs, people, offers and needs), then uploaded again: every row must come back "unchanged",
with no problem, and the CSV and XLSX uploads must say exactly the same.
"""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from titiktemu.demo.seed import DEMO_COORDINATOR, DEMO_PASSWORD
from titiktemu.extensions import db
from titiktemu.imports import KINDS
from titiktemu.matching.rebuild import rebuild_regency
from titiktemu.models import AuditEntry, ImportRun, ImportStatus

from .conftest import csrf_token
from .snapshot import seeded_demo

KLATEN = "33.10"


@pytest.fixture
def coordinator(app: Flask, client: FlaskClient, auth) -> FlaskClient:
    with app.app_context():
        seeded_demo(db.session(), KLATEN)
        rebuild_regency(db.session(), KLATEN)
    auth.login(DEMO_COORDINATOR, DEMO_PASSWORD)
    return client


def _export(client: FlaskClient, kind: str, fmt: str) -> bytes:
    answer = client.get(f"/exports/{kind}.{fmt}")
    assert answer.status_code == 200, f"{kind}.{fmt}: {answer.status_code}"
    return bytes(answer.data)


def _check(client: FlaskClient, files: list[tuple[bytes, str]]) -> ImportRun:
    token = csrf_token(client, "/imports")
    answer = client.post(
        "/imports",
        data={
            "csrf_token": token,
            "action": "check",
            "files": [(io.BytesIO(data), name) for data, name in files],
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    found = re.search(r"/imports/(\d+)$", answer.headers["Location"])
    assert found
    with client.application.app_context():
        run = db.session.get(ImportRun, int(found.group(1)))
        assert run is not None
        db.session.expunge(run)
        return run


def _errors(run: ImportRun) -> list[dict[str, object]]:
    return [p for p in run.problems if p.get("level") != "note"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_kind_exported_imports_back_unchanged(
    app: Flask, coordinator: FlaskClient, fmt: str
) -> None:
    files = [(_export(coordinator, kind, fmt), f"{kind}.{fmt}") for kind in KINDS]
    run = _check(coordinator, files)
    assert _errors(run) == [], _errors(run)[:5]
    assert run.status == ImportStatus.CHECKED
    assert set(run.counts) == set(KINDS)
    for kind, counts in run.counts.items():
        assert counts["new"] == 0 and counts["updated"] == 0, (kind, counts)
        assert counts["unchanged"] > 0, kind


def test_csv_and_xlsx_exports_import_alike(app: Flask, coordinator: FlaskClient) -> None:
    runs = {
        fmt: _check(
            coordinator, [(_export(coordinator, kind, fmt), f"{kind}.{fmt}") for kind in KINDS]
        )
        for fmt in ("csv", "xlsx")
    }
    assert runs["csv"].counts == runs["xlsx"].counts
    assert runs["csv"].problems == [] or _errors(runs["csv"]) == _errors(runs["xlsx"]) == []


def test_applying_an_export_changes_nothing_at_all(app: Flask, coordinator: FlaskClient) -> None:
    """Not only "unchanged" in the report: no row is written and no audit line is added."""
    files = [(_export(coordinator, kind, "xlsx"), f"{kind}.xlsx") for kind in KINDS]
    with app.app_context():
        audits = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    token = csrf_token(coordinator, "/imports")
    answer = coordinator.post(
        "/imports",
        data={
            "csrf_token": token,
            "action": "apply",
            "files": [(io.BytesIO(data), name) for data, name in files],
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302
    with app.app_context():
        run = db.session.scalars(sa.select(ImportRun).order_by(ImportRun.id.desc())).first()
        assert run is not None and run.status == ImportStatus.APPLIED
        assert all(c["new"] == 0 and c["updated"] == 0 for c in run.counts.values())
        after = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
        # At most the import's own line; the re-match of an unchanged regency adds nothing.
        assert after is not None and audits is not None and after - audits <= 1


def test_one_workbook_with_every_sheet_imports_like_separate_files(
    app: Flask, coordinator: FlaskClient
) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for kind in KINDS:
        source = openpyxl.load_workbook(io.BytesIO(_export(coordinator, kind, "xlsx")))
        sheet = book.create_sheet(kind)
        for row in source.worksheets[0].iter_rows(values_only=True):
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    run = _check(coordinator, [(out.getvalue(), "klaten.xlsx")])
    assert _errors(run) == []
    assert all(c["new"] == 0 and c["updated"] == 0 for c in run.counts.values())
