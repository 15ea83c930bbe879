"""Every page a person sees fits the phone budget: HTML + CSS + JS under 60 KB uncompressed."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from titiktemu.demo.seed import DEMO_COORDINATOR, DEMO_FACILITATOR, DEMO_PASSWORD
from titiktemu.extensions import db
from titiktemu.matching.rebuild import rebuild_regency
from titiktemu.models import Intervention, Need, OverlapFlag, Person, Proposal

from .conftest import csrf_token
from .snapshot import seeded_demo

BUDGET = 60 * 1024  # bytes, uncompressed
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"?]+)')


def _signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    token = csrf_token(client, "/login")
    answer = client.post(
        "/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 302
    return client


def _weight(client: FlaskClient, path: str) -> int:
    page = client.get(path)
    assert page.status_code == 200, path
    html = page.get_data(as_text=True)
    total = len(page.get_data())
    for asset in sorted(set(ASSET.findall(html))):
        answer = client.get(asset)
        total += len(answer.get_data())
        answer.close()
    return total


@pytest.fixture
def pages(app: Flask) -> dict[str, list[str]]:
    with app.app_context():
        seeded_demo(db.session(), "33.10")
        rebuild_regency(db.session(), "33.10")
        me = db.session.scalars(sa.select(Person).where(Person.email == DEMO_FACILITATOR)).one()
        need = db.session.scalars(sa.select(Need).where(Need.person_id == me.id).limit(1)).one()
        proposal = db.session.scalars(sa.select(Proposal).order_by(Proposal.id).limit(1)).one()
        flag = db.session.scalars(sa.select(OverlapFlag).order_by(OverlapFlag.id).limit(1)).one()
        item = db.session.scalars(sa.select(Intervention).order_by(Intervention.id).limit(1)).one()
        village, program = item.village_code, item.program_id
        paths = {
            DEMO_FACILITATOR: [
                "/",
                "/needs",
                "/needs/new",
                "/offers/new",
                f"/needs/{need.id}",
                "/interventions",
                "/interventions/new",
                "/matches",
                "/profile",
                "/profile?kecamatan=33.10.01",
                "/coverage",
                f"/villages/{village}",
                f"/programs/{program}",
                f"/people/{me.id}",
                f"/graph/village/{village}?r=2",
                "/prospectus",
                f"/prospectus?kecamatan={village[:8]}",
            ],
            DEMO_COORDINATOR: [
                "/review",
                f"/review/{proposal.id}",
                "/overlaps",
                f"/overlaps/{flag.id}",
                "/coverage?kecamatan=33.10.01",
                "/coverage?by=category",
                "/reports/sync",
                "/reports/sync?section=3w",
                "/reports/sync?section=proposals",
                "/admin",
                "/synonyms",
                "/outbox",
                "/invite",
                "/invite?role=partner",
                "/prospectus",
            ],
        }
    return paths


def test_every_page_fits_the_budget(app: Flask, pages: dict[str, list[str]]) -> None:
    over = {}
    for email, paths in pages.items():
        client = _signed_in(app, email)
        for path in paths:
            weight = _weight(client, path)
            if weight >= BUDGET:
                over[path] = weight
    anonymous = app.test_client()
    for path in ("/login", "/reset"):
        if (weight := _weight(anonymous, path)) >= BUDGET:
            over[path] = weight
    assert over == {}, f"pages over {BUDGET} bytes: {over}"
