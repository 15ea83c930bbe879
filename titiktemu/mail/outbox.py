"""Queueing email: write the outbox row in the caller's transaction, so the email exists exactly
when the event that causes it does; rendering it in the recipient's language, when it is sent.

A queued email is its template, person and context (:mod:`titiktemu.mail.context`): the sender
renders it (:func:`write`) and stores what it sent; a page may show a waiting one as it would be
sent now (:func:`preview`). ``dedupe_key`` names the event and recipient; the same event never
queues a second email.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

import sqlalchemy as sa
from itsdangerous import BadSignature, URLSafeSerializer
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from sqlalchemy.orm import Session, object_session

from titiktemu.accounts.whatsapp import whatsapp_link
from titiktemu.bulk import insert_new
from titiktemu.i18n import N_, day, gettext, language, money, number, percent, translations
from titiktemu.mail.context import freeze, thaw
from titiktemu.matching.reason_text import Labels, labels_for, render_reason
from titiktemu.models import NotifyPreference, OutboxEmail, OutboxStatus, Person
from titiktemu.settings import Settings

OUTBOX_TABLE: sa.Table = OutboxEmail.__table__  # type: ignore[assignment]
#: The footer of every email, in the catalog like every other sentence.
FOOTER = N_("You receive this email as a Titik Temu user.")
UNSUBSCRIBE = N_("Stop these emails")


@cache
def _env(html: bool, lang: str) -> Environment:
    """The email templates in ``lang``, escaping for HTML (the body's HTML part and the layout) or
    not at all (the subject and the plain-text part: a name with ``<b>`` or ``"`` reads as typed
    there). ``_()`` and ``ngettext()`` read the one catalog; the filters write numbers, money,
    dates and scores in the reader's language."""
    env = Environment(
        loader=PackageLoader("titiktemu", "templates/email"),
        autoescape=html,  # noqa: S701 - off only for the subject and the plain-text part
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,  # an included part ends its paragraph
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(
        number=partial(number, lang=lang),
        money=partial(money, lang=lang),
        day=partial(day, lang=lang),
        percent=partial(percent, lang=lang),
        whatsapp=whatsapp_link,
    )
    return env


def _tidy(text: str) -> str:
    """The plain-text part as written: no trailing blanks, paragraphs one blank line apart."""
    lines = "\n".join(line.rstrip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", lines).strip()


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def unsubscribe_token(settings: Settings, person_id: int) -> str:
    return URLSafeSerializer(settings.secret_key, salt="unsubscribe").dumps(person_id)


def person_from_token(settings: Settings, token: str) -> int | None:
    """The person an unsubscribe token names, or None when it was not signed by us."""
    try:
        value = URLSafeSerializer(settings.secret_key, salt="unsubscribe").loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


def unsubscribe_url(settings: Settings, person_id: int) -> str:
    return f"{settings.base_url}/unsubscribe/{unsubscribe_token(settings, person_id)}"


class _Email:
    """One email's template, recipient and context, rendered part by part in ``lang``."""

    def __init__(
        self,
        template: str,
        person: Person,
        context: Mapping[str, Any],
        labels: Labels,
        unsubscribe_link: str,
    ) -> None:
        self.template = template
        self.person = person
        self.context = context
        self.lang = language(person.language)
        self.labels = labels
        self.unsubscribe_link = unsubscribe_link

    def _reason_text(self, reason: Mapping[str, Any] | None) -> str:
        return render_reason(reason, self.lang, self.labels)

    def _block(self, name: str, *, html: bool) -> str:
        # Blocks are rendered one by one, which skips a template's own imports: the building
        # blocks come in through the context instead.
        env = _env(html, self.lang)
        tmpl = env.get_template(f"{self.template}.j2")
        macros = env.get_template("_html.j2" if html else "_text.j2")
        ctx = tmpl.new_context(
            {
                **self.context,
                "person": self.person,
                "lang": self.lang,
                "reason_text": self._reason_text,
                "m": macros.make_module({"reason_text": self._reason_text}),
            }
        )
        return "".join(tmpl.blocks[name](ctx)).strip()

    def subject(self) -> str:
        return " ".join(self._block("subject", html=False).split())[:300]

    def text(self) -> str:
        footer, unsubscribe = gettext(FOOTER, self.lang), gettext(UNSUBSCRIBE, self.lang)
        body = _tidy(self._block("body", html=False))
        return f"{body}\n\n-- \n{footer}\n{unsubscribe}: {self.unsubscribe_link}\n"

    def html(self) -> str:
        return (
            _env(True, self.lang)
            .get_template("_layout.html.j2")
            .render(
                lang=self.lang,
                body=Markup(self._block("body", html=True)),  # noqa: S704 - escaped by _block
                footer=gettext(FOOTER, self.lang),
                unsubscribe_url=self.unsubscribe_link,
                unsubscribe_label=gettext(UNSUBSCRIBE, self.lang),
            )
        )

    def rendered(self) -> Rendered:
        return Rendered(subject=self.subject(), text=self.text(), html=self.html())


def render(settings: Settings, template: str, person: Person, context: dict[str, Any]) -> Rendered:
    """Subject, plain text and HTML of ``template`` in the person's language.

    An email's body is written once (``<template>.j2``) and rendered twice: with the HTML
    building blocks and escaping (``_html.j2``), and with the plain-text ones (``_text.j2``).
    """
    labels = labels_for(object_session(person))
    link = unsubscribe_url(settings, person.id)
    return _Email(template, person, context, labels, link).rendered()


class RecipientGoneError(LookupError):
    """A waiting email whose person no longer exists: there is nobody to write it for."""


def _stored_email(row: OutboxEmail) -> _Email:
    """A queued row as an email to render: its person as they are now (their language), its
    context thawed."""
    session = object_session(row)
    if session is None:
        raise RuntimeError("an outbox row is rendered in a session")
    person = session.get(Person, row.person_id) if row.person_id is not None else None
    if person is None or row.context is None:
        raise RecipientGoneError(f"email {row.id}: person {row.person_id} no longer exists")
    return _Email(
        row.template,
        person,
        thaw(row.context["values"]),
        labels_for(session),
        str(row.context["unsubscribe_url"]),
    )


def preview(row: OutboxEmail, part: str) -> str:
    """A waiting email's ``part`` ("subject", "text", "html") as it would be sent now; "" when
    its person no longer exists (the sender fails such an email)."""
    try:
        email = _stored_email(row)
    except RecipientGoneError:
        return ""
    return {"subject": email.subject, "text": email.text, "html": email.html}[part]()


def write(row: OutboxEmail) -> None:
    """Render a waiting email for sending and store what is sent (kept when it is retried)."""
    if row.rendered:
        return
    rendered = _stored_email(row).rendered()
    row.stored_subject = rendered.subject
    row.stored_text = rendered.text
    row.stored_html = rendered.html


def _stored_context(settings: Settings, person: Person, context: dict[str, Any]) -> dict[str, Any]:
    return {"values": freeze(context), "unsubscribe_url": unsubscribe_url(settings, person.id)}


def _may_email(person: Person, essential: bool) -> bool:
    return person.active and (person.notify != NotifyPreference.OFF or essential)


def queue_email(
    session: Session,
    settings: Settings,
    *,
    dedupe_key: str,
    person: Person,
    template: str,
    context: dict[str, Any],
    regency_code: str | None = None,
    essential: bool = False,
) -> OutboxEmail | None:
    """Add the email to the caller's transaction; None when already queued or the person opted out
    (preference "off": the one-click unsubscribe stops every email, introductions included).

    ``essential``: sent despite "off", because the person asked for it or cannot use the site
    without it (invitations, password resets); never for news or notifications.
    """
    if not _may_email(person, essential):
        return None
    exists = session.scalar(sa.select(OutboxEmail.id).where(OutboxEmail.dedupe_key == dedupe_key))
    if exists is not None:
        return None
    row = OutboxEmail(
        dedupe_key=dedupe_key[:200],
        to_address=person.email,
        person_id=person.id,
        regency_code=regency_code,
        template=template,
        context=_stored_context(settings, person, context),
        status=OutboxStatus.PENDING,
    )
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class Queued:
    """One email for :func:`queue_emails`: what :func:`queue_email` takes."""

    dedupe_key: str
    person: Person
    template: str
    context: dict[str, Any]
    regency_code: str | None = None
    essential: bool = False


def queue_emails(session: Session, settings: Settings, emails: Iterable[Queued]) -> int:
    """:func:`queue_email` for many at once (a pass that raises many flags): one statement
    that skips every key already queued; how many were added."""
    rows = [
        {
            "dedupe_key": email.dedupe_key[:200],
            "to_address": email.person.email,
            "person_id": email.person.id,
            "regency_code": email.regency_code,
            "template": email.template,
            "context": _stored_context(settings, email.person, email.context),
            "status": OutboxStatus.PENDING,
        }
        for email in emails
        if _may_email(email.person, email.essential)
    ]
    session.flush()  # rows this session added one by one are seen by ON CONFLICT
    return len(insert_new(session, OUTBOX_TABLE, rows, "dedupe_key"))
