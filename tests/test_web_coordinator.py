"""The coordinator pages: review queue, overlaps, coverage and place pages, graph view, admin.

On the demo regency (seeded and rebuilt in process). The demo coordinator reads the English UI
here (their saved language is switched), so assertions read like the page and survive the
Indonesian translation; one test checks that the Indonesian UI shows the reasons' Indonesian text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from titiktemu.demo.seed import DEMO_COORDINATOR, DEMO_FACILITATOR, DEMO_PASSWORD
from titiktemu.exchange.commands import set_status
from titiktemu.extensions import db
from titiktemu.matching.reason_text import in_both, labels_for
from titiktemu.matching.rebuild import rebuild_regency
from titiktemu.models import (
    AllowedCombination,
    AuditEntry,
    ExchangeStatus,
    FlagStatus,
    Gap,
    Intervention,
    JobRun,
    JobStatus,
    Kecamatan,
    Language,
    Need,
    OutboxEmail,
    OutboxStatus,
    OverlapFlag,
    Person,
    Program,
    Proposal,
    ProposalKind,
    ProposalStatus,
    RegencySettings,
    Role,
)
from titiktemu.models.base import utcnow
from titiktemu.places import graph_view
from titiktemu.places.regions import load_regions, resolve_codes
from titiktemu.review.queue import GAPS_SHOWN, open_gaps
from web.places.graph_svg import render_svg

from .conftest import PASSWORD, AuthActions, csrf_token
from .snapshot import seeded_and_matched

KLATEN = "33.10"
SLEMAN = "34.04"
STATIC = Path(__file__).resolve().parents[1] / "web" / "static"
PAGE_BUDGET = 60_000  # bytes of HTML + CSS a phone loads for one page
#: A style attribute or element, which the Content-Security-Policy would block.
NO_STYLE = re.compile(r"\sstyle\s*=|<style", re.I)
CARD = re.compile(r'<article class="card proposal[^"]*" id="p(\d+)"')


@dataclass(frozen=True)
class Demo:
    coordinator: int
    facilitator: int


@pytest.fixture
def demo(app: Flask) -> Demo:
    """The demo regency, rebuilt: proposals and overlap flags; its coordinator reads English."""
    with app.app_context():
        seeded_and_matched(db.session(), KLATEN)
        coordinator = person_by_email(DEMO_COORDINATOR)
        coordinator.language = Language.EN
        facilitator = person_by_email(DEMO_FACILITATOR)
        facilitator.language = Language.EN
        db.session.commit()
        return Demo(coordinator.id, facilitator.id)


@pytest.fixture
def coordinator(demo: Demo, auth: AuthActions) -> Demo:
    """The demo coordinator, signed in."""
    assert auth.login(DEMO_COORDINATOR, DEMO_PASSWORD).status_code == 302
    return demo


@pytest.fixture
def sleman(app: Flask) -> str:
    """Regency 34.04 (Sleman) loaded beside Klaten; places stay for the rest of the session."""
    with app.app_context():
        load_regions(db.session(), resolve_codes([SLEMAN]))
        db.session.commit()
    return SLEMAN


def person_by_email(address: str) -> Person:
    return db.session.scalars(sa.select(Person).where(Person.email == address)).one()


def html_of(client: FlaskClient, path: str, status: int = 200) -> str:
    answer = client.get(path)
    assert answer.status_code == status, f"{path}: {answer.status_code}"
    return answer.get_data(as_text=True)


def post(client: FlaskClient, path: str, data: dict[str, object], page: str = "/review"):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page)})


def page_weight(html: str) -> int:
    """The page plus every local stylesheet it links."""
    sheets = re.findall(r'href="/static/([\w.]+\.css)"', html)
    return len(html.encode()) + sum((STATIC / str(s)).stat().st_size for s in sheets)


def top_proposal(app: Flask, **where: object) -> Proposal:
    with app.app_context():
        query = sa.select(Proposal).where(Proposal.status == ProposalStatus.PROPOSED)
        for key, value in where.items():
            query = query.where(getattr(Proposal, key) == value)
        proposal = db.session.scalars(
            query.order_by(Proposal.score.desc(), Proposal.id).limit(1)
        ).one()
        db.session.expunge(proposal)
        return proposal


def status_of(app: Flask, model: type[Proposal] | type[OverlapFlag], ident: int) -> object:
    with app.app_context():
        return db.session.scalar(sa.select(model.status).where(model.id == ident))


def first_flag(app: Flask) -> OverlapFlag:
    with app.app_context():
        flag = db.session.scalars(
            sa.select(OverlapFlag)
            .options(sa.orm.selectinload(OverlapFlag.interventions))
            .order_by(OverlapFlag.severity.desc(), OverlapFlag.id)
            .limit(1)
        ).one()
        for item in flag.interventions:
            _ = (item.program.code, item.facilitator, item.village.name, item.category.label_en)
        db.session.expunge_all()
        return flag


# --- who may see what ---------------------------------------------------------------------------


def test_facilitators_get_403_on_coordinator_pages(
    app: Flask, client: FlaskClient, demo: Demo, auth: AuthActions
) -> None:
    proposal = top_proposal(app)
    flag = first_flag(app)
    auth.login(DEMO_FACILITATOR, DEMO_PASSWORD)
    for path in (
        "/review",
        f"/review/{proposal.id}",
        "/overlaps",
        f"/overlaps/{flag.id}",
        "/admin",
        "/admin/jobs/1",
        "/outbox",
    ):
        assert client.get(path).status_code == 403, path
    token = csrf_token(client, "/coverage")
    for path, data in (
        (f"/review/{proposal.id}/decide", {"decision": "accepted"}),
        ("/review/accept", {"ids": [proposal.id]}),
        (f"/overlaps/{flag.id}/decide", {"action": "acknowledge"}),
        ("/admin/rebuild", {}),
    ):
        assert client.post(path, data={**data, "csrf_token": token}).status_code == 403, path
    assert status_of(app, Proposal, proposal.id) == ProposalStatus.PROPOSED
    # The place pages are for every signed-in person of the regency.
    assert client.get("/coverage").status_code == 200
    assert client.get(f"/villages/{flag.village_code}").status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient, demo: Demo) -> None:
    for path in ("/review", "/overlaps", "/coverage", "/villages/33.10.01.2001", "/admin"):
        answer = client.get(path)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"], path


def test_another_regency_gets_404(
    app: Flask,
    client: FlaskClient,
    coordinator: Demo,
    auth: AuthActions,
    make_person,
    sleman: str,
) -> None:
    proposal = top_proposal(app)
    flag = first_flag(app)
    post(client, "/admin/rebuild", {}, "/admin")
    with app.app_context():
        job_id = db.session.scalars(sa.select(JobRun.id)).first()
    auth.logout()
    make_person("koor.sleman@example.org", role=Role.COORDINATOR, regency_code=sleman)
    make_person("pendamping.sleman@example.org", regency_code=sleman, name="Joko Sleman")
    auth.login("koor.sleman@example.org", PASSWORD)
    for path in (
        f"/review/{proposal.id}",
        f"/overlaps/{flag.id}",
        f"/admin/jobs/{job_id}",
        f"/villages/{flag.village_code}",
        f"/people/{coordinator.facilitator}",
        f"/graph/village/{flag.village_code}",
        f"/graph/person/{coordinator.facilitator}",
    ):
        assert client.get(path).status_code == 404, path
    answer = post(client, f"/review/{proposal.id}/decide", {"decision": "accepted"})
    assert answer.status_code == 404
    answer = post(client, "/review/accept", {"ids": [proposal.id]})
    assert status_of(app, Proposal, proposal.id) == ProposalStatus.PROPOSED
    answer = post(client, f"/overlaps/{flag.id}/decide", {"action": "acknowledge"}, "/overlaps")
    assert answer.status_code == 404
    assert status_of(app, OverlapFlag, flag.id) == FlagStatus.OPEN
    # Their own queue is empty: Klaten's proposals do not leak into it.
    assert CARD.findall(html_of(client, "/review")) == []
    auth.logout()
    auth.login("pendamping.sleman@example.org", PASSWORD)
    assert client.get(f"/villages/{flag.village_code}").status_code == 404
    assert client.get(f"/people/{coordinator.facilitator}").status_code == 404


# --- the review queue ---------------------------------------------------------------------------


def test_queue_shows_both_sides_and_why(app: Flask, client: FlaskClient, coordinator: Demo) -> None:
    html = html_of(client, "/review")
    cards = CARD.findall(html)
    assert 0 < len(cards) <= 15  # paged
    best = top_proposal(app)
    assert int(cards[0]) == best.id
    with app.app_context():
        p = db.session.get(Proposal, best.id)
        assert p is not None and p.need is not None
        card = html.split(f'id="p{p.id}"')[1].split("</article>")[0]
        assert p.need.title in card
        assert f'href="/needs/{p.need.id}"' in card
        assert f'href="/people/{p.need.person_id}"' in card
        if p.offer is not None:
            assert p.offer.title in card and f'href="/offers/{p.offer.id}"' in card
        for reason in p.reasons:
            assert in_both(reason, labels_for(db.session()))["en"] in card
        assert 'name="decision" value="accepted"' in card
        assert 'name="decision" value="convene"' in card
        assert re.search(r'<textarea[^>]*name="note"[^>]*required', card)
        assert f'name="ids" value="{p.id}" form="bulk"' in card
    assert "Page 1 of" in html
    assert page_weight(html) < PAGE_BUDGET
    second = html_of(client, "/review?page=2")
    assert not set(CARD.findall(second)) & set(cards)


def test_a_synergy_card_shows_both_programs_and_villages(
    app: Flask, client: FlaskClient, coordinator: Demo
) -> None:
    synergy = top_proposal(app, kind=ProposalKind.PROGRAM_SYNERGY)
    html = html_of(client, "/review?kind=program_synergy")
    assert CARD.findall(html) == [str(synergy.id)]
    card = html.split(f'id="p{synergy.id}"')[1].split("</article>")[0]
    assert f'href="/programs/{synergy.program_a_id}"' in card
    assert f'href="/programs/{synergy.program_b_id}"' in card
    for code in synergy.village_codes:
        assert f'href="/villages/{code}"' in card


def test_accept_introduces_both_sides_and_leaves_the_queue(
    app: Flask, client: FlaskClient, coordinator: Demo
) -> None:
    proposal = top_proposal(app, rank=1)
    assert str(proposal.id) in CARD.findall(html_of(client, "/review"))
    answer = post(
        client, f"/review/{proposal.id}/decide", {"decision": "accepted", "next": "/review"}
    )
    assert answer.status_code == 302 and answer.headers["Location"] == "/review"
    with app.app_context():
        decided = db.session.get(Proposal, proposal.id)
        assert decided is not None and decided.status == ProposalStatus.ACCEPTED
        assert decided.reviewer_id == coordinator.coordinator
        intros = db.session.scalars(
            sa.select(OutboxEmail).where(OutboxEmail.template == "introduction")
        ).all()
        assert len(intros) == 2
        assert all(e.dedupe_key.startswith(f"intro:{proposal.id}:") for e in intros)
    html = html_of(client, "/review")
    assert "Accepted: both sides get an introduction by email." in html
    assert str(proposal.id) not in CARD.findall(html)
    detail = html_of(client, f"/review/{proposal.id}")
    assert "Accepted" in detail and 'name="decision"' not in detail
    # Deciding again is refused, nothing more is mailed.
    again = post(client, f"/review/{proposal.id}/decide", {"decision": "declined", "note": "x"})
    assert again.status_code == 409
    assert "already decided by Hendra Kurniawan" in again.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(OutboxEmail)
                .where(OutboxEmail.template == "introduction")
            )
            == 2
        )


def test_decline_needs_a_reason(app: Flask, client: FlaskClient, coordinator: Demo) -> None:
    proposal = top_proposal(app)
    answer = post(client, f"/review/{proposal.id}/decide", {"decision": "declined", "note": "  "})
    assert answer.status_code == 400
    assert "Please say why you decline." in answer.get_data(as_text=True)
    assert status_of(app, Proposal, proposal.id) == ProposalStatus.PROPOSED
    answer = post(
        client,
        f"/review/{proposal.id}/decide",
        {"decision": "declined", "note": "Sudah ditangani Baznas"},
    )
    assert answer.status_code == 302
    with app.app_context():
        decided = db.session.get(Proposal, proposal.id)
        assert decided is not None and decided.status == ProposalStatus.DECLINED
        assert decided.decision_note == "Sudah ditangani Baznas"
        audit = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "proposal.declined")
        ).one()
        assert audit.actor_id == coordinator.coordinator
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(OutboxEmail)
                .where(OutboxEmail.template == "introduction")
            )
            == 0
        )
    assert "Sudah ditangani Baznas" in html_of(client, f"/review/{proposal.id}")


def test_convene_marks_for_the_forum(app: Flask, client: FlaskClient, coordinator: Demo) -> None:
    proposal = top_proposal(app)
    answer = post(client, f"/review/{proposal.id}/decide", {"decision": "convene"})
    assert answer.status_code == 302
    assert status_of(app, Proposal, proposal.id) == ProposalStatus.CONVENE
    assert str(proposal.id) not in CARD.findall(html_of(client, "/review"))
    forum = html_of(client, "/review?status=convene")
    assert CARD.findall(forum) == [str(proposal.id)]
    assert 'value="convene"' not in forum.split(f'id="p{proposal.id}"')[1]
    # From the forum list it can still be accepted.
    post(client, f"/review/{proposal.id}/decide", {"decision": "accepted"})
    assert status_of(app, Proposal, proposal.id) == ProposalStatus.ACCEPTED


def test_bulk_accept(app: Flask, client: FlaskClient, coordinator: Demo) -> None:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(Proposal)
            .where(Proposal.rank == 1, Proposal.status == ProposalStatus.PROPOSED)
            .order_by(Proposal.id)
        ).all()
        chosen, seen = [], set()
        for p in rows:  # different needs, so each gets its own introductions
            if p.need_id not in seen:
                seen.add(p.need_id)
                chosen.append(p.id)
            if len(chosen) == 3:
                break
        untouched = next(p.id for p in rows if p.id not in chosen)
    answer = post(client, "/review/accept", {"ids": chosen, "next": "/review?kind=need_offer"})
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/review?kind=need_offer"
    with app.app_context():
        statuses = db.session.scalars(
            sa.select(Proposal.status).where(Proposal.id.in_(chosen))
        ).all()
        assert set(statuses) == {ProposalStatus.ACCEPTED}
    assert status_of(app, Proposal, untouched) == ProposalStatus.PROPOSED
    with app.app_context():
        intros = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxEmail)
            .where(OutboxEmail.template == "introduction")
        )
        assert intros == 2 * len(chosen)
    assert "3 proposals accepted." in html_of(client, "/review")
    # Nothing ticked: told so, nothing changes.
    post(client, "/review/accept", {})
    assert "Tick the proposals to accept first." in html_of(client, "/review")


def test_overdue_after_the_regency_deadline(
    app: Flask, client: FlaskClient, coordinator: Demo
) -> None:
    old = top_proposal(app, rank=1)
    with app.app_context():
        row = db.session.get(Proposal, old.id)
        assert row is not None
        row.created_at = utcnow() - dt.timedelta(days=10)
        db.session.commit()
    html = html_of(client, "/review")
    card = html.split(f'id="p{old.id}"')[0].rsplit("<article", 1)[1]
    assert "overdue" in card  # the article's class
    assert html.count('<span class="badge overdue">Overdue</span>') == 1
    assert "waiting 10 days" in html
    assert CARD.findall(html_of(client, "/review?overdue=y")) == [str(old.id)]
    assert "overdue after 7 days" in html
    # A regency that allows two weeks does not count it overdue yet.
    with app.app_context():
        db.session.add(RegencySettings(regency_code=KLATEN, review_deadline_days=14))
        db.session.commit()
    html = html_of(client, "/review")
    assert "Overdue</span>" not in html and "overdue after 14 days" in html
    assert CARD.findall(html_of(client, "/review?overdue=y")) == []


def test_filters_narrow_the_list(app: Flask, client: FlaskClient, coordinator: Demo) -> None:
    def total(path: str) -> int:
        match = re.search(r"(\d+) proposals?\b", html_of(client, path))
        assert match, path
        return int(match.group(1))

    everything = total("/review")
    with app.app_context():
        p = db.session.scalars(
            sa.select(Proposal).where(Proposal.need_id.is_not(None)).order_by(Proposal.id)
        ).first()
        assert p is not None and p.need is not None
        kecamatan = p.need.kecamatan_code
        in_kecamatan = (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Proposal)
                .join(Need, Proposal.need_id == Need.id)
                .where(Need.kecamatan_code == kecamatan, Proposal.status == ProposalStatus.PROPOSED)
            )
            or 0
        )
        program = p.need.person.programs[0]
        high = (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Proposal)
                .where(Proposal.score >= 0.9, Proposal.status == ProposalStatus.PROPOSED)
            )
            or 0
        )
    narrowed = total(f"/review?kecamatan={kecamatan}")
    assert 0 < narrowed == in_kecamatan < everything
    assert 0 < total(f"/review?program={program.id}") < everything
    assert total("/review?min_score=90") == high < everything
    html = html_of(client, f"/review?kecamatan={kecamatan}&kind=need_offer&min_score=50")
    with app.app_context():
        for ident in CARD.findall(html):
            listed = db.session.get(Proposal, int(ident))
            assert listed is not None and listed.need is not None
            assert listed.need.kecamatan_code == kecamatan
            assert listed.kind == ProposalKind.NEED_OFFER and listed.score >= 0.5
    # The filter form keeps what was chosen; a nonsense value is ignored, not an error.
    assert f'<option selected value="{kecamatan}">' in html
    assert total("/review?kind=nonsense&min_score=abc") == everything


def test_reasons_follow_the_language(app: Flask, client: FlaskClient, coordinator: Demo) -> None:
    proposal = top_proposal(app)
    with app.app_context():
        reason = in_both(proposal.reasons[0], labels_for(db.session()))
    html = html_of(client, f"/review/{proposal.id}")
    assert reason["en"] in html and reason["id"] not in html
    client.post("/language", data={"lang": "id", "csrf_token": csrf_token(client, "/review")})
    html = html_of(client, f"/review/{proposal.id}")
    assert reason["id"] in html and reason["en"] not in html


def test_a_proposal_that_went_says_why(app: Flask, client: FlaskClient, coordinator: Demo) -> None:
    proposal = top_proposal(app, kind=ProposalKind.NEED_OFFER)
    before = html_of(client, f"/review/{proposal.id}")
    assert '<p class="notice retired">' not in before
    with app.app_context():
        need = db.session.get(Need, proposal.need_id)
        assert need is not None
        set_status(db.session(), need.person, need, ExchangeStatus.WITHDRAWN)
        db.session.commit()  # matching retires the need's proposals, in process
        gone = db.session.get(Proposal, proposal.id)
        assert gone is not None and gone.status == ProposalStatus.OBSOLETE
        assert gone.retired_reason is not None
        assert gone.retired_reason["code"] == "retired.need_closed"
        why = in_both(gone.retired_reason, labels_for(db.session()))
    html = html_of(client, f"/review/{proposal.id}")
    assert f"This suggestion is no longer current: {why['en']}" in html
    assert why["id"] not in html
    assert 'value="accepted"' not in html  # nothing left to decide
    client.post("/language", data={"lang": "id", "csrf_token": csrf_token(client, "/review")})
    html = html_of(client, f"/review/{proposal.id}")
    assert f"Saran ini tidak berlaku lagi: {why['id']}" in html


def test_the_queue_lists_the_needs_nobody_can_meet_yet(
    app: Flask, client: FlaskClient, coordinator: Demo
) -> None:
    with app.app_context():
        gaps = open_gaps(db.session(), KLATEN)
        assert gaps.items, "the demo has needs nobody can meet"
        assert len(gaps.items) == min(gaps.total, GAPS_SHOWN)
        first = gaps.items[0]
        need_id, title, kecamatan = first.need_id, first.need.title, first.need.kecamatan_code
        words = in_both(first.reasons[0], labels_for(db.session()))
        said = (words["en"], words["id"])
        codes = db.session.scalars(
            sa.select(Kecamatan.code).where(Kecamatan.regency_code == KLATEN)
        ).all()
        elsewhere = next(k for k in sorted(codes) if not open_gaps(db.session(), KLATEN, k).total)
    html = html_of(client, "/review")
    section = html.split('<section class="card gaps" id="gaps"')[1].split("</section>")[0]
    assert f'href="/needs/{need_id}"' in section and title in section
    assert f"Not yet met: {said[0]}" in section and said[1] not in section
    assert section.count('href="/needs/') == len(gaps.items)
    lead = html.split('<p class="lead">')[1].split("</p>")[0]
    assert 'href="#gaps"' in lead and str(gaps.total) in lead
    assert page_weight(html) < PAGE_BUDGET
    # Narrowed to a kecamatan, only its gaps; none there, no section.
    narrowed = html_of(client, f"/review?kecamatan={kecamatan}")
    assert f'href="/needs/{need_id}"' in narrowed.split('id="gaps"')[1]
    assert 'id="gaps"' not in html_of(client, f"/review?kecamatan={elsewhere}")
    client.post("/language", data={"lang": "id", "csrf_token": csrf_token(client, "/review")})
    indonesian = html_of(client, "/review")
    assert f"Belum ada yang bisa: {said[1]}" in indonesian
    # The need page a coordinator opens from there says it too.
    assert said[1] in html_of(client, f"/needs/{need_id}")


# --- overlaps -----------------------------------------------------------------------------------


def test_overlap_list_and_side_by_side(app: Flask, client: FlaskClient, coordinator: Demo) -> None:
    flag = first_flag(app)
    listing = html_of(client, "/overlaps")
    assert f'href="/overlaps/{flag.id}"' in listing
    html = html_of(client, f"/overlaps/{flag.id}")
    for item in flag.interventions:
        assert item.title in html
        assert f'href="/interventions/{item.id}"' in html
        assert f'href="/programs/{item.program_id}"' in html
        assert f"{item.households:,}" in html
        assert f"Rp {item.budget_idr:,}" in html
        assert item.start_date.strftime("%b %-d, %Y") in html
        if item.facilitator is not None:
            assert item.facilitator.name in html
    with app.app_context():
        labels = labels_for(db.session())
    for reason in flag.reasons:
        assert in_both(reason, labels)["en"] in html
    level = graph_level(flag.severity)
    assert f'<span class="badge sev-{level}">' in html
    assert page_weight(html) < PAGE_BUDGET


def graph_level(severity: float) -> str:
    from titiktemu.overlaps.review import severity_level

    return severity_level(severity)


def test_acknowledge_then_resolve_with_a_note(
    app: Flask, client: FlaskClient, coordinator: Demo
) -> None:
    flag = first_flag(app)
    page = f"/overlaps/{flag.id}"
    post(client, f"/overlaps/{flag.id}/decide", {"action": "acknowledge"}, page)
    assert status_of(app, OverlapFlag, flag.id) == FlagStatus.ACKNOWLEDGED
    answer = post(client, f"/overlaps/{flag.id}/decide", {"action": "resolve", "note": ""}, page)
    assert answer.status_code == 400
    assert "Please say how it was resolved." in answer.get_data(as_text=True)
    assert status_of(app, OverlapFlag, flag.id) == FlagStatus.ACKNOWLEDGED
    note = "Daftar penerima RTLH dan CSR sudah dipadukan"
    post(client, f"/overlaps/{flag.id}/decide", {"action": "resolve", "note": note}, page)
    with app.app_context():
        row = db.session.get(OverlapFlag, flag.id)
        assert row is not None and row.status == FlagStatus.RESOLVED
        assert row.decision_note == note and row.reviewer_id == coordinator.coordinator
        actions = db.session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.object_type == "overlap_flag", AuditEntry.object_id == str(flag.id))
            .order_by(AuditEntry.id)
        ).all()
        assert actions[-2:] == ["flag.acknowledged", "flag.resolved"]
    html = html_of(client, page)
    assert note in html and 'value="resolve"' not in html
    assert f'href="/overlaps/{flag.id}"' not in html_of(client, "/overlaps")
    assert f'href="/overlaps/{flag.id}"' in html_of(client, "/overlaps?show=resolved")


def test_a_flag_an_intervention_joins_says_so_and_reopens(
    app: Flask, client: FlaskClient, coordinator: Demo
) -> None:
    flag = first_flag(app)
    page = f"/overlaps/{flag.id}"
    assert '<p class="notice change">' not in html_of(client, page)
    post(client, f"/overlaps/{flag.id}/decide", {"action": "acknowledge"}, page)
    with app.app_context():
        member = db.session.get(Intervention, flag.interventions[0].id)
        assert member is not None
        used = {i.program_id for i in flag.interventions}
        newcomer = db.session.scalars(
            sa.select(Program).where(Program.id.not_in(used)).order_by(Program.id)
        ).first()
        assert newcomer is not None
        # The same work, in the same village and months, by a program outside the decision.
        db.session.add(
            Intervention(
                program_id=newcomer.id,
                village_code=member.village_code,
                category_code=member.category_code,
                title="Bedah rumah tambahan",
                start_date=member.start_date,
                end_date=member.end_date,
                budget_year=member.budget_year,
                households=member.households,
                budget_idr=member.budget_idr,
            )
        )
        db.session.commit()
        rebuild_regency(db.session(), KLATEN)
        db.session.commit()
        row = db.session.get(OverlapFlag, flag.id)
        assert row is not None and row.status == FlagStatus.OPEN
        assert row.change_note is not None and row.change_note["code"] == "flag.reopened"
        note = in_both(row.change_note, labels_for(db.session()))
        code = newcomer.code
    html = html_of(client, page)
    assert f"Latest change: {note['en']}" in html and note["id"] not in html
    assert f"Bedah rumah tambahan ({code}) joined" in html
    client.post("/language", data={"lang": "id", "csrf_token": csrf_token(client, page)})
    assert f"Perubahan terakhir: {note['id']}" in html_of(client, page)


def test_allowing_a_combination_rebuilds_the_regency(
    app: Flask, client: FlaskClient, coordinator: Demo
) -> None:
    flag = first_flag(app)
    programs = sorted({i.program_id for i in flag.interventions})
    post(client, f"/overlaps/{flag.id}/decide", {"action": "allow", "note": "Boleh"}, "/overlaps")
    with app.app_context():
        row = db.session.get(OverlapFlag, flag.id)
        assert row is not None and row.status == FlagStatus.ALLOWED
        pairs = db.session.execute(
            sa.select(AllowedCombination.program_a_id, AllowedCombination.program_b_id).where(
                AllowedCombination.regency_code == KLATEN
            )
        ).all()
        assert sorted(pairs) == [(a, b) for i, a in enumerate(programs) for b in programs[i + 1 :]]
        job = db.session.scalars(
            sa.select(JobRun).where(JobRun.task == "titiktemu.rebuild_regency")
        ).one()
        assert job.args == [KLATEN] and job.regency_code == KLATEN
        assert job.status == JobStatus.DONE  # ran in process after the commit
        # The rebuild leaves the decision alone and raises no flag of the pair again.
        for other in db.session.scalars(
            sa.select(OverlapFlag).where(OverlapFlag.status == FlagStatus.OPEN)
        ):
            assert {i.program_id for i in other.interventions} != set(programs)
    assert "Allowed" in html_of(client, f"/overlaps/{flag.id}")


# --- coverage and place pages -------------------------------------------------------------------


def village_row(html: str, code: str) -> str:
    match = re.search(
        rf'<tr><th scope="row" class="name"><a href="/villages/{code}">.*?</tr>', html, re.S
    )
    assert match, code
    return match.group(0)


def test_coverage_summary_then_one_kecamatan(
    app: Flask, client: FlaskClient, coordinator: Demo
) -> None:
    flag = first_flag(app)
    item = flag.interventions[0]
    kecamatan = flag.village_code[:8]
    with app.app_context():
        need = db.session.scalars(
            sa.select(Need).where(Need.village_code.is_not(None)).order_by(Need.id)
        ).first()
        assert need is not None and need.village_code is not None
        db.session.add(Gap(need_id=need.id, regency_code=KLATEN, reasons=[{"name": "no_skill"}]))
        db.session.commit()
        gap_village, gap_kecamatan = need.village_code, need.kecamatan_code
        kecamatan_count = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(sa.table("kecamatan", sa.column("regency_code")))
            .where(sa.column("regency_code") == KLATEN)
        )
    summary = html_of(client, "/coverage")
    assert summary.count('<details id="k33.10.') == kecamatan_count == 26
    assert "/villages/" not in summary  # no village rows until a kecamatan is asked for
    assert f'title="{item.program.name}"' in summary
    assert page_weight(summary) < PAGE_BUDGET

    html = html_of(client, f"/coverage?kecamatan={kecamatan}")
    assert f'<details id="k{kecamatan}" class="kec" open>' in html
    row = village_row(html, flag.village_code)
    assert '<span class="mk flag"' in row
    assert f'<span class="on" title="{item.program.code}">' in row
    assert page_weight(html) < PAGE_BUDGET
    by_category = html_of(client, f"/coverage?kecamatan={kecamatan}&by=category")
    label = item.category.label_en
    assert f'<span class="on" title="{label}">' in village_row(by_category, flag.village_code)
    gaps = html_of(client, f"/coverage?kecamatan={gap_kecamatan}")
    assert '<span class="mk gap"' in village_row(gaps, gap_village)
    year = html_of(client, f"/coverage?kecamatan={kecamatan}&year=1999")
    assert '<span class="on"' not in village_row(year, flag.village_code)


def test_the_biggest_kecamatan_stays_light(
    app: Flask, client: FlaskClient, coordinator: Demo
) -> None:
    with app.app_context():
        biggest = db.session.execute(
            sa.text(
                "SELECT kecamatan_code FROM villages WHERE code >= '33.10.' AND code < '33.10/' "
                "GROUP BY kecamatan_code ORDER BY count(*) DESC LIMIT 1"
            )
        ).scalar_one()
    for by in ("program", "category"):
        html = html_of(client, f"/coverage?kecamatan={biggest}&by={by}")
        assert page_weight(html) < PAGE_BUDGET


def test_village_page(app: Flask, client: FlaskClient, demo: Demo, auth: AuthActions) -> None:
    flag = first_flag(app)
    with app.app_context():
        items = db.session.scalars(
            sa.select(Intervention).where(Intervention.village_code == flag.village_code)
        ).all()
        titles = [i.title for i in items]
        person = person_by_email(DEMO_FACILITATOR)
        need = db.session.scalars(
            sa.select(Need).where(Need.person_id == person.id, Need.village_code.is_not(None))
        ).first()
        assert need is not None
        need_village, need_title = need.village_code, need.title
    auth.login(DEMO_FACILITATOR, DEMO_PASSWORD)  # a facilitator may look too
    html = html_of(client, f"/villages/{flag.village_code}")
    for title in titles:
        assert title in html
    assert "Overlaps" in html
    assert f'href="/overlaps/{flag.id}"' not in html  # the flag page is for coordinators
    assert f'href="/graph/village/{flag.village_code}"' in html
    html = html_of(client, f"/villages/{need_village}")
    assert need_title in html and f'href="/needs/{need.id}"' in html
    assert f'href="/people/{demo.facilitator}"' in html
    assert client.get("/villages/33.10.99.9999").status_code == 404


def test_program_page(app: Flask, client: FlaskClient, coordinator: Demo) -> None:
    synergy = top_proposal(app, kind=ProposalKind.PROGRAM_SYNERGY)
    program_id = synergy.program_a_id
    with app.app_context():
        items = db.session.scalars(
            sa.select(Intervention).where(Intervention.program_id == program_id)
        ).all()
        villages = {i.village_code for i in items}
        people = db.session.scalars(
            sa.select(Person).where(Person.programs.any(id=program_id))
        ).all()
        names = [p.name for p in people]
        titles = [i.title for i in items][:10]
    html = html_of(client, f"/programs/{program_id}")
    for code in villages:
        assert f'href="/villages/{code}"' in html
    for name in names:
        assert name in html
    for title in titles:
        assert title in html
    assert f'href="/review/{synergy.id}"' in html  # its synergy, for the coordinator
    assert client.get("/programs/99999").status_code == 404


def test_contact_details_only_for_coordinators_and_oneself(
    app: Flask, client: FlaskClient, demo: Demo, auth: AuthActions, make_person
) -> None:
    with app.app_context():
        sri = db.session.get(Person, demo.facilitator)
        assert sri is not None
        email, skills = sri.email, [s.label_en for s in sri.skills]
        villages = [v.code for v in sri.villages]
    other = make_person("tri@example.org", name="Tri Handayani")
    auth.login("tri@example.org", PASSWORD)
    with app.app_context():
        tri = db.session.get(Person, other)
        assert tri is not None
        tri.language = Language.EN
        db.session.commit()
    html = html_of(client, f"/people/{demo.facilitator}")
    assert "Sri Wahyuni" in html and email not in html and "mailto:" not in html
    for label in skills:
        assert label in html
    for code in villages:
        assert f'href="/villages/{code}"' in html
    assert "mailto:tri@example.org" in html_of(client, f"/people/{other}")  # oneself
    auth.logout()
    auth.login(DEMO_COORDINATOR, DEMO_PASSWORD)
    assert f"mailto:{email}" in html_of(client, f"/people/{demo.facilitator}")
    assert client.get("/people/999999").status_code == 404


# --- graph view ---------------------------------------------------------------------------------


def test_graph_view_is_an_svg_of_links(app: Flask, client: FlaskClient, coordinator: Demo) -> None:
    flag = first_flag(app)
    html = html_of(client, f"/graph/village/{flag.village_code}")
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'viewBox="0 0 360 ' in svg
    assert not NO_STYLE.search(svg) and "<script" not in html
    for item in flag.interventions:
        assert f'href="/interventions/{item.id}"' in svg
        assert item.title[:20] in svg
    assert f'href="/villages/{flag.village_code}"' in svg  # the centre
    assert flag.interventions[0].village.name in svg
    wide = html_of(client, f"/graph/person/{coordinator.facilitator}?r=2")
    svg = wide.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert svg.count("<circle") <= graph_view.MAX_NODES
    assert "more, not drawn" in svg
    assert 'href="/programs/' in svg and 'href="/needs/' in svg and 'href="/offers/' in svg
    assert not NO_STYLE.search(svg)
    assert page_weight(wide) < PAGE_BUDGET
    program = html_of(client, f"/graph/program/{flag.interventions[0].program_id}")
    assert "<svg" in program
    assert client.get("/graph/planet/1").status_code == 404
    assert client.get("/graph/person/abc").status_code == 404
    assert client.get("/graph/village/33.10.99.9999").status_code == 404


def star() -> nx.Graph:
    """A village with 30 interventions, 12 people, a kecamatan; people have skills."""
    g = nx.Graph()
    g.add_node("v1", kind="village", label="Desa <Satu> & Dua")
    g.add_node("k1", kind="kecamatan", label="Kec")
    g.add_edge("v1", "k1")
    for i in range(30):
        g.add_node(f"i{i}", kind="intervention", label=f"Intervensi {i:02d}")
        g.add_edge("v1", f"i{i}")
    for i in range(12):
        g.add_node(f"u{i}", kind="person", label=f"Orang {i:02d}")
        g.add_edge("v1", f"u{i}")
        g.add_node(f"sskill{i % 3}", kind="skill", label=f"Skill {i % 3}")
        g.add_edge(f"u{i}", f"sskill{i % 3}")
    return g


def test_graph_layout_caps_and_counts_and_is_deterministic() -> None:
    g = star()
    lay = graph_view.layout(g, "v1", radius=2)
    assert len(lay.nodes) == graph_view.MAX_NODES
    kinds = {n.kind for n in lay.nodes}
    assert {"village", "kecamatan", "intervention", "person"} <= kinds
    assert lay.hidden_total == 43 + 1 - graph_view.MAX_NODES + 3  # 43 neighbours + 3 skills
    assert lay.nodes[0].id == "v1" and lay.nodes[0].ring == 0
    assert [n.y for n in lay.nodes] == sorted(n.y for n in lay.nodes)
    assert all(0 < n.y < lay.height for n in lay.nodes)
    assert lay == graph_view.layout(star(), "v1", radius=2)
    small = graph_view.layout(g, "k1", radius=1)
    assert [n.id for n in small.nodes] == ["k1", "v1"] and not small.hidden
    with pytest.raises(KeyError):
        graph_view.layout(g, "v404")


def test_graph_svg_escapes_labels_and_has_no_styles(ctx: Flask) -> None:
    lay = graph_view.layout(star(), "v1", radius=1)
    svg = str(
        render_svg(
            lay,
            href=lambda n: None if n.kind == "kecamatan" else f"/x/{n.id}?a=1&b=2",
            heading_text=lambda h: f"ring {h.ring} {h.kind or ''} <{h.count}>",
            title="Tetangga <v1>",
            more_text="+3 more",
        )
    )
    assert "Desa &lt;Satu&gt; &amp; Dua" in svg and "<Satu>" not in svg
    assert 'href="/x/i0?a=1&amp;b=2"' in svg
    assert svg.count("<a ") == len(lay.nodes) - 1  # the kecamatan has no page
    assert not NO_STYLE.search(svg) and "<script" not in svg
    assert "+3 more" in svg
    assert re.search(r'font-size="1[4-9]"', svg)
    assert "&lt;" in svg and "Tetangga &lt;v1&gt;" in svg


# --- admin --------------------------------------------------------------------------------------


def test_rebuild_now_runs_a_job_to_done(app: Flask, client: FlaskClient, coordinator: Demo) -> None:
    answer = post(client, "/admin/rebuild", {}, "/admin")
    assert answer.status_code == 302
    match = re.fullmatch(r"/admin/jobs/(\d+)", answer.headers["Location"])
    assert match
    job_id = int(match.group(1))
    with app.app_context():
        job = db.session.get(JobRun, job_id)
        assert job is not None and job.status == JobStatus.DONE and job.percent == 100.0
        assert job.task == "titiktemu.rebuild_regency" and job.args == [KLATEN]
    html = html_of(client, f"/admin/jobs/{job_id}")
    assert "Done" in html and 'http-equiv="refresh"' not in html
    assert f'href="/admin/jobs/{job_id}"' in html_of(client, "/admin")
    # Without the form's CSRF token nothing is queued.
    assert client.post("/admin/rebuild").status_code == 400


def test_admin_shows_running_and_dead_jobs(
    app: Flask, client: FlaskClient, coordinator: Demo
) -> None:
    with app.app_context():
        running = JobRun(
            task="titiktemu.rebuild_regency",
            args=[KLATEN],
            regency_code=KLATEN,
            status=JobStatus.RUNNING,
            stage="proposals",
            percent=42.0,
            attempts=1,
        )
        dead = JobRun(
            task="titiktemu.match_need",
            args=[1],
            regency_code=KLATEN,
            status=JobStatus.DEAD,
            attempts=5,
            last_error="OperationalError: database is locked",
        )
        db.session.add_all([running, dead])
        db.session.commit()
        running_id = running.id
    html = html_of(client, "/admin")
    assert "OperationalError: database is locked" in html
    assert "proposals · 42%" in html and "Failed" in html
    page = html_of(client, f"/admin/jobs/{running_id}")
    assert '<meta http-equiv="refresh" content="2">' in page
    # A rebuild already running is not queued twice.
    answer = post(client, "/admin/rebuild", {}, "/admin")
    assert answer.headers["Location"] == f"/admin/jobs/{running_id}"


def test_outbox_lists_failed_deliveries(app: Flask, client: FlaskClient, coordinator: Demo) -> None:
    with app.app_context():
        db.session.add_all(
            [
                OutboxEmail(
                    dedupe_key="test:failed",
                    to_address="salah@desa.example",
                    regency_code=KLATEN,
                    template="introduction",
                    subject="Perkenalan: data KPM PKH",
                    body_text="-",
                    status=OutboxStatus.FAILED,
                    attempts=3,
                    last_error="550 5.1.1 mailbox unavailable",
                ),
                OutboxEmail(
                    dedupe_key="test:sent",
                    to_address="benar@desa.example",
                    regency_code=KLATEN,
                    template="introduction",
                    subject="Terkirim",
                    body_text="-",
                    status=OutboxStatus.SENT,
                ),
            ]
        )
        db.session.commit()
    html = html_of(client, "/outbox")
    assert "salah@desa.example" in html
    assert "Perkenalan: data KPM PKH" in html
    assert "550 5.1.1 mailbox unavailable" in html
    assert "benar@desa.example" not in html
    assert "1 failed email delivery" in html_of(client, "/admin")
