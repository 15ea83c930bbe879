"""A new regency's first day, end to end, with no demo data: the production path as people walk it.

PostgreSQL (a new empty database), Redis, a real ``celery worker`` subprocess and an aiosmtpd
server on loopback; the operator's steps are the real ``titiktemu`` command, the people's steps
the real pages (the web app in this process, on the same database and broker):

``db upgrade`` -> ``regions load 33.10`` -> ``user create --role admin`` -> the admin sets the
password through the printed link -> invites a coordinator (the invitation goes out through the
worker and SMTP) -> the coordinator joins from the emailed link -> checks and imports the messy
spreadsheets of tests/data/messy (programs, people, interventions, offers, needs) -> the worker
re-matches Klaten -> the coordinator accepts a proposal -> both introduction emails arrive, with
links on ``TITIKTEMU_BASE_URL``.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from harness.services import (
    Received,
    SmtpServer,
    celery_worker,
    flush_redis,
    smtp_server,
    wait_until,
)
from titiktemu.extensions import db
from titiktemu.jobs.queue import celery_of
from titiktemu.models import (
    ImportRun,
    ImportStatus,
    JobRun,
    JobStatus,
    Need,
    Offer,
    Proposal,
    ProposalStatus,
)
from titiktemu.settings import Settings
from web.app import create_app

from .conftest import csrf_token, skip_or_fail
from .test_first_day import clean_env, empty_postgres_database, titiktemu
from .test_imports_messy import FILES, MESSY

pytestmark = pytest.mark.services

BASE_URL = "http://forum.klaten.test:8080"
ADMIN = "admin.bappeda@klaten.example.id"
COORDINATOR = "koordinator.forum@klaten.example.id"
PASSWORD = "Sarasehan-Klaten-2026"
NEED = "Butuh pendamping pembukuan BUMDes"
OFFER = "Pendampingan pembukuan BUMDes dan KWT"
NEED_OWNER = "sri.wahyuningsih@perkim.example.id"
OFFER_OWNER = "taufik.pmd@gmail.example"
DEADLINE = 120


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def production(tmp_path: Path, redis_url: str, smtp: SmtpServer) -> Iterator[dict[str, str]]:
    """The environment of a production instance on an empty PostgreSQL database."""
    if not os.environ.get("TITIKTEMU_TEST_DATABASE_URL", "").startswith("postgresql"):
        skip_or_fail("the production path runs on PostgreSQL (TITIKTEMU_TEST_DATABASE_URL)")
    flush_redis(redis_url)
    with empty_postgres_database() as url:
        assert url is not None
        yield clean_env(
            tmp_path,
            TITIKTEMU_ENV="production",
            TITIKTEMU_DATABASE_URL=url,
            TITIKTEMU_BROKER_URL=redis_url,
            TITIKTEMU_SMTP_URL=f"smtp://127.0.0.1:{smtp.port}",
            TITIKTEMU_SECRET_KEY="a-long-secret-for-the-first-day-test",
            TITIKTEMU_BASE_URL=BASE_URL,
            TITIKTEMU_MAIL_FROM="Titik Temu Klaten <titiktemu@klaten.example.id>",
            TITIKTEMU_JOB_LEASE_SECONDS="30",
        )
    flush_redis(redis_url)


def _mail_to(smtp: SmtpServer, address: str, subject_part: str = "") -> Received:
    def found() -> Received | None:
        for message in smtp.received:
            if address in message.recipients and subject_part in message.subject:
                return message
        return None

    wait_until(lambda: found() is not None, DEADLINE, f"an email to {address}")
    message = found()
    assert message is not None
    return message


def _text(message: Received) -> str:
    body = message.message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def _link(message: Received, path: str) -> str:
    found = re.search(rf"{re.escape(BASE_URL)}({re.escape(path)}\S+)", _text(message))
    assert found, f"no {BASE_URL}{path}… link in: {_text(message)}"
    return found.group(1)


def _join(client: FlaskClient, path: str, name: str) -> None:
    """Set the password through a set-password link; the person is then signed in."""
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    answer = client.post(
        path,
        data={
            "name": name,
            "password": PASSWORD,
            "confirm": PASSWORD,
            "csrf_token": csrf_token(client, path),
        },
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    assert client.get("/").status_code == 200


def _jobs_done(web: Flask, job_ids: list[int]) -> bool:
    with web.app_context():
        statuses = db.session.scalars(sa.select(JobRun.status).where(JobRun.id.in_(job_ids)))
        done = all(status is JobStatus.DONE for status in statuses)
        db.session.remove()
        return done


def test_a_regency_from_an_empty_database_to_its_first_introduction(
    production: dict[str, str], smtp: SmtpServer, tmp_path: Path
) -> None:
    env = production
    # The operator: schema and taxonomy, Klaten's places, the first admin.
    titiktemu(env, "db", "upgrade")
    titiktemu(env, "regions", "load", "33.10")
    created = titiktemu(env, "user", "create", ADMIN, "--role", "admin", "--name", "Admin Bappeda")
    link = created.stdout.strip()
    assert link.startswith(f"{BASE_URL}/invite/"), created.stdout

    web = create_app(Settings.from_env(env))
    web.config.update(TESTING=True)
    try:
        with celery_worker(env, tmp_path / "worker.log"):
            assert web.test_client().get("/healthz").get_json()["reference_data"] == "ok"
            # The admin sets the password through the printed link, and invites a coordinator.
            admin = web.test_client()
            _join(admin, link.removeprefix(BASE_URL), "Admin Bappeda")
            answer = admin.post(
                "/invite",
                data={
                    "email": COORDINATOR,
                    "name": "Koordinator Forum Klaten",
                    "regency": "33.10",
                    "role": "coordinator",
                    "csrf_token": csrf_token(admin, "/invite"),
                },
            )
            assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]

            # The invitation arrives by SMTP (sent by the worker); the coordinator joins.
            invitation = _mail_to(smtp, COORDINATOR)
            coordinator = web.test_client()
            _join(coordinator, _link(invitation, "/invite/"), "Koordinator Forum Klaten")

            # Check the spreadsheets (nothing saved), then import the checked run.
            files = [(io.BytesIO((MESSY / name).read_bytes()), name) for name in FILES]
            answer = coordinator.post(
                "/imports",
                data={
                    "files": files,
                    "kind": "",
                    "csrf_token": csrf_token(coordinator, "/imports"),
                },
                content_type="multipart/form-data",
            )
            assert answer.status_code == 302
            run_path = answer.headers["Location"]
            page = coordinator.get(run_path).get_data(as_text=True)
            assert "Sidowarno" in page  # the rows that would be new are listed
            apply_path = f"{run_path}/apply"
            answer = coordinator.post(
                apply_path, data={"csrf_token": csrf_token(coordinator, run_path)}
            )
            assert answer.status_code == 302
            with web.app_context():
                run = db.session.scalars(sa.select(ImportRun).order_by(ImportRun.id.desc())).first()
                assert run is not None and run.status is ImportStatus.APPLIED, run and run.problems
                job_ids = list(run.job_ids)
                db.session.remove()
            assert job_ids
            wait_until(lambda: _jobs_done(web, job_ids), DEADLINE, "the worker's re-match")

            # The re-match proposed the bookkeeping offer for the BUMDes need: accept it.
            with web.app_context():
                proposal = db.session.scalars(
                    sa.select(Proposal)
                    .join(Need, Need.id == Proposal.need_id)
                    .join(Offer, Offer.id == Proposal.offer_id)
                    .where(Need.title == NEED, Offer.title == OFFER)
                ).one()
                proposal_id = proposal.id
                db.session.remove()
            detail = f"/review/{proposal_id}"
            assert coordinator.get(detail).status_code == 200
            answer = coordinator.post(
                f"{detail}/decide",
                data={
                    "decision": "accepted",
                    "note": "",
                    "next": "/review",
                    "csrf_token": csrf_token(coordinator, detail),
                },
            )
            assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
            with web.app_context():
                decided = db.session.get(Proposal, proposal_id)
                assert decided is not None and decided.status is ProposalStatus.ACCEPTED
                db.session.remove()

            # Both sides get their introduction, with links on the public address.
            for owner in (NEED_OWNER, OFFER_OWNER):
                introduction = _mail_to(smtp, owner, "Perkenalan")
                text = _text(introduction)
                assert NEED in text or OFFER in text, text
                links = re.findall(r"https?://[^\s>\")]+", text)
                ours = [u for u in links if not u.startswith("https://wa.me/")]
                assert ours and all(u.startswith(BASE_URL) for u in ours), links
                # The other side typed a mobile number: a click-to-chat link beside it.
                assert any(u.startswith("https://wa.me/628") for u in links), links
    finally:
        celery_of(web).close()
        with web.app_context():
            db.session.remove()
            db.engine.dispose()
