"""Queueing email: render it in the recipient's language and write the outbox row in the caller's
transaction, so the email exists exactly when the event that causes it does.

``dedupe_key`` names the event and recipient; the same event never queues a second email.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

import sqlalchemy as sa
from itsdangerous import BadSignature, URLSafeSerializer
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from sqlalchemy.orm import Session, object_session

from titiktemu.i18n import N_, day, gettext, language, money, number, percent, translations
from titiktemu.matching.reason_text import labels_for, render_reason
from titiktemu.models import NotifyPreference, OutboxEmail, OutboxStatus, Person
from titiktemu.settings import Settings

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


def render(settings: Settings, template: str, person: Person, context: dict[str, Any]) -> Rendered:
    """Subject, plain text and HTML of ``template`` in the person's language.

    An email's body is written once (``<template>.j2``) and rendered twice: with the HTML
    building blocks and escaping (``_html.j2``), and with the plain-text ones (``_text.j2``).
    """
    lang = language(person.language)
    labels = labels_for(object_session(person))

    def reason_text(reason: Mapping[str, Any] | None) -> str:
        return render_reason(reason, lang, labels)

    def block(name: str, *, html: bool) -> str:
        # Blocks are rendered one by one, which skips a template's own imports: the building
        # blocks come in through the context instead.
        env = _env(html, lang)
        tmpl = env.get_template(f"{template}.j2")
        macros = env.get_template("_html.j2" if html else "_text.j2")
        ctx = tmpl.new_context(
            {
                **context,
                "person": person,
                "lang": lang,
                "reason_text": reason_text,
                "m": macros.make_module({"reason_text": reason_text}),
            }
        )
        return "".join(tmpl.blocks[name](ctx)).strip()

    subject = " ".join(block("subject", html=False).split())
    footer, unsubscribe = gettext(FOOTER, lang), gettext(UNSUBSCRIBE, lang)
    link = unsubscribe_url(settings, person.id)
    html = (
        _env(True, lang)
        .get_template("_layout.html.j2")
        .render(
            lang=lang,
            body=Markup(block("body", html=True)),  # noqa: S704 - rendered escaping, just above
            footer=footer,
            unsubscribe_url=link,
            unsubscribe_label=unsubscribe,
        )
    )
    text = f"{_tidy(block('body', html=False))}\n\n-- \n{footer}\n{unsubscribe}: {link}\n"
    return Rendered(subject=subject[:300], text=text, html=html)


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
    if not person.active or (person.notify == NotifyPreference.OFF and not essential):
        return None
    exists = session.scalar(sa.select(OutboxEmail.id).where(OutboxEmail.dedupe_key == dedupe_key))
    if exists is not None:
        return None
    rendered = render(settings, template, person, context)
    row = OutboxEmail(
        dedupe_key=dedupe_key[:200],
        to_address=person.email,
        person_id=person.id,
        regency_code=regency_code,
        template=template,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        status=OutboxStatus.PENDING,
    )
    session.add(row)
    session.flush()
    return row
