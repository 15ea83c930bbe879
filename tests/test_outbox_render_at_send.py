"""A queued email is data (template, person, context) rendered when it is sent: it reads as it
would have when queued, in the recipient's language at sending time, and what was sent is kept."""

from __future__ import annotations

import datetime as dt
import enum
import json
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from titiktemu.app import settings_of
from titiktemu.extensions import db
from titiktemu.mail.context import freeze, thaw
from titiktemu.mail.outbox import Queued, queue_email, queue_emails, render
from titiktemu.mail.sender import send_pending
from titiktemu.models import Language, NotifyPreference, OutboxEmail, OutboxStatus, Person

#: What a flag email holds: dates, money, households, reasons as codes with values.
FLAG_CONTEXT: dict[str, Any] = {
    "interventions": [
        {
            "program": "PKH",
            "title": 'Bantuan <gizi> & "susu"',
            "start": dt.date(2027, 1, 31),
            "end": dt.date(2027, 3, 1),
            "households": 1250,
            "budget": 7_500_000,
            "contact": "Sri Wahyuni (sri@example.org)",
        },
        {
            "program": "KOTAKU",
            "title": "Drainase RT 03",
            "start": dt.date(2027, 2, 1),
            "end": dt.date(2027, 2, 28),
            "households": None,
            "budget": None,
            "contact": "",
        },
    ],
    "reasons": [
        {"code": "overlap.households", "params": {"households": 1250}, "weight": 0.5},
        {"code": "overlap.period_chain", "params": {}, "weight": 0.25},
    ],
    "village_name": "Gondang",
    "regency_name": "Kabupaten Klaten",
    "url": "http://127.0.0.1:5000/overlaps/7",
    "coordinator": False,
}


class Colour(enum.Enum):
    RED = "red"


def test_a_context_survives_json_with_its_types() -> None:
    context = {
        **FLAG_CONTEXT,
        "until": dt.date(2027, 1, 31),
        "at": dt.datetime(2027, 1, 31, 8, 30, tzinfo=dt.UTC),
        "naive": dt.datetime(2027, 1, 31, 8, 30),
        "amount": Decimal("7500000.50"),
        "pair": (1, "a", dt.date(2027, 1, 1)),
        "by_id": {1: "PKH", 2: "KOTAKU"},
        "looks_tagged": {"$date": "not a date"},
        "nested": [[{"x": Decimal("1.0")}], []],
        "empty": {},
        "flag": True,
        "score": 0.125,
    }
    stored = json.loads(json.dumps(freeze(context)))  # as the database gives it back
    back = thaw(stored)
    assert back == context
    assert type(back["until"]) is dt.date and type(back["at"]) is dt.datetime
    assert back["at"].tzinfo is not None and back["naive"].tzinfo is None
    assert type(back["amount"]) is Decimal and str(back["amount"]) == "7500000.50"
    assert type(back["pair"]) is tuple and type(back["flag"]) is bool
    for bad in (Colour.RED, object(), {1, 2}, b"bytes"):
        with pytest.raises(TypeError):
            freeze({"value": bad})


def _person(email: str, lang: Language) -> Person:
    person = Person(email=email, name='Ani "<b>Ana</b>"', language=lang)
    db.session.add(person)
    db.session.flush()
    return person


def test_a_queued_email_reads_as_it_would_have_when_queued(ctx: Flask) -> None:
    settings = settings_of(ctx)
    for lang in (Language.ID, Language.EN):
        person = _person(f"ani-{lang.value}@example.org", lang)
        expected = render(settings, "flag_overlap", person, FLAG_CONTEXT)  # as queueing did
        row = queue_email(
            db.session(),
            settings,
            dedupe_key=f"flag:7:to:{person.id}",
            person=person,
            template="flag_overlap",
            context=FLAG_CONTEXT,
        )
        assert row is not None and row.context is not None
        assert (row.stored_subject, row.stored_text) == ("", "")  # nothing rendered yet
        # Shown before it is sent (a page, a test): what it would say now.
        assert (row.subject, row.body_text, row.body_html) == (
            expected.subject,
            expected.text,
            expected.html,
        )
        assert "2027-01-31" not in expected.text  # the reader's date, not ISO
        assert "1.250" in expected.text if lang == Language.ID else "1,250" in expected.text


def test_the_sender_writes_it_in_the_language_the_person_reads_then(ctx: Flask) -> None:
    settings = settings_of(ctx)
    person = _person("ani@example.org", Language.ID)
    queue_email(
        db.session(),
        settings,
        dedupe_key=f"flag:7:to:{person.id}",
        person=person,
        template="flag_overlap",
        context=FLAG_CONTEXT,
    )
    db.session.commit()
    person.language = Language.EN  # changed on the profile page before the sender ran
    db.session.commit()
    english = render(settings, "flag_overlap", person, FLAG_CONTEXT)

    assert send_pending(db.session(), settings).sent == 1
    db.session.expire_all()
    row = db.session.scalars(sa.select(OutboxEmail)).one()
    assert row.status == OutboxStatus.SENT
    assert (row.stored_subject, row.stored_text, row.stored_html) == (
        english.subject,
        english.text,
        english.html,
    )
    # What was sent stays the record, whatever the person does next.
    person.language = Language.ID
    db.session.commit()
    db.session.expire_all()
    again = db.session.scalars(sa.select(OutboxEmail)).one()
    assert (again.subject, again.body_text) == (english.subject, english.text)
    eml = (settings.outbox_dir / f"{row.id:08d}.eml").read_text()
    assert f"Subject: {english.subject}\n" in eml  # the file sent says the same


def test_queueing_many_skips_what_is_queued_and_who_opted_out(ctx: Flask) -> None:
    settings = settings_of(ctx)
    ani = _person("ani@example.org", Language.ID)
    off = _person("off@example.org", Language.ID)
    off.notify = NotifyPreference.OFF
    one = queue_email(
        db.session(),
        settings,
        dedupe_key="flag:1:to:ani",
        person=ani,
        template="flag_overlap",
        context=FLAG_CONTEXT,
    )
    assert one is not None
    emails = [
        Queued(f"flag:{n}:to:{who}", person, "flag_overlap", FLAG_CONTEXT, "33.10")
        for n in (1, 2, 2)  # flag 1 queued above; flag 2 twice in the same pass
        for who, person in (("ani", ani), ("off", off))
    ]
    assert queue_emails(db.session(), settings, emails) == 1
    assert queue_emails(db.session(), settings, emails) == 0  # the pass run again
    keys = db.session.scalars(sa.select(OutboxEmail.dedupe_key).order_by(OutboxEmail.id)).all()
    assert keys == ["flag:1:to:ani", "flag:2:to:ani"]
    added = db.session.scalars(
        sa.select(OutboxEmail).where(OutboxEmail.dedupe_key == "flag:2:to:ani")
    ).one()
    expected = render(settings, "flag_overlap", ani, FLAG_CONTEXT)
    assert (added.subject, added.body_text) == (expected.subject, expected.text)
    assert added.regency_code == "33.10" and added.status == OutboxStatus.PENDING


def test_an_email_whose_person_is_gone_fails_and_is_not_sent(ctx: Flask) -> None:
    settings = settings_of(ctx)
    person = _person("ani@example.org", Language.ID)
    row = queue_email(
        db.session(),
        settings,
        dedupe_key=f"flag:7:to:{person.id}",
        person=person,
        template="flag_overlap",
        context=FLAG_CONTEXT,
    )
    assert row is not None
    row.person_id = None  # what deleting the person does (ON DELETE SET NULL)
    db.session.commit()
    assert row.subject == ""  # nobody to write it for: shown without a subject
    report = send_pending(db.session(), settings)
    assert (report.sent, report.failed) == (0, [row.id])
    db.session.expire_all()
    failed = db.session.get(OutboxEmail, row.id)
    assert failed is not None and failed.status == OutboxStatus.FAILED
    assert "no longer exists" in failed.last_error
    assert not list(settings.outbox_dir.glob(f"{row.id:08d}.eml"))
