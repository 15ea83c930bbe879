"""POST /imports and the runs it leaves: checked, applied, or rejected with its problems."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient

from titiktemu.extensions import db
from titiktemu.imports import COLUMNS
from titiktemu.models import ImportRun, Program, Role

from .api_support import assert_problem, bearer

API = "/api/v1"


def programs_csv(*rows: list[str]) -> bytes:
    lines = [",".join(COLUMNS["programs"]), *(",".join(r) for r in rows)]
    return ("\n".join(lines) + "\n").encode()


GOOD = ["PKH", "Program Keluarga Harapan", "Kemensos", "apbn", "social_assistance"]
BAD = ["PKH", "Program Keluarga Harapan", "Kemensos", "not-a-source", "social_assistance"]


def upload(client: FlaskClient, headers: dict[str, str], data: bytes, **form: str):
    return client.post(
        f"{API}/imports",
        headers=headers,
        data={"file": (io.BytesIO(data), "programs.csv"), **form},
        content_type="multipart/form-data",
    )


def test_dry_run_then_apply(app: Flask, client: FlaskClient, make_person) -> None:
    koor = bearer(app, make_person("koor@example.org", role=Role.COORDINATOR))
    checked = upload(client, koor, programs_csv(GOOD), dry_run="true", kind="programs")
    assert checked.status_code == 201, checked.get_data(as_text=True)
    run = checked.get_json()
    assert run["status"] == "checked" and run["dry_run"] and run["files"] == ["programs.csv"]
    assert run["counts"]["programs"]["new"] == 1
    with app.app_context():
        assert db.session.query(Program).count() == 0
    applied = upload(client, koor, programs_csv(GOOD))
    assert applied.status_code == 201, applied.get_data(as_text=True)
    assert applied.get_json()["status"] == "applied"
    with app.app_context():
        assert db.session.query(Program).count() == 1
    listed = client.get(f"{API}/imports", headers=koor).get_json()["items"]
    assert [r["status"] for r in listed] == ["checked", "applied"]
    one = client.get(f"{API}/imports/{listed[1]['id']}", headers=koor).get_json()
    assert one["id"] == listed[1]["id"] and isinstance(one["jobs"], list)


def test_a_rejected_import_is_a_422_listing_its_problems(
    app: Flask, client: FlaskClient, make_person
) -> None:
    koor = bearer(app, make_person("koor@example.org", role=Role.COORDINATOR))
    answer = upload(client, koor, programs_csv(BAD))
    problem = assert_problem(answer, 422)
    assert problem["errors"] and all(
        e["field"].startswith("programs.csv") for e in problem["errors"]
    )
    run_url = problem["instance"]
    assert run_url.startswith(f"{API}/imports/")
    run = client.get(run_url, headers=koor).get_json()
    assert run["status"] == "rejected" and run["problems"]
    with app.app_context():
        assert db.session.query(ImportRun).count() == 1
        assert db.session.query(Program).count() == 0


def test_only_coordinators_import_and_the_form_is_checked(
    app: Flask, client: FlaskClient, make_person
) -> None:
    sri = bearer(app, make_person("sri@example.org"))
    assert_problem(upload(client, sri, programs_csv(GOOD)), 403)
    assert_problem(client.get(f"{API}/imports", headers=sri), 403)
    koor = bearer(app, make_person("koor@example.org", role=Role.COORDINATOR))
    wrong_kind = assert_problem(upload(client, koor, programs_csv(GOOD), kind="cats"), 422)
    assert wrong_kind["errors"][0]["field"] == "kind"
    no_file = client.post(
        f"{API}/imports", headers=koor, data={"dry_run": "true"}, content_type="multipart/form-data"
    )
    assert assert_problem(no_file, 422)["errors"][0]["field"] == "file"
    assert_problem(client.post(f"{API}/imports", headers=koor, json={}), 415)
