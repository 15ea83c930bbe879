"""Uploaded files are kept only while they serve, and one person cannot flood the imports.

Applied runs keep their files, and so does each person's last checked run (it can be applied with
one tap); rejected runs and replaced checks lose theirs once a day old, by an hourly beat job,
and their pages say so. A person makes at most ``imports_per_hour`` runs an hour through the page
or the API (429 with Retry-After); the operator's command line is not limited.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from titiktemu.app import settings_of
from titiktemu.extensions import db
from titiktemu.imports import TooManyImports, Upload, prune_import_files, run_import
from titiktemu.jobs.queue import celery_of
from titiktemu.models import ImportFile, ImportRun, ImportStatus, Person, Role
from titiktemu.models.base import utcnow
from titiktemu.settings import Settings, SettingsError

from .api_support import assert_problem, bearer
from .conftest import PASSWORD, csrf_token
from .test_imports_support import PROGRAMS, csv_bytes

GOOD = csv_bytes("programs", PROGRAMS)
BAD = csv_bytes("programs", [["PKH", "Program Keluarga Harapan", "Kemensos", "?", "x"]])
HOUR = dt.timedelta(hours=1)


def _run(
    app: Flask, person_id: int | None, data: bytes, *, dry_run: bool, age: dt.timedelta
) -> int:
    """An import run as the services make it (its file kept), then dated ``age`` ago."""
    with app.app_context():
        session = db.session()
        actor = session.get(Person, person_id) if person_id is not None else None
        run = run_import(session, [Upload("programs.csv", data)], actor, dry_run=dry_run)
        run.created_at = utcnow() - age
        session.commit()
        return run.id


def _kept(app: Flask) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(sa.select(ImportFile.import_run_id)))


def _statuses(app: Flask) -> dict[int, ImportStatus]:
    with app.app_context():
        return {i: s for i, s in db.session.execute(sa.select(ImportRun.id, ImportRun.status))}


def test_the_sweep_keeps_exactly_the_files_that_serve(app: Flask, make_person) -> None:
    ani = make_person("ani@example.org", role=Role.COORDINATOR)
    budi = make_person("budi@example.org", role=Role.COORDINATOR)
    day = dt.timedelta(days=1)
    runs = {
        "ani applied, old": _run(app, ani, GOOD, dry_run=False, age=3 * day),
        "ani checked, replaced": _run(app, ani, GOOD, dry_run=True, age=2 * day + HOUR),
        "ani checked, her last": _run(app, ani, GOOD, dry_run=True, age=2 * day),
        "ani rejected, old": _run(app, ani, BAD, dry_run=True, age=day + HOUR),
        "ani rejected, recent": _run(app, ani, BAD, dry_run=False, age=day - HOUR),
        "budi checked, his last": _run(app, budi, GOOD, dry_run=True, age=5 * day),
        "budi rejected, old": _run(app, budi, BAD, dry_run=False, age=25 * HOUR),
        "operator checked, replaced": _run(app, None, GOOD, dry_run=True, age=2 * day),
        "operator checked, last": _run(app, None, GOOD, dry_run=True, age=2 * day),
        "operator rejected, old": _run(app, None, BAD, dry_run=True, age=2 * day),
    }
    statuses = _statuses(app)
    assert [statuses[runs[name]].value for name in runs] == [
        "applied",
        "checked",
        "checked",
        "rejected",
        "rejected",
        "checked",
        "rejected",
        "checked",
        "checked",
        "rejected",
    ]
    assert _kept(app) == set(runs.values())  # today every run keeps its file
    gone = {
        "ani checked, replaced",
        "ani rejected, old",
        "budi rejected, old",
        "operator checked, replaced",
        "operator rejected, old",
    }
    # The hourly beat entry names the task, which runs the sweep.
    celery = celery_of(app)
    import worker.tasks  # noqa: F401 - registers the tasks, as the worker does

    entry = next(
        e for e in celery.conf.beat_schedule.values() if e["task"] == "titiktemu.prune_import_files"
    )
    assert entry["schedule"].minute == {40}  # every hour
    removed = celery.tasks["titiktemu.prune_import_files"].apply().get()
    assert removed == len(gone)
    assert _kept(app) == {runs[name] for name in runs if name not in gone}
    assert set(_statuses(app)) == set(runs.values())  # every run stays, with its report
    with app.app_context():
        assert prune_import_files(db.session()) == 0  # nothing more to do
    # Ani's last check stays hers to apply, however old, until a newer check replaces it.
    _run(app, ani, GOOD, dry_run=True, age=dt.timedelta())
    with app.app_context():
        assert prune_import_files(db.session()) == 1
        db.session.commit()
    assert runs["ani checked, her last"] not in _kept(app)


def test_a_run_without_its_files_says_so(
    app: Flask, client: FlaskClient, auth, make_person
) -> None:
    ani = make_person("ani@example.org", role=Role.COORDINATOR)
    checked = _run(app, ani, GOOD, dry_run=True, age=dt.timedelta(days=2))
    rejected = _run(app, ani, BAD, dry_run=True, age=dt.timedelta(days=2))
    last = _run(app, ani, GOOD, dry_run=True, age=dt.timedelta(days=2))
    auth.login("ani@example.org", PASSWORD)
    before = client.get(f"/imports/{checked}").get_data(as_text=True)
    assert f"/imports/{checked}/apply" in before and "tidak disimpan lagi" not in before
    with app.app_context():
        assert prune_import_files(db.session()) == 2
        db.session.commit()
    for run_id in (checked, rejected):
        page = client.get(f"/imports/{run_id}")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "Berkasnya tidak disimpan lagi" in text, text
        assert "programs.csv" in text  # the names stay, with the report
        assert f"/imports/{run_id}/apply" not in text
    assert "Berkasnya tidak disimpan lagi" not in client.get(f"/imports/{last}").get_data(
        as_text=True
    )
    # A stale page's button: a clear word, not an error page.
    token = csrf_token(client, f"/imports/{last}")
    answer = client.post(f"/imports/{checked}/apply", data={"csrf_token": token})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/imports")
    assert "unggah lagi" in client.get("/imports").get_data(as_text=True)


@pytest.fixture
def three_an_hour(app: Flask, monkeypatch: pytest.MonkeyPatch) -> int:
    limited = dataclasses.replace(settings_of(app), imports_per_hour=3)
    monkeypatch.setitem(app.extensions, "titiktemu.settings", limited)
    return 3


def _page_upload(client: FlaskClient, action: str = "check"):
    return client.post(
        "/imports",
        data={
            "csrf_token": csrf_token(client, "/imports"),
            "kind": "",
            "action": action,
            "files": [(io.BytesIO(GOOD), "programs.csv")],
        },
        content_type="multipart/form-data",
    )


def _runs(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(ImportRun)) or 0


def test_the_page_limits_runs_per_person(
    app: Flask, client: FlaskClient, auth, make_person, three_an_hour: int
) -> None:
    ani = make_person("ani@example.org", role=Role.COORDINATOR)
    _run(app, ani, GOOD, dry_run=True, age=2 * HOUR)  # long ago: does not count
    _run(app, ani, GOOD, dry_run=True, age=50 * dt.timedelta(minutes=1))  # frees in 10 minutes
    auth.login("ani@example.org", PASSWORD)
    first = _page_upload(client)
    assert first.status_code == 302
    second = _page_upload(client, "apply")
    assert second.status_code == 302
    runs = _runs(app)
    refused = _page_upload(client)
    assert refused.status_code == 429
    assert 540 <= int(refused.headers["Retry-After"]) <= 600
    text = refused.get_data(as_text=True)
    assert re.search(r"3 kali.*10 menit", text, re.S), text
    assert _runs(app) == runs  # nothing read, nothing kept
    # Applying a checked run is a run as well.
    checked = int(first.headers["Location"].rsplit("/", 1)[1])
    token = csrf_token(client, f"/imports/{checked}")
    assert client.post(f"/imports/{checked}/apply", data={"csrf_token": token}).status_code == 429
    # Another coordinator has an allowance of their own.
    auth.logout()
    make_person("budi@example.org", role=Role.COORDINATOR)
    auth.login("budi@example.org", PASSWORD)
    assert _page_upload(client).status_code == 302


def test_the_api_limits_runs_per_person_and_the_operator_is_not_limited(
    app: Flask, client: FlaskClient, make_person, three_an_hour: int
) -> None:
    ani = make_person("ani@example.org", role=Role.COORDINATOR)
    headers = bearer(app, ani)

    def upload():
        return client.post(
            "/api/v1/imports",
            headers=headers,
            data={"file": (io.BytesIO(GOOD), "programs.csv"), "dry_run": "true"},
            content_type="multipart/form-data",
        )

    assert [upload().status_code for _ in range(3)] == [201, 201, 201]
    answer = upload()
    problem = assert_problem(answer, 429)
    assert 3590 <= int(answer.headers["Retry-After"]) <= 3600
    assert "At most 3 import runs an hour" in problem["detail"]
    assert _runs(app) == 3
    # The service refuses the same way whoever calls it with a limit; the operator has none.
    with app.app_context():
        session = db.session()
        with pytest.raises(TooManyImports):
            run_import(
                session,
                [Upload("programs.csv", GOOD)],
                session.get(Person, ani),
                dry_run=True,
                per_hour=3,
            )
        for _ in range(4):
            run_import(session, [Upload("programs.csv", GOOD)], None, dry_run=True, per_hour=3)
        session.commit()
    assert _runs(app) == 7


def test_the_allowance_is_a_setting(tmp_path: Path) -> None:
    base = {"TITIKTEMU_INSTANCE_DIR": str(tmp_path)}
    assert Settings.from_env(base).imports_per_hour == 30
    assert Settings.from_env({**base, "TITIKTEMU_IMPORTS_PER_HOUR": "5"}).imports_per_hour == 5
    for wrong in ("0", "many", "-3", "100000"):
        with pytest.raises(SettingsError, match="TITIKTEMU_IMPORTS_PER_HOUR"):
            Settings.from_env({**base, "TITIKTEMU_IMPORTS_PER_HOUR": wrong})
