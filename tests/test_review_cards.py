"""The review queue keeps rendered cards per process (``web/review/cards.py``): a kept card is
never stale (any value it shows changes its key) and never another person's (the CSRF token and
the return address are filled in per request)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from flask import Flask, request
from flask.testing import FlaskClient
from flask_babel import force_locale

from titiktemu.demo.seed import DEMO_COORDINATOR, DEMO_PASSWORD
from titiktemu.extensions import db
from titiktemu.models import (
    Language,
    Need,
    Person,
    Program,
    Proposal,
    ProposalKind,
    ProposalStatus,
    RegencySettings,
)
from titiktemu.models.base import utcnow
from titiktemu.review.cards import page_cards
from titiktemu.review.queue import QueueFilter, filtered, queue
from web.review.cards import CSRF_MARK, HERE_MARK, CardCache
from web.review.forms import QueueFilterForm, choices, select_html

from .conftest import csrf_token
from .test_web_coordinator import demo, html_of, top_proposal  # noqa: F401 - demo: a fixture

KLATEN = "33.10"
TOKEN = re.compile(
    r'<form method="post" action="/review/(\d+)/decide"[^>]*>\s*'
    r'<input type="hidden" name="csrf_token" value="([^"]*)">'
    r'<input type="hidden" name="next" value="([^"]*)">'
)


def card_of(html: str, proposal_id: int) -> str:
    return html.split(f'id="p{proposal_id}"')[1].split("</article>")[0]


def bulk_token(html: str) -> str:
    form = html.split('<form id="bulk"')[1]
    found = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert found
    return found.group(1)


def signed_in(app: Flask, email: str = DEMO_COORDINATOR) -> FlaskClient:
    client = app.test_client()
    answer = client.post(
        "/login",
        data={"email": email, "password": DEMO_PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert answer.status_code == 302
    return client


@pytest.mark.usefixtures("demo")
def test_a_kept_card_carries_each_readers_token_and_way_back(app: Flask) -> None:
    first, second = signed_in(app), signed_in(app)
    page_one = html_of(first, "/review")
    page_two = html_of(second, "/review?min_score=10")
    assert CSRF_MARK not in page_one + page_two and HERE_MARK not in page_one + page_two
    ones, twos = TOKEN.findall(page_one), TOKEN.findall(page_two)
    assert ones and twos
    # Every card holds the token of the page it is on (the bulk form's), and the two differ.
    assert {t for _, t, _ in ones} == {bulk_token(page_one)}
    assert {t for _, t, _ in twos} == {bulk_token(page_two)}
    assert bulk_token(page_one) != bulk_token(page_two)
    assert {n for _, _, n in ones} == {"/review"}
    assert {n for _, _, n in twos} == {"/review?min_score=10"}
    # The second reader's token in a card the first reader's request rendered decides it.
    shared = next(pid for pid, _, _ in twos if pid in {p for p, _, _ in ones})
    token = next(t for pid, t, _ in twos if pid == shared)
    answer = second.post(
        f"/review/{shared}/decide",
        data={"decision": "convene", "csrf_token": token, "next": "/review?min_score=10"},
    )
    assert answer.status_code == 302 and answer.headers["Location"] == "/review?min_score=10"
    with app.app_context():
        assert db.session.get_one(Proposal, int(shared)).status == ProposalStatus.CONVENE


@pytest.mark.usefixtures("demo")
def test_a_kept_card_follows_every_change_it_shows(app: Flask) -> None:
    client = signed_in(app)
    best = top_proposal(app, kind=ProposalKind.NEED_OFFER)
    html_of(client, "/review")  # the card is now kept
    with app.app_context():
        p = db.session.get_one(Proposal, best.id)
        assert p.need is not None and p.offer is not None and p.need.person is not None
        p.need.title = "Judul kebutuhan yang baru"
        p.offer.person.name = "Nama Baru Pemberi"
        program = db.session.scalars(sa.select(Program).order_by(Program.code)).first()
        assert program is not None
        holder = p.need.person
        if program in holder.programs:
            holder.programs.remove(program)
        else:
            holder.programs.append(program)
        shown_programs = ", ".join(sorted(x.code for x in holder.programs))
        p.reasons = [{**p.reasons[0], "contribution": 0.77}, *p.reasons[1:]]
        db.session.commit()
    card = card_of(html_of(client, "/review"), best.id)
    assert "Judul kebutuhan yang baru" in card
    assert "Nama Baru Pemberi" in card
    assert shown_programs in card or not shown_programs
    assert "+77" in card
    with app.app_context():
        person = db.session.scalars(sa.select(Person).where(Person.email == DEMO_COORDINATOR)).one()
        person.language = Language.ID  # the same card, in the reader's language now
        db.session.commit()
    again = card_of(html_of(client, "/review"), best.id)
    assert "Kebutuhan" in again and "Need</h3>" not in again


@pytest.mark.usefixtures("demo")
def test_the_cards_read_as_the_proposals_they_are(app: Flask) -> None:
    """The queue's plain-value cards hold what the mapped proposals hold, in the same order."""
    with app.app_context():
        session = db.session()
        query = filtered("33.10", QueueFilter(), cutoff=utcnow())
        cards = page_cards(session, query, limit=40, offset=0)
        proposals = session.scalars(
            query.order_by(Proposal.score.desc(), Proposal.id).limit(40)
        ).all()
        assert [c.id for c in cards] == [p.id for p in proposals] and cards
        for card, p in zip(cards, proposals, strict=True):
            assert (card.kind, card.status, card.score) == (p.kind, p.status, p.score)
            assert card.reasons == p.reasons and list(card.village_codes) == p.village_codes
            if p.need is None:
                assert card.need is None
            else:
                assert card.need is not None and card.need.title == p.need.title
                assert card.need.kecamatan.name == p.need.kecamatan.name
                assert (card.need.village and card.need.village.name) == (
                    p.need.village and p.need.village.name
                )
                assert card.need.person is not None and p.need.person is not None
                assert [x.code for x in card.need.person.programs] == [
                    x.code for x in p.need.person.programs
                ]
            if p.offer is not None:
                assert card.offer is not None and card.offer.title == p.offer.title
            if p.person is not None:
                assert card.person is not None and card.person.name == p.person.name
            for mine, theirs in ((card.program_a, p.program_a), (card.program_b, p.program_b)):
                assert (mine and mine.code) == (theirs and theirs.code)
        assert (session.scalar(sa.select(sa.func.count()).select_from(Need)) or 0) > 0


def test_the_cache_keeps_what_was_shown_last() -> None:
    from markupsafe import Markup

    cache = CardCache(kept=2)
    cache.put("a", Markup("A"))
    cache.put("b", Markup("B"))
    assert cache.get("a") == "A"  # a was shown: b is now the oldest
    cache.put("c", Markup("C"))
    assert cache.get("b") is None and cache.get("a") == "A" and cache.get("c") == "C"
    assert len(cache) == 2


@pytest.mark.usefixtures("demo")
def test_the_queue_under_any_filter_lists_what_the_filter_selects(app: Flask) -> None:
    """The queue runs statements built once per shape of filter, the values given each time:
    filter after filter of one shape, each page lists exactly what ``filtered`` selects with
    that filter's own values (none of an earlier filter's kept)."""
    with app.app_context():
        session = db.session()
        kecamatan = sorted(set(session.scalars(sa.select(Need.kecamatan_code))))[:4]
        programs = session.scalars(sa.select(Program.id).order_by(Program.id)).all()[:4]
        filters = [
            QueueFilter(),
            *(QueueFilter(kecamatan=k) for k in kecamatan),
            *(QueueFilter(program_id=p) for p in programs),
            *(QueueFilter(kind=k) for k in ProposalKind),
            *(QueueFilter(min_score=s) for s in (0.3, 0.6)),
            QueueFilter(overdue_only=True),
            QueueFilter(status=ProposalStatus.CONVENE),
            *(
                QueueFilter(kecamatan=k, kind=ProposalKind.NEED_OFFER, min_score=0.4)
                for k in kecamatan
            ),
        ]
        totals: dict[str, set[int]] = {}
        for when in (utcnow(), utcnow() + dt.timedelta(days=30)):  # nothing overdue, then all
            for f in filters:
                first = queue(session, KLATEN, f, per_page=5, now=when)
                expected = session.scalars(
                    filtered(KLATEN, f, first.cutoff)
                    .with_only_columns(Proposal.id)
                    .order_by(Proposal.score.desc(), Proposal.id)
                ).all()
                assert first.total == len(expected), f
                assert [c.id for c in first.items] == expected[:5], f
                second = queue(session, KLATEN, f, page=2, per_page=5, now=when)
                assert [c.id for c in second.items] == expected[5:10] or first.pages == 1, f
                totals.setdefault(
                    "kecamatan" if f.kecamatan else "program" if f.program_id else "other", set()
                ).add(first.total)
        # The values mattered: filters of one shape selected different proposals.
        assert len(totals["kecamatan"]) > 1 and len(totals["program"]) > 1


@pytest.mark.usefixtures("demo")
def test_the_overdue_count_and_the_cards_agree_to_the_second_at_the_deadline(app: Flask) -> None:
    """The queue's cutoff is worked out by the database from the regency's deadline, in the
    statement that counts (``days_before``); the cards are marked with the same cutoff in
    Python. Proposals two seconds either side of it, under the default deadline and a
    regency's own, are counted, filtered and marked alike (a text shift on SQLite, an
    interval on PostgreSQL)."""
    now = utcnow().replace(microsecond=250_000)
    with app.app_context():
        session = db.session()
        ids = session.scalars(
            sa.select(Proposal.id)
            .where(Proposal.regency_code == KLATEN, Proposal.status == ProposalStatus.PROPOSED)
            .order_by(Proposal.id)
        ).all()
        assert len(ids) >= 4
        session.execute(sa.update(Proposal).values(created_at=now))
        for days in (7, 3):  # the default, then the regency's own
            if days != 7:
                session.add(RegencySettings(regency_code=KLATEN, review_deadline_days=days))
            deadline = now - dt.timedelta(days=days)
            around = {
                ids[0]: deadline - dt.timedelta(seconds=2),  # overdue
                ids[1]: deadline - dt.timedelta(milliseconds=20),  # overdue
                ids[2]: deadline + dt.timedelta(milliseconds=20),  # not yet
                ids[3]: deadline + dt.timedelta(seconds=2),  # not yet
            }
            for proposal_id, created in around.items():
                session.execute(
                    sa.update(Proposal).where(Proposal.id == proposal_id).values(created_at=created)
                )
            session.flush()
            page = queue(session, KLATEN, QueueFilter(), per_page=1000, now=now)
            assert page.deadline_days == days and page.cutoff == deadline
            marked = {c.id for c in page.items if page.overdue(c)}
            assert marked == {ids[0], ids[1]}, days
            assert page.overdue_total == 2, days
            listed = queue(session, KLATEN, QueueFilter(overdue_only=True), per_page=1000, now=now)
            assert {c.id for c in listed.items} == marked and listed.total == 2, days
        session.rollback()


def test_a_kept_select_is_what_wtforms_writes_for_its_value_options_and_language(
    app: Flask,
) -> None:
    with app.test_request_context("/review?kecamatan=33.10.05&kind=need_person"):
        form = QueueFilterForm(formdata=request.args)
        form.kecamatan.choices = choices(
            [("", "Semua"), ("33.10.05", "Cawas"), ("33.10.04", "Bayat <Timur>")]
        )
        kept = select_html(form.kecamatan)
        assert kept == form.kecamatan() and 'selected value="33.10.05"' in kept
        assert "Bayat &lt;Timur&gt;" in kept
        form.kecamatan.data = "33.10.04"  # another value: another select
        assert select_html(form.kecamatan) == form.kecamatan() != kept
        form.kecamatan.choices = choices([("", "Semua"), ("33.10.04", "Bayat")])
        assert select_html(form.kecamatan) == form.kecamatan()  # other options
        said_id = select_html(form.kind)
        with force_locale("en"):  # the same field in the other language
            said_en = select_html(form.kind)
            assert said_en == form.kind() and "Need and person" in said_en
        assert said_id == form.kind() != said_en
