"""The import pages: check an upload (nothing saved), apply the checked files with one tap, see
every problem by row, download the templates; coordinators only."""

from __future__ import annotations

import io
import re

import openpyxl
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import EnvironBuilder

from titiktemu.extensions import db
from titiktemu.imports import KINDS
from titiktemu.models import ImportFile, ImportRun, ImportStatus, JobRun, JobStatus, Program, Role

from .conftest import PASSWORD, csrf_token

PROGRAMS_CSV = (
    b"code;name;agency;funding_source;categories\n"
    b"PKH;Program Keluarga Harapan;Kemensos;APBN;social_assistance\n"
    b"RTLH;Rumah Tidak Layak Huni;Dinas Perkim;apbd;house_renovation\n"
)


def _coordinator(client: FlaskClient, auth, make_person) -> None:
    make_person("koord@example.org", role=Role.COORDINATOR)
    auth.login("koord@example.org", PASSWORD)


def _upload(client: FlaskClient, data: bytes, name: str, action: str, kind: str = ""):
    token = csrf_token(client, "/imports")
    return client.post(
        "/imports",
        data={
            "csrf_token": token,
            "kind": kind,
            "action": action,
            "files": [(io.BytesIO(data), name)],
        },
        content_type="multipart/form-data",
    )


def _run_id(answer) -> int:
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    found = re.search(r"/imports/(\d+)$", answer.headers["Location"])
    assert found
    return int(found.group(1))


def _programs(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Program.code).order_by(Program.code)))


def test_check_then_apply_the_same_files(
    app: Flask, client: FlaskClient, auth, make_person
) -> None:
    _coordinator(client, auth, make_person)
    checked = _run_id(_upload(client, PROGRAMS_CSV, "programs.csv", "check"))
    assert _programs(app) == []  # a check saves nothing
    page = client.get(f"/imports/{checked}").get_data(as_text=True)
    assert f"/imports/{checked}/apply" in page
    with app.app_context():
        run = db.session.get(ImportRun, checked)
        assert run is not None and run.status == ImportStatus.CHECKED
        assert run.counts["programs"]["new"] == 2
        stored = db.session.scalars(
            sa.select(ImportFile).where(ImportFile.import_run_id == checked)
        )
        assert [f.data for f in stored] == [PROGRAMS_CSV]

    token = csrf_token(client, f"/imports/{checked}")
    applied = _run_id(client.post(f"/imports/{checked}/apply", data={"csrf_token": token}))
    assert applied != checked
    assert _programs(app) == ["PKH", "RTLH"]
    with app.app_context():
        run = db.session.get(ImportRun, applied)
        assert run is not None and run.status == ImportStatus.APPLIED
    # The checked run now points to the import instead of offering it twice.
    again = client.get(f"/imports/{checked}").get_data(as_text=True)
    assert f"/imports/{applied}" in again and f"/imports/{checked}/apply" not in again
    # The same file once more changes nothing.
    third = _run_id(_upload(client, PROGRAMS_CSV, "programs.csv", "apply"))
    with app.app_context():
        run = db.session.get(ImportRun, third)
        assert run is not None and run.counts["programs"] == {
            "new": 0,
            "updated": 0,
            "unchanged": 2,
        }


def test_an_applied_import_rematches_the_regency_and_shows_its_jobs(
    app: Flask, client: FlaskClient, auth, make_person
) -> None:
    _coordinator(client, auth, make_person)
    _run_id(_upload(client, PROGRAMS_CSV, "programs.csv", "apply"))
    interventions = (
        b"program_code,village,activity,start_date,end_date,households,budget_idr,facilitator_email,title\n"
        b"RTLH,33.10.24.2003,house_renovation,2026-02-01,2026-06-30,12,180000000,,Bedah rumah\n"
        b"PKH,33.10.24.2003,social_assistance,01/01/2026,31/12/2026,40,0,,Pendampingan PKH\n"
    )
    run_id = _run_id(_upload(client, interventions, "interventions.csv", "apply"))
    with app.app_context():
        run = db.session.get(ImportRun, run_id)
        assert run is not None and run.status == ImportStatus.APPLIED
        assert run.regency_codes == ["33.10"] and run.job_ids
        jobs = db.session.scalars(sa.select(JobRun).where(JobRun.id.in_(run.job_ids))).all()
        # Embedded default: the rebuild ran in process when the import committed.
        assert [j.status for j in jobs] == [JobStatus.DONE]
    page = client.get(f"/imports/{run_id}").get_data(as_text=True)
    assert "<progress" in page and 'http-equiv="refresh"' not in page


def test_problems_are_listed_by_row_and_nothing_is_saved(
    app: Flask, client: FlaskClient, auth, make_person
) -> None:
    _coordinator(client, auth, make_person)
    bad = PROGRAMS_CSV + b"KOTAKU;Kota Tanpa Kumuh;PUPR;nowhere;slum_upgrading\n"
    run_id = _run_id(_upload(client, bad, "programs.csv", "apply"))
    assert _programs(app) == []
    page = client.get(f"/imports/{run_id}").get_data(as_text=True)
    assert "nowhere" in page and "funding_source" in page
    assert f"/imports/{run_id}/apply" not in page
    with app.app_context():
        run = db.session.get(ImportRun, run_id)
        assert run is not None and run.status == ImportStatus.REJECTED
        assert any(p["row"] == 4 and p["column"] == "funding_source" for p in run.problems)


def test_a_form_without_files_is_refused(client: FlaskClient, auth, make_person) -> None:
    _coordinator(client, auth, make_person)
    token = csrf_token(client, "/imports")
    answer = client.post("/imports", data={"csrf_token": token, "action": "check"})
    assert answer.status_code == 400


def test_too_large_an_upload_is_refused_before_reading(
    app: Flask, client: FlaskClient, auth, make_person
) -> None:
    _coordinator(client, auth, make_person)
    huge = b"code,name\n" + b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    builder = EnvironBuilder(
        path="/imports",
        method="POST",
        data={"csrf_token": csrf_token(client, "/imports"), "files": (io.BytesIO(huge), "p.csv")},
    )
    environ = builder.get_environ()
    try:  # the body is spooled to a temporary file that the 413 never reads: close it here
        answer = client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()
    assert answer.status_code == 413
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportRun)) == 0


def test_facilitators_may_not_import(client: FlaskClient, auth, make_person) -> None:
    make_person("fasil@example.org")
    auth.login("fasil@example.org", PASSWORD)
    assert client.get("/imports").status_code == 403
    assert client.get("/imports/templates/needs.csv").status_code == 403


def test_templates_download_and_import_as_nothing(client: FlaskClient, auth, make_person) -> None:
    _coordinator(client, auth, make_person)
    for kind in KINDS:
        answer = client.get(f"/imports/templates/{kind}.csv")
        assert answer.status_code == 200 and answer.mimetype == "text/csv"
        body = answer.data.decode("utf-8-sig")
        assert body.lstrip('"').startswith("#")  # the comment row, quoted when it holds commas
        check = _run_id(_upload(client, answer.data, f"{kind}.csv", "check"))
        page = client.get(f"/imports/{check}").get_data(as_text=True)
        assert f"/imports/{check}/apply" in page
        one = client.get(f"/imports/templates/{kind}.xlsx")
        assert one.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(one.data))
        assert sheet.sheetnames == [kind]
        first = [c.value for c in next(sheet[kind].iter_rows(max_row=1))]
        assert str(first[0]).startswith("#")  # the Indonesian comment row
    workbook = client.get("/imports/templates/titiktemu.xlsx")
    assert workbook.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(workbook.data))
    assert book.sheetnames == list(KINDS)
