"""The pages people wait for ask the database a fixed number of times, however many rows they
show: no query per card, flag, village or API item (issue 14, "Pages").

Each page is fetched on a regency with a handful of proposals and flags, then again after many
more were added (a full review page, pages of flags, accepted proposals with contacts in the
API); the statements each request sends, counted on the engine, must not grow.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from benchmarks.web_data import Volume, top_up
from harness.statements import Sent, sent_statements
from titiktemu.accounts.tokens import create_token
from titiktemu.demo.seed import DEMO_COORDINATOR, DEMO_FACILITATOR, DEMO_PASSWORD
from titiktemu.extensions import db
from titiktemu.models import Need, Person, Proposal, ProposalStatus
from titiktemu.review.queue import PER_PAGE

from .conftest import csrf_token
from .snapshot import seeded_demo

KLATEN = "33.10"
COORDINATOR_PAGES = (
    "/",
    "/review",
    "/review?page=2",
    "/review?kecamatan={kecamatan}",
    "/overlaps",
    "/overlaps?page=2",
    "/coverage",
    "/coverage?kecamatan={kecamatan}",
    "/api/v1/proposals",
    "/api/v1/proposals?status=accepted",
)
FACILITATOR_PAGES = ("/", "/coverage", "/api/v1/proposals")
#: A row the session already holds answers a lazy load without SQL in one fetch and not in the
#: other, which moves a count by one; a query per card, flag or item moves it by a page's rows
#: (at least PER_PAGE here).
SLACK = 2


@contextmanager
def counted(app: Flask) -> Iterator[list[Sent]]:
    """The SQL statements sent through the app's engine inside the block."""
    with app.app_context():
        engine = db.engine
    with sent_statements(engine) as seen:
        yield seen


def _signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    token = csrf_token(client, "/login")
    answer = client.post(
        "/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 302
    return client


def _grow(app: Flask, volume: Volume, mine: int) -> None:
    """Top the regency up to ``volume``; give the demo facilitator ``mine`` more of the needs
    proposed, and accept half of those (the API then shows their contacts)."""
    with app.app_context():
        session = db.session()
        top_up(session, KLATEN, volume)
        me = session.scalars(sa.select(Person).where(Person.email == DEMO_FACILITATOR)).one()
        theirs = sa.select(Need.id).where(Need.person_id == me.id)
        # A person's needs are unique by title: needs whose title they already have stay put.
        titles = set(session.scalars(sa.select(Need.title_key).where(Need.person_id == me.id)))
        proposals = session.scalars(
            sa.select(Proposal)
            .join(Need, Need.id == Proposal.need_id)
            .where(Proposal.need_id.not_in(theirs))
            .order_by(Proposal.id)
        )
        moved = 0
        for proposal in proposals:
            need = session.get_one(Need, proposal.need_id)
            if need.person_id != me.id:
                if need.title_key in titles:
                    continue
                titles.add(need.title_key)
                need.person_id = me.id
            if moved % 2 == 0:
                proposal.status = ProposalStatus.ACCEPTED
            moved += 1
            if moved == mine:
                break
        session.commit()


def _counts(app: Flask, tokens: dict[str, str]) -> dict[str, int]:
    """Statements per request of each page; a kecamatan filter names the kecamatan of the first
    proposal's need, so the filtered page is never empty (an empty page loads nothing)."""
    with app.app_context():
        first = db.session.scalars(sa.select(Proposal).order_by(Proposal.id).limit(1)).one()
        kecamatan = first.need.kecamatan_code if first.need else ""
        db.session.remove()
    counts = {}
    for email, paths in (
        (DEMO_COORDINATOR, COORDINATOR_PAGES),
        (DEMO_FACILITATOR, FACILITATOR_PAGES),
    ):
        client = _signed_in(app, email)
        auth = {"Authorization": f"Bearer {tokens[email]}"}
        for page in paths:
            path = page.format(kecamatan=kecamatan)
            with counted(app) as statements:
                answer = client.get(path, headers=auth if path.startswith("/api/") else {})
            assert answer.status_code == 200, (email, path, answer.status_code)
            counts[f"{email} {page}"] = len(statements)
    return counts


def _shown(client: FlaskClient, path: str) -> str:
    answer = client.get(path)
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def test_statements_per_page_do_not_grow_with_its_rows(app: Flask) -> None:
    with app.app_context():
        session = db.session()
        seeded_demo(session, KLATEN)
        tokens = {
            email: create_token(
                session,
                session.scalars(sa.select(Person).where(Person.email == email)).one(),
                "query count",
            )[1]
            for email in (DEMO_COORDINATOR, DEMO_FACILITATOR)
        }
        session.commit()
    _grow(app, Volume(proposals=4, flags=3, needs=20, offers=20), mine=2)
    few = _counts(app, tokens)

    _grow(app, Volume(proposals=3 * PER_PAGE + 200, flags=70, needs=60, offers=60), mine=60)
    coordinator = _signed_in(app, DEMO_COORDINATOR)
    # the second fetch really shows more: full pages of cards and flags, a pager on each
    assert _shown(coordinator, "/review").count('class="card proposal') == PER_PAGE
    assert 'rel="next"' in _shown(coordinator, "/overlaps")
    many = _counts(app, tokens)

    grew = {page: (few[page], many[page]) for page in few if many[page] > few[page] + SLACK}
    assert grew == {}, f"statements per request grew with the rows (few, many): {grew}"


@pytest.mark.parametrize("path", ["/review", "/overlaps"])
def test_a_busy_regency_pages_its_lists(app: Flask, path: str) -> None:
    """2,000 flags or 10,000 proposals are never one page: the list shows a page and a pager."""
    with app.app_context():
        seeded_demo(db.session(), KLATEN)
        db.session.commit()
    _grow(app, Volume(proposals=PER_PAGE * 4, flags=90, needs=40, offers=40), mine=0)
    html = _shown(_signed_in(app, DEMO_COORDINATOR), path)
    assert 'rel="next"' in html
    assert html.count('class="card ') <= 20 + 2  # a page of cards, the filter and the gaps
