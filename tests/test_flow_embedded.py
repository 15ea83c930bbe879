"""The whole flow on the embedded default: submit, match in process, email as .eml, accept."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from titiktemu.app import settings_of
from titiktemu.decisions import AlreadyDecided
from titiktemu.demo.seed import DEMO_COORDINATOR, DEMO_FACILITATOR
from titiktemu.exchange.commands import InputError, NeedInput, save_need, set_status
from titiktemu.extensions import db
from titiktemu.mail.notifications import remind_expiring_needs, send_digest
from titiktemu.mail.sender import send_pending
from titiktemu.matching.rebuild import rebuild_regency
from titiktemu.models import (
    AuditEntry,
    ExchangeStatus,
    JobRun,
    JobStatus,
    Language,
    Need,
    NotifyPreference,
    OutboxEmail,
    OutboxStatus,
    Person,
    Proposal,
    ProposalStatus,
    Role,
)
from titiktemu.review.commands import ReviewError, decide

from .snapshot import seeded_demo

KLATEN = "33.10"


def person(email_address: str) -> Person:
    return db.session.scalars(sa.select(Person).where(Person.email == email_address)).one()


def emls(app: Flask) -> list[email.message.EmailMessage]:
    folder = settings_of(app).outbox_dir
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in sorted(folder.glob("*.eml"))
    ]


def test_a_need_is_matched_in_process_and_mailed(ctx: Flask) -> None:
    seeded_demo(db.session(), KLATEN)
    rebuild_regency(db.session(), KLATEN)
    person(DEMO_COORDINATOR).notify = NotifyPreference.IMMEDIATE
    db.session.commit()
    sri = person(DEMO_FACILITATOR)
    need = save_need(
        db.session(),
        sri,
        NeedInput(
            title="Butuh pelatihan pembukuan untuk KWT",
            skills=["bookkeeping"],
            village_code=sri.home_village_code,
        ),
    )
    db.session.commit()  # the match job runs now, in this process
    jobs = db.session.scalars(sa.select(JobRun).where(JobRun.task == "titiktemu.match_need")).all()
    (job,) = [j for j in jobs if j.args == [need.id]]
    assert job.status == JobStatus.DONE and job.task == "titiktemu.match_need"
    primary = db.session.scalars(
        sa.select(Proposal).where(Proposal.need_id == need.id, Proposal.rank == 1)
    ).one()
    assert primary.status == ProposalStatus.PROPOSED
    assert any(r["name"] == "skill" for r in primary.reasons)
    coordinator = person(DEMO_COORDINATOR)
    notice = db.session.scalars(
        sa.select(OutboxEmail).where(
            OutboxEmail.person_id == coordinator.id, OutboxEmail.template == "proposals_new"
        )
    ).one()
    assert notice.status == OutboxStatus.SENT
    message = next(m for m in emls(ctx) if m["Message-ID"] == f"<outbox-{notice.id}@127.0.0.1>")
    assert message["To"] == DEMO_COORDINATOR
    assert "usulan kolaborasi baru" in str(message["Subject"])
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "http://127.0.0.1:5000/unsubscribe/" in str(message["List-Unsubscribe"])
    body = message.get_body(("plain",))
    assert body is not None and "Butuh pelatihan pembukuan" in body.get_content()
    assert message.get_body(("html",)) is not None


def test_accepting_introduces_both_sides(ctx: Flask) -> None:
    seeded_demo(db.session(), KLATEN)
    rebuild_regency(db.session(), KLATEN)
    coordinator = person(DEMO_COORDINATOR)
    proposal = db.session.scalars(
        sa.select(Proposal).where(Proposal.rank == 1, Proposal.offer_id.is_not(None)).limit(1)
    ).one()
    settings = settings_of(ctx)
    with pytest.raises(ReviewError, match="reason"):
        decide(db.session(), settings, coordinator, proposal.id, ProposalStatus.DECLINED)
    decide(db.session(), settings, coordinator, proposal.id, ProposalStatus.ACCEPTED)
    db.session.commit()
    intros = db.session.scalars(
        sa.select(OutboxEmail)
        .where(OutboxEmail.template == "introduction")
        .order_by(OutboxEmail.id)
    ).all()
    assert proposal.need is not None and proposal.offer is not None
    need_owner, offer_owner = proposal.need.person, proposal.offer.person
    assert {i.to_address for i in intros} == {need_owner.email, offer_owner.email}
    assert all(i.status == OutboxStatus.SENT for i in intros)
    to_need_owner = next(i for i in intros if i.to_address == need_owner.email)
    assert offer_owner.email in to_need_owner.body_text  # how to reach the other side
    assert offer_owner.name in to_need_owner.body_text
    audit = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "proposal.accepted")
    ).one()
    assert audit.actor_id == coordinator.id and audit.object_id == str(proposal.id)
    # Accepting twice is refused and sends nothing more.
    with pytest.raises(AlreadyDecided, match=r'already decided by .*"accepted"'):
        decide(db.session(), settings, coordinator, proposal.id, ProposalStatus.ACCEPTED)
    db.session.commit()
    assert (
        len(
            db.session.scalars(
                sa.select(OutboxEmail).where(OutboxEmail.template == "introduction")
            ).all()
        )
        == 2
    )


def test_a_rolled_back_submission_runs_no_task(ctx: Flask) -> None:
    seeded_demo(db.session(), KLATEN)
    sri = person(DEMO_FACILITATOR)
    save_need(
        db.session(),
        sri,
        NeedInput(title="Tidak jadi", skills=["bookkeeping"], village_code=sri.home_village_code),
    )
    db.session.rollback()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobRun)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Proposal)) == 0


def test_withdrawing_a_need_makes_its_proposals_obsolete(ctx: Flask) -> None:
    seeded_demo(db.session(), KLATEN)
    rebuild_regency(db.session(), KLATEN)
    need = db.session.scalars(
        sa.select(Need).join(Proposal, Proposal.need_id == Need.id).order_by(Need.id).limit(1)
    ).one()
    set_status(db.session(), need.person, need, ExchangeStatus.WITHDRAWN)
    db.session.commit()
    statuses = set(
        db.session.scalars(sa.select(Proposal.status).where(Proposal.need_id == need.id))
    )
    assert statuses == {ProposalStatus.OBSOLETE}


def test_bad_need_input_names_each_field(ctx: Flask) -> None:
    seeded_demo(db.session(), KLATEN)
    sri = person(DEMO_FACILITATOR)
    with pytest.raises(InputError) as caught:
        save_need(
            db.session(),
            sri,
            NeedInput(title=" ", skills=["no_such_skill"], village_code="33.10.99.9999"),
        )
    assert set(caught.value.errors) == {"title", "skills", "village"}
    db.session.rollback()


def test_unsubscribe_link_sets_the_preference(ctx: Flask) -> None:
    from titiktemu.mail.outbox import unsubscribe_token

    seeded_demo(db.session(), KLATEN)
    coordinator = person(DEMO_COORDINATOR)
    coordinator.notify = NotifyPreference.IMMEDIATE
    db.session.commit()
    token = unsubscribe_token(settings_of(ctx), coordinator.id)
    client = ctx.test_client()
    assert client.get(f"/unsubscribe/{token}").status_code == 200
    assert client.get("/unsubscribe/forged-token").status_code == 404
    answer = client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    db.session.expire_all()
    assert person(DEMO_COORDINATOR).notify == NotifyPreference.OFF
    assert person(DEMO_COORDINATOR).role == Role.COORDINATOR
    assert Path(settings_of(ctx).instance_dir).exists()


def sent_to(app: Flask, address: str, template: str) -> email.message.EmailMessage:
    """The one .eml the embedded sender wrote for ``address`` from ``template``."""
    row = db.session.scalars(
        sa.select(OutboxEmail).where(
            OutboxEmail.to_address == address, OutboxEmail.template == template
        )
    ).one()
    assert row.status == OutboxStatus.SENT
    return next(m for m in emls(app) if m["Message-ID"] == f"<outbox-{row.id}@127.0.0.1>")


def plain(message: email.message.EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def html(message: email.message.EmailMessage) -> str:
    body = message.get_body(("html",))
    assert body is not None
    return str(body.get_content())


def english_coordinator(notify: NotifyPreference) -> Person:
    """A second coordinator of the demo regency who reads English."""
    other = Person(
        email="coordinator.en@example.org",
        name="Dewi Lestari",
        role=Role.COORDINATOR,
        regency_code=KLATEN,
        language=Language.EN,
        notify=notify,
    )
    db.session.add(other)
    return other


def test_the_digest_says_which_proposals_went_out_of_date_and_why(ctx: Flask) -> None:
    seeded_demo(db.session(), KLATEN)
    rebuild_regency(db.session(), KLATEN)
    person(DEMO_COORDINATOR).notify = NotifyPreference.DAILY
    english_coordinator(NotifyPreference.DAILY)
    db.session.commit()
    pending = db.session.scalars(
        sa.select(Proposal)
        .where(Proposal.status == ProposalStatus.PROPOSED, Proposal.need_id.is_not(None))
        .order_by(Proposal.id)
        .limit(1)
    ).one()
    need = pending.need
    assert need is not None
    set_status(db.session(), need.person, need, ExchangeStatus.WITHDRAWN)
    db.session.commit()  # matching retires the need's proposals, in this process
    db.session.refresh(pending)
    assert pending.status == ProposalStatus.OBSOLETE
    assert pending.retired_reason is not None
    assert pending.retired_reason["code"] == "retired.need_closed"

    settings = settings_of(ctx)
    today = dt.datetime.now(dt.UTC).date()
    coordinators = [person(DEMO_COORDINATOR), person("coordinator.en@example.org")]
    assert all(send_digest(db.session(), settings, c, today) for c in coordinators)
    # The same day again queues nothing: one digest a person and day.
    assert not any(send_digest(db.session(), settings, c, today) for c in coordinators)
    db.session.commit()
    send_pending(db.session(), settings)

    indonesian = sent_to(ctx, DEMO_COORDINATOR, "digest")
    text = plain(indonesian)
    assert "tidak berlaku lagi" in str(indonesian["Subject"])
    assert need.title in text and f"/review/{pending.id}" in text
    assert "Saran ini tidak berlaku lagi: kebutuhan ini sudah terpenuhi atau ditarik" in text
    assert "kebutuhan ini sudah terpenuhi atau ditarik" in html(indonesian)
    english = plain(sent_to(ctx, "coordinator.en@example.org", "digest"))
    assert "This suggestion is no longer current: the need was met or withdrawn" in english
    assert "ditarik" not in english
    # Two days on, what went out of date then is old news: nothing new, no digest.
    later = today + dt.timedelta(days=2)
    assert not send_digest(db.session(), settings, coordinators[0], later)


def test_emails_write_dates_and_numbers_as_their_reader_does(ctx: Flask) -> None:
    seeded_demo(db.session(), KLATEN)
    sri = person(DEMO_FACILITATOR)
    sri.language = Language.ID
    ending = dt.date(2027, 3, 1)
    ids = []
    for owner in (sri, english_coordinator(NotifyPreference.IMMEDIATE)):
        db.session.flush()
        need = save_need(
            db.session(),
            owner,
            NeedInput(
                title=f"Butuh bantuan hukum warga ({owner.language})",
                skills=["legal_aid"],
                village_code=sri.home_village_code,
                needed_until=ending,
            ),
        )
        ids.append(need.id)
    db.session.commit()
    remind_expiring_needs(db.session(), settings_of(ctx), ending - dt.timedelta(days=3))
    db.session.commit()
    send_pending(db.session(), settings_of(ctx))

    indonesian = sent_to(ctx, DEMO_FACILITATOR, "need_expiring")
    assert "berakhir pada 1 Mar 2027" in plain(indonesian)
    assert "1 Mar 2027" in html(indonesian)
    english = sent_to(ctx, "coordinator.en@example.org", "need_expiring")
    assert "ends on Mar 1, 2027" in plain(english)
    assert "2027-03-01" not in plain(indonesian) + plain(english) + html(english)
