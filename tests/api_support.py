"""Helpers of the API tests: tokens for people, the seeded Klaten, problem checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from titiktemu.accounts.tokens import create_token
from titiktemu.demo.seed import DEMO_COORDINATOR, DEMO_FACILITATOR
from titiktemu.extensions import db
from titiktemu.models import Person, Proposal, Regency, Role
from titiktemu.places.regions import load_regions, resolve_codes

from .snapshot import seeded_and_matched

KLATEN, SLEMAN = "33.10", "34.04"
FOREIGN = "koordinator.sleman@example.org"
PROBLEM = "application/problem+json"


def bearer(app: Flask, person_id: int, name: str = "test") -> dict[str, str]:
    """An Authorization header with a fresh token of the person."""
    with app.app_context():
        person = db.session.get(Person, person_id)
        assert person is not None
        _row, plain = create_token(db.session(), person, name)
        db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def person_id(app: Flask, email: str) -> int:
    with app.app_context():
        return int(db.session.scalars(sa.select(Person.id).where(Person.email == email)).one())


@dataclass
class Klaten:
    coordinator: int
    facilitator: int
    foreign: int  # coordinator of Sleman


def seed_with_foreign(session: Session, password_hash: str | None = None) -> Person:
    """Klaten's demo, matched, and a coordinator of Sleman: the foreigner, added, not committed."""
    if session.get(Regency, SLEMAN) is None:
        load_regions(session, resolve_codes([SLEMAN]))
    seeded_and_matched(session, KLATEN)
    foreign = Person(
        email=FOREIGN,
        name="Koordinator Sleman",
        role=Role.COORDINATOR,
        regency_code=SLEMAN,
        password_hash=password_hash,
    )
    session.add(foreign)
    return foreign


def seed_klaten(app: Flask) -> Klaten:
    """The demo regency, matched, plus a coordinator of another regency."""
    with app.app_context():
        session = db.session()
        foreign = seed_with_foreign(session)
        session.commit()
        foreign_id = foreign.id
    return Klaten(
        coordinator=person_id(app, DEMO_COORDINATOR),
        facilitator=person_id(app, DEMO_FACILITATOR),
        foreign=foreign_id,
    )


def first_proposal(app: Flask, **where: Any) -> int:
    with app.app_context():
        query = sa.select(Proposal.id).filter_by(**where).order_by(Proposal.id).limit(1)
        return int(db.session.scalars(query).one())


def assert_problem(answer: Any, status: int) -> dict[str, Any]:
    """An RFC 9457 problem with this status; returns its body."""
    assert answer.status_code == status, (answer.status_code, answer.get_data(as_text=True)[:500])
    assert answer.mimetype == PROBLEM, answer.mimetype
    body: dict[str, Any] = answer.get_json(force=True)
    assert body["status"] == status
    assert {"type", "title", "detail", "instance", "errors"} <= set(body)
    return body
