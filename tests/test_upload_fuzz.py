"""Whatever arrives through the upload page or the API, the answer is our own: a rejected run with
its problems (or a checked one), never a 500, and nothing but the run row is written."""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from titiktemu.extensions import db
from titiktemu.imports import COLUMNS, KINDS
from titiktemu.models import Intervention, Need, Offer, Person, Program, Role

from .api_support import bearer
from .conftest import PASSWORD, csrf_token

STORED = (Program, Person, Intervention, Offer, Need)

cells = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["=1+1", "+62812", "-5", "@SUM(A1)", "31/02/2026", "1900-01-01", "x" * 5000]),
)


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """A CSV of some kind: its real header, a damaged one or none, rows of odd cells, some
    encoding."""
    kind = draw(st.sampled_from(KINDS))
    header = list(COLUMNS[kind])
    if draw(st.booleans()):
        header = draw(st.permutations(header))[: draw(st.integers(0, len(header)))]
    rows = draw(st.lists(st.lists(cells, max_size=len(header) + 2), max_size=6))
    sep = draw(st.sampled_from([",", ";", "\t"]))
    text = "\n".join(sep.join(c.replace(sep, " ") for c in r) for r in [header, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"]))
    return f"{kind}.csv", text.encode(encoding, errors="replace")


files = st.one_of(
    csv_files(),
    st.tuples(st.sampled_from(["needs.csv", "people.xlsx", "x.xlsx", "3w.csv"]), st.binary()),
    st.tuples(st.just("programs.xlsx"), st.binary(min_size=4).map(lambda b: b"PK\x03\x04" + b)),
)


def _counts(app: Flask) -> list[int]:
    with app.app_context():
        return [
            db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0
            for model in STORED
        ]


FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_the_upload_page_never_fails_on_garbage(
    app: Flask, client: FlaskClient, auth, make_person
) -> None:
    make_person("koord@example.org", role=Role.COORDINATOR)
    auth.login("koord@example.org", PASSWORD)
    token = csrf_token(client, "/imports")
    before = _counts(app)

    @FUZZ
    @given(upload=files, action=st.sampled_from(["check", "apply"]))
    def attempt(upload: tuple[str, bytes], action: str) -> None:
        name, data = upload
        answer = client.post(
            "/imports",
            data={"csrf_token": token, "action": action, "files": [(io.BytesIO(data), name)]},
            content_type="multipart/form-data",
        )
        assert answer.status_code == 302, answer.status_code
        report = client.get(answer.headers["Location"])
        assert report.status_code == 200
        assert _counts(app) == before

    attempt()


def test_the_api_never_fails_on_garbage(app: Flask, client: FlaskClient, make_person) -> None:
    koor = bearer(app, make_person("koord@example.org", role=Role.COORDINATOR))
    before = _counts(app)

    @FUZZ
    @given(upload=files, dry_run=st.sampled_from(["true", "false"]))
    def attempt(upload: tuple[str, bytes], dry_run: str) -> None:
        name, data = upload
        answer = client.post(
            "/api/v1/imports",
            headers=koor,
            data={"file": (io.BytesIO(data), name), "dry_run": dry_run},
            content_type="multipart/form-data",
        )
        assert answer.status_code in (201, 422), answer.get_data(as_text=True)[:300]
        if answer.status_code == 422:
            assert answer.mimetype == "application/problem+json"
        assert _counts(app) == before

    attempt()
