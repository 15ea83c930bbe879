"""``titiktemu import``: the report, exit codes, templates and the re-matching after an import."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from tests.test_imports_support import INTERVENTIONS, PROGRAMS, SAMPLE, csv_bytes, xlsx_bytes
from titiktemu.extensions import db
from titiktemu.models import ImportRun, ImportStatus, Intervention, JobRun, JobStatus, Role


def _files(tmp_path: Path) -> list[str]:
    paths = []
    for kind, rows in SAMPLE.items():
        path = tmp_path / f"{kind}.csv"
        path.write_bytes(csv_bytes(kind, rows))
        paths.append(str(path))
    return paths


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_dry_run_then_apply(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    files = _files(tmp_path)
    dry = runner.invoke(args=["import", *files, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "interventions: 2 new, 0 updated, 0 unchanged" in dry.output
    assert "Dry run: nothing written." in dry.output
    assert _count(app, Intervention) == 0
    applied = runner.invoke(args=["import", *files])
    assert applied.exit_code == 0, applied.output
    assert "Applied (import" in applied.output
    assert "Re-matched 33.10 (jobs" in applied.output  # embedded: the job ran at commit
    with app.app_context():
        jobs = db.session.scalars(sa.select(JobRun)).all()
        assert [(j.task, j.status) for j in jobs] == [("titiktemu.rebuild_regency", JobStatus.DONE)]
    again = runner.invoke(args=["import", *files])
    assert again.exit_code == 0 and "needs: 0 new, 0 updated, 1 unchanged" in again.output
    assert "Re-matched" not in again.output


def test_rejected_exit_code_and_lines(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    row = [*INTERVENTIONS[0]]
    row[1], row[7] = "Karangannom, Klaten Utara", ""
    (tmp_path / "programs.csv").write_bytes(csv_bytes("programs", PROGRAMS))
    (tmp_path / "data.csv").write_bytes(csv_bytes("interventions", [INTERVENTIONS[1], row]))
    result = runner.invoke(
        args=[
            "import",
            str(tmp_path / "programs.csv"),
            str(tmp_path / "data.csv"),
            "--kind",
            "interventions",
        ]
    )
    assert result.exit_code == 1
    assert "program_code" in result.output  # programs.csv read as interventions: missing columns
    # A file whose name says nothing is read by its header, as a person reads it.
    result = runner.invoke(
        args=["import", str(tmp_path / "programs.csv"), str(tmp_path / "data.csv")]
    )
    assert result.exit_code == 1
    assert "note: data.csv: read as interventions from its column names" in result.output
    (tmp_path / "notes.csv").write_bytes(b"Catatan rapat\nbawa proyektor\n")
    result = runner.invoke(args=["import", str(tmp_path / "notes.csv")])
    assert result.exit_code == 1 and "notes.csv" in result.output and "needs" in result.output
    (tmp_path / "interventions.csv").write_bytes((tmp_path / "data.csv").read_bytes())
    result = runner.invoke(
        args=["import", str(tmp_path / "programs.csv"), str(tmp_path / "interventions.csv")]
    )
    assert result.exit_code == 1
    assert (
        "interventions.csv:3 village 'Karangannom, Klaten Utara': unknown village "
        "'Karangannom' in kecamatan 33.10.24 — did you mean 'Karanganom'?"
    ) in result.output
    assert "Rejected: nothing written (1 problem)." in result.output
    assert _count(app, Intervention) == 0
    with app.app_context():
        statuses = db.session.scalars(sa.select(ImportRun.status)).all()
        assert ImportStatus.REJECTED in statuses


def test_xlsx_and_acting_person(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, make_person: object
) -> None:
    book = tmp_path / "klaten.xlsx"
    book.write_bytes(xlsx_bytes(SAMPLE))
    make_person("f@example.org", role=Role.FACILITATOR)  # type: ignore[operator]
    refused = runner.invoke(args=["import", str(book), "--as", "f@example.org"])
    assert refused.exit_code == 1 and "may not import" in refused.output
    unknown = runner.invoke(args=["import", str(book), "--as", "nobody@example.org"])
    assert unknown.exit_code == 2
    make_person("koor@example.org", role=Role.COORDINATOR)  # type: ignore[operator]
    result = runner.invoke(args=["import", str(book), "--as", "KOOR@example.org"])
    assert result.exit_code == 0, result.output
    assert "offers: 1 new, 0 updated, 0 unchanged" in result.output


def test_templates(runner: FlaskCliRunner, tmp_path: Path) -> None:
    for fmt, kind in (("csv", "needs"), ("xlsx", "all")):
        out = tmp_path / f"{kind}.{fmt}"
        made = runner.invoke(args=["import", "--template", kind, "--format", fmt, "-o", str(out)])
        assert made.exit_code == 0, made.output
        back = runner.invoke(args=["import", str(out)])
        assert back.exit_code == 0, back.output
        assert "0 new, 0 updated, 0 unchanged" in back.output
    assert runner.invoke(args=["import"]).exit_code == 2
