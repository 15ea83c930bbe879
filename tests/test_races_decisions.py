"""Two people deciding the same thing at the same moment: exactly one wins, the other is told who.

Real threads, released together by a barrier, through the real API (a token each) and the real
pages (a signed-in session each), against the real database. The races need PostgreSQL, where
the second writer waits for the first one's commit; on SQLite they skip. The late decisions
(someone decided a moment before, not at the same moment) run on both.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from titiktemu.demo.seed import (
    COORDINATOR_NAME,
    DEMO_COORDINATOR,
    DEMO_FACILITATOR,
    DEMO_PASSWORD,
    FACILITATOR_NAME,
)
from titiktemu.extensions import db
from titiktemu.models import (
    AuditEntry,
    ExchangeStatus,
    FlagStatus,
    JobRun,
    Language,
    Need,
    Offer,
    OutboxEmail,
    OverlapFlag,
    Person,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Role,
)

from .api_support import assert_problem, bearer, seed_klaten
from .conftest import PASSWORD, AuthActions, csrf_token

API = "/api/v1"
SECOND = "dewi.koordinator@example.org"
SECOND_NAME = "Dewi Lestari"
PAIRS = 20  # accept and decline of one proposal at the same moment, this many times
AT_ONCE = 5  # pairs released together (each pair's two sides always together)
BULK = 8  # proposals a bulk accept races the other coordinator's declines for
NEEDS = 5
WITHDRAW, FULFIL = {"action": "withdraw"}, {"action": "fulfil"}
FLAG_DECISIONS = ("flag.acknowledged", "flag.resolved", "flag.allowed")
STATUS_LINES = {f"{kind}.{s.value}" for kind in ("need", "offer") for s in ExchangeStatus}
Answer = Any  # a test client's response


@dataclass(frozen=True)
class Klaten:
    """The demo regency, matched, with two coordinators who read English."""

    first: int  # the demo coordinator, Hendra Kurniawan
    second: int  # Dewi Lestari
    facilitator: int  # the demo facilitator, Sri Wahyuni


@pytest.fixture
def klaten(app: Flask, make_person: Any) -> Klaten:
    k = seed_klaten(app)
    second = make_person(SECOND, role=Role.COORDINATOR, name=SECOND_NAME)
    with app.app_context():
        for person_id in (k.coordinator, second, k.facilitator):
            person = db.session.get(Person, person_id)
            assert person is not None
            person.language = Language.EN
        db.session.commit()
    return Klaten(k.coordinator, second, k.facilitator)


@pytest.fixture
def postgres(app: Flask) -> None:
    """Races need a database where two writers really meet; SQLite takes them in turns."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the race runs on PostgreSQL (TITIKTEMU_TEST_DATABASE_URL)")


def at_once(*calls: Callable[[], Answer]) -> list[Answer]:
    """Run every call in a thread of its own, all released at the same moment; their answers."""
    barrier = threading.Barrier(len(calls))
    answers: list[Answer] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], Answer]) -> None:
        try:
            barrier.wait(timeout=30)
            answers[index] = call()
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a request never came back"
    if errors:
        raise errors[0]
    return answers


def api_post(app: Flask, headers: dict[str, str], path: str, body: object) -> Callable[[], Answer]:
    """A POST to the API, on a client of its own (one per thread)."""
    return lambda: app.test_client().post(f"{API}{path}", headers=headers, json=body)


def form_post(client: FlaskClient, path: str, data: Mapping[str, object]) -> Callable[[], Answer]:
    """A form POST of a signed-in session, its CSRF token fetched now (before the barrier)."""
    token = csrf_token(client, "/review")
    return lambda: client.post(path, data={**data, "csrf_token": token})


def signed_in(app: Flask, email: str, password: str) -> FlaskClient:
    client = app.test_client()
    assert AuthActions(client).login(email, password).status_code == 302
    return client


def open_proposals(app: Flask, count: int) -> list[int]:
    """Proposals with people on both sides (an acceptance introduces them), waiting."""
    with app.app_context():
        ids = db.session.scalars(
            sa.select(Proposal.id)
            .where(
                Proposal.status == ProposalStatus.PROPOSED,
                Proposal.kind.in_([ProposalKind.NEED_OFFER, ProposalKind.NEED_PERSON]),
            )
            .order_by(Proposal.id)
            .limit(count)
        ).all()
    assert len(ids) == count
    return list(ids)


def audit_actions(object_type: str, object_id: int) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id))
            .order_by(AuditEntry.id)
        )
    )


def decisions_of(proposal_id: int) -> list[str]:
    """The decision lines of a proposal's audit, in order."""
    return [
        a.action
        for a in audit_actions("proposal", proposal_id)
        if a.action in ("proposal.accepted", "proposal.declined", "proposal.convene")
    ]


def introductions(proposal_id: int) -> int:
    return len(
        db.session.scalars(
            sa.select(OutboxEmail.id).where(OutboxEmail.dedupe_key.like(f"intro:{proposal_id}:%"))
        ).all()
    )


def check_proposal(proposal_id: int, winner_id: int) -> list[str]:
    """What is wrong with a proposal one decision should have won (empty: nothing)."""
    row = db.session.get(Proposal, proposal_id)
    assert row is not None
    wrong = []
    lines = decisions_of(proposal_id)
    if lines != [f"proposal.{row.status.value}"]:
        wrong.append(f"#{proposal_id} ended {row.status.value} with decisions {lines}")
    if row.reviewer_id != winner_id:
        wrong.append(f"#{proposal_id}: reviewer {row.reviewer_id}, the answers said {winner_id}")
    expected = 2 if row.status == ProposalStatus.ACCEPTED else 0
    if introductions(proposal_id) != expected:
        wrong.append(
            f"#{proposal_id} ended {row.status.value} with {introductions(proposal_id)} intros"
        )
    return wrong


# --- the races (PostgreSQL) ----------------------------------------------------------------------


def test_accept_and_decline_at_once_one_wins_and_only_the_accepted_are_introduced(
    app: Flask, postgres: None, klaten: Klaten
) -> None:
    first, second = bearer(app, klaten.first), bearer(app, klaten.second)
    names = {klaten.first: COORDINATOR_NAME, klaten.second: SECOND_NAME}
    pids = open_proposals(app, PAIRS + BULK)
    pairs, bulked = pids[:PAIRS], pids[PAIRS:]
    wrong: list[str] = []
    outcomes = set()
    for start in range(0, PAIRS, AT_ONCE):  # a few pairs at a time, both sides of each together
        calls = []
        for pid in pairs[start : start + AT_ONCE]:
            calls += [
                api_post(app, first, f"/proposals/{pid}/accept", {}),
                api_post(app, second, f"/proposals/{pid}/decline", {"reason": "sudah ditangani"}),
            ]
        answers = at_once(*calls)
        for pid, accept, decline in zip(
            pairs[start : start + AT_ONCE], answers[::2], answers[1::2], strict=True
        ):
            codes = (accept.status_code, decline.status_code)
            if sorted(codes) != [200, 409]:
                wrong.append(f"#{pid}: accept {codes[0]}, decline {codes[1]}")
                continue
            won, lost = (accept, decline) if codes[0] == 200 else (decline, accept)
            winner = klaten.first if won is accept else klaten.second
            status = won.get_json()["status"]
            outcomes.add(status)
            detail = assert_problem(lost, 409)["detail"]
            assert f"already decided by {names[winner]} at " in detail, detail
            assert f'its status is "{status}"' in detail, detail
            with app.app_context():
                wrong += check_proposal(pid, winner)
    assert not wrong, f"{len(wrong)} problems in {PAIRS} pairs: {wrong}"
    assert outcomes <= {"accepted", "declined"}

    # A bulk accept on the page while the other coordinator declines the same ones, one by one.
    bulk = signed_in(app, DEMO_COORDINATOR, DEMO_PASSWORD)

    def decline_each() -> list[Answer]:
        body = {"reason": "sudah ditangani"}
        return [api_post(app, second, f"/proposals/{pid}/decline", body)() for pid in bulked]

    accepted, declines = at_once(
        form_post(bulk, "/review/accept", {"ids": bulked, "next": "/review"}), decline_each
    )
    assert accepted.status_code == 302
    assert all(d.status_code in (200, 409) for d in declines)
    with app.app_context():
        for pid, answer in zip(bulked, declines, strict=True):
            wrong += check_proposal(
                pid, klaten.second if answer.status_code == 200 else klaten.first
            )
    assert not wrong, wrong
    # It says how many it accepted, and who decided each of the others first.
    won = sum(d.status_code == 409 for d in declines)
    page = bulk.get("/review").get_data(as_text=True)
    assert f"{won} proposal{'' if won == 1 else 's'} accepted." in page
    assert page.count(f"already decided by {SECOND_NAME}: Declined") == BULK - won


def test_flags_needs_and_offers_changed_twice_at_once_change_once(
    app: Flask, postgres: None, klaten: Klaten
) -> None:
    wrong: list[str] = []
    # Overlap flags: one coordinator resolves with a note while the other acknowledges.
    resolver = signed_in(app, DEMO_COORDINATOR, DEMO_PASSWORD)
    other = signed_in(app, SECOND, PASSWORD)
    with app.app_context():
        flags = db.session.scalars(sa.select(OverlapFlag.id).order_by(OverlapFlag.id)).all()
    assert len(flags) >= 5
    notes = {fid: f"Daftar penerima sudah dipadukan ({fid})" for fid in flags}
    calls = []
    for fid in flags:
        calls += [
            form_post(
                resolver, f"/overlaps/{fid}/decide", {"action": "resolve", "note": notes[fid]}
            ),
            form_post(other, f"/overlaps/{fid}/decide", {"action": "acknowledge"}),
        ]
    answers = at_once(*calls)
    for fid, resolve, acknowledge in zip(flags, answers[::2], answers[1::2], strict=True):
        with app.app_context():
            row = db.session.get(OverlapFlag, fid)
            assert row is not None
            decided = [
                (a.action, a.detail.get("before"))
                for a in audit_actions("overlap_flag", fid)
                if a.action in FLAG_DECISIONS
            ]
        # Either the resolve came first (the acknowledge is refused, 409), or the acknowledge
        # did and the resolve followed from it; never a resolution an acknowledge overwrote.
        expected = (
            [("flag.resolved", "open")]
            if acknowledge.status_code == 409
            else [("flag.acknowledged", "open"), ("flag.resolved", "acknowledged")]
        )
        if (row.status, row.decision_note, decided) != (FlagStatus.RESOLVED, notes[fid], expected):
            wrong.append(f"flag {fid}: {row.status.value} {row.decision_note!r} {decided}")
        if resolve.status_code != 302 or acknowledge.status_code not in (302, 409):
            wrong.append(
                f"flag {fid}: resolve {resolve.status_code}, ack {acknowledge.status_code}"
            )
        if acknowledge.status_code == 409:
            said = acknowledge.get_data(as_text=True)
            assert f"already decided by {COORDINATOR_NAME}: Resolved" in said

    # Needs, through the API: the owner, on two devices, withdraws and marks fulfilled at once.
    with app.app_context():
        needs = db.session.execute(
            sa.select(Need.id, Need.person_id)
            .where(Need.status == ExchangeStatus.OPEN, Need.person_id != klaten.facilitator)
            .order_by(Need.id)
            .limit(NEEDS)
        ).all()
        jobs_before = _match_jobs()
    calls = []
    for need_id, owner in needs:
        calls += [
            api_post(app, bearer(app, owner, "phone"), f"/needs/{need_id}/status", WITHDRAW),
            api_post(app, bearer(app, owner, "laptop"), f"/needs/{need_id}/status", FULFIL),
        ]
    answers = at_once(*calls)
    for (need_id, _owner), withdraw, fulfil in zip(needs, answers[::2], answers[1::2], strict=True):
        codes = sorted([withdraw.status_code, fulfil.status_code])
        with app.app_context():
            need = db.session.get(Need, need_id)
            assert need is not None
            lines = [a.action for a in audit_actions("need", need_id) if a.action in STATUS_LINES]
            jobs = _match_jobs().get(need_id, 0) - jobs_before.get(need_id, 0)
        if codes != [200, 409] or lines != [f"need.{need.status.value}"] or jobs != 1:
            wrong.append(f"need {need_id}: {codes} {need.status.value} {lines} {jobs} jobs")

    # Offers, through the pages: a double tap on Withdraw, from two tabs of the owner.
    tabs = [signed_in(app, DEMO_FACILITATOR, DEMO_PASSWORD) for _ in range(2)]
    with app.app_context():
        offers = db.session.scalars(
            sa.select(Offer.id).where(Offer.person_id == klaten.facilitator).order_by(Offer.id)
        ).all()
    assert offers
    calls = [
        form_post(tab, f"/offers/{offer_id}/withdraw", {}) for offer_id in offers for tab in tabs
    ]
    answers = at_once(*calls)
    for offer_id, first, again in zip(offers, answers[::2], answers[1::2], strict=True):
        codes = sorted([first.status_code, again.status_code])
        with app.app_context():
            lines = [a.action for a in audit_actions("offer", offer_id) if a.action in STATUS_LINES]
        if codes != [302, 409] or lines != ["offer.withdrawn"]:
            wrong.append(f"offer {offer_id}: {codes} {lines}")
        refused = first if first.status_code == 409 else again
        said = f"already marked Withdrawn by {FACILITATOR_NAME}"
        assert refused.status_code != 409 or said in refused.get_data(as_text=True)
    assert not wrong, wrong


def _match_jobs() -> dict[int, int]:
    """How many matching jobs each need has had queued."""
    counts: dict[int, int] = {}
    for job in db.session.scalars(sa.select(JobRun).where(JobRun.task == "titiktemu.match_need")):
        if job.args:
            counts[int(job.args[0])] = counts.get(int(job.args[0]), 0) + 1
    return counts


# --- decided a moment before (SQLite and PostgreSQL) ---------------------------------------------


def test_a_late_decision_is_refused_saying_who_decided_first(app: Flask, klaten: Klaten) -> None:
    client = app.test_client()
    first, second = bearer(app, klaten.first), bearer(app, klaten.second)
    pid = open_proposals(app, 1)[0]
    declined = client.post(
        f"{API}/proposals/{pid}/decline", headers=second, json={"reason": "sudah ditangani"}
    )
    assert declined.status_code == 200
    for decision in ("accept", "convene"):
        late = assert_problem(client.post(f"{API}/proposals/{pid}/{decision}", headers=first), 409)
        assert f"already decided by {SECOND_NAME} at " in late["detail"]
        assert late["detail"].endswith('its status is "declined".')
    convened = open_proposals(app, 1)[0]
    assert client.post(f"{API}/proposals/{convened}/convene", headers=first).status_code == 200
    twice = assert_problem(client.post(f"{API}/proposals/{convened}/convene", headers=second), 409)
    assert f"already decided by {COORDINATOR_NAME}" in twice["detail"]
    assert 'its status is "convene"' in twice["detail"]
    # Accepting what the forum is to discuss is still a decision to take, once.
    accepted = client.post(f"{API}/proposals/{convened}/accept", headers=second)
    assert accepted.get_json()["status"] == "accepted"
    with app.app_context():
        assert check_proposal(pid, klaten.second) == []
        assert decisions_of(convened) == ["proposal.convene", "proposal.accepted"]
        assert introductions(convened) == 2
        need = db.session.scalars(
            sa.select(Need).where(Need.person_id == klaten.facilitator).order_by(Need.id).limit(1)
        ).one()
        need_id = need.id
    owner = bearer(app, klaten.facilitator)
    body = {"action": "withdraw"}
    assert client.post(f"{API}/needs/{need_id}/status", headers=owner, json=body).status_code == 200
    again = assert_problem(
        client.post(f"{API}/needs/{need_id}/status", headers=owner, json=body), 409
    )
    assert f"already changed by {FACILITATOR_NAME}" in again["detail"]
    assert 'its status is "withdrawn"' in again["detail"]

    # The pages: a 409 page saying who decided, in the reader's language.
    hendra = signed_in(app, DEMO_COORDINATOR, DEMO_PASSWORD)
    dewi = signed_in(app, SECOND, PASSWORD)
    pid = open_proposals(app, 1)[0]
    note = "Daftar penerima sudah dipadukan"
    with app.app_context():
        fid = db.session.scalars(sa.select(OverlapFlag.id).order_by(OverlapFlag.id)).first()
    assert fid is not None
    assert form_post(hendra, f"/review/{pid}/decide", {"decision": "accepted"})().status_code == 302
    decide = {"action": "resolve", "note": note}
    assert form_post(hendra, f"/overlaps/{fid}/decide", decide)().status_code == 302
    # English: the page of the proposal, with a 409 and what was decided.
    late = form_post(dewi, f"/review/{pid}/decide", {"decision": "declined", "note": "x"})()
    assert late.status_code == 409
    page = late.get_data(as_text=True)
    assert f"This proposal was already decided by {COORDINATOR_NAME}: Accepted, " in page
    assert 'name="decision"' not in page  # nothing left to decide on it
    # Indonesian: acknowledging a resolved flag keeps its resolution and its note.
    with app.app_context():
        person = db.session.get(Person, klaten.second)
        assert person is not None
        person.language = Language.ID
        db.session.commit()
    ack = form_post(dewi, f"/overlaps/{fid}/decide", {"action": "acknowledge"})()
    assert ack.status_code == 409
    said = ack.get_data(as_text=True)
    assert f"Tanda ini sudah diputuskan oleh {COORDINATOR_NAME}: Selesai, " in said
    assert note in said
    with app.app_context():
        flag = db.session.get(OverlapFlag, fid)
        assert flag is not None
        assert (flag.status, flag.decision_note) == (FlagStatus.RESOLVED, note)
        assert flag.reviewer_id == klaten.first
        lines = [a.action for a in audit_actions("overlap_flag", fid)]
        assert [a for a in lines if a in FLAG_DECISIONS] == ["flag.resolved"]
    # A bulk accept takes what is still open and names who decided the rest.
    rest = open_proposals(app, 2)
    both = {"ids": [pid, *rest], "next": "/review"}
    assert form_post(dewi, "/review/accept", both)().status_code == 302
    queue = dewi.get("/review").get_data(as_text=True)
    assert "2 usulan diterima." in queue
    assert f"Usulan ini sudah diputuskan oleh {COORDINATOR_NAME}: Diterima, " in queue
    with app.app_context():
        assert check_proposal(pid, klaten.first) == []
        assert all(check_proposal(p, klaten.second) == [] for p in rest)


def test_two_uploads_of_one_programs_list_at_once_leave_one_list(
    app: Flask, postgres: None
) -> None:
    """Two clerks (or one phone sending the form twice) upload RTLH's 2021 list at the same
    moment: one list is stored, the other upload replaced it, none is lost or doubled."""
    from pathlib import Path

    from titiktemu.app import settings_of
    from titiktemu.beneficiaries.commands import upload_list
    from titiktemu.models import BeneficiaryList, BeneficiaryRow, FundingSource, Program

    data = (Path(__file__).parent / "data" / "beneficiaries" / "rtlh-2021.csv").read_bytes()
    with app.app_context():
        program = Program(
            code="RTLH", name="RTLH", agency="Dinas", funding_source=FundingSource.APBD
        )
        db.session.add(program)
        db.session.commit()
        program_id = program.id

    def upload() -> Answer:
        with app.app_context():
            found = db.session.get(Program, program_id)
            assert found is not None
            report = upload_list(
                db.session(),
                settings_of(app),
                None,
                regency="33.10",
                program=found,
                year=2021,
                legal_basis="public_task",
                purpose="Verifikasi",
                file_name="rtlh.csv",
                data=data,
            )
            db.session.commit()
            db.session.remove()
            return bool(report.ok)

    for _ in range(3):
        assert at_once(upload, upload) == [True, True]
        with app.app_context():
            lists = db.session.scalars(sa.select(BeneficiaryList)).all()
            rows = db.session.scalar(sa.select(sa.func.count()).select_from(BeneficiaryRow))
            assert len(lists) == 1 and rows == lists[0].rows == 8
            db.session.remove()


def test_two_coordinators_publish_the_prospectus_at_once(app: Flask, postgres: None) -> None:
    """Both switch the public prospectus on at the same moment, on a regency that never had a
    settings row: one row, public, and one audit line (the second found it already on)."""
    from titiktemu.models import AuditEntry, RegencySettings
    from titiktemu.prospectus.commands import set_public

    klaten = seed_klaten(app)
    with app.app_context():
        db.session.execute(
            sa.delete(RegencySettings).where(RegencySettings.regency_code == "33.10")
        )
        db.session.commit()
        db.session.remove()

    def publish() -> Answer:
        with app.app_context():
            coordinator = db.session.get(Person, klaten.coordinator)
            assert coordinator is not None
            changed = set_public(db.session(), coordinator, "33.10", True)
            db.session.commit()
            db.session.remove()
            return changed

    for round_ in (1, 2):  # without a settings row, then with one switched off again
        assert sorted(at_once(publish, publish)) == [False, True]
        with app.app_context():
            row = db.session.get(RegencySettings, "33.10")
            assert row is not None and row.prospectus_public
            lines = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "prospectus.public")
            )
            assert lines == round_
            row.prospectus_public = False
            db.session.commit()
            db.session.remove()
