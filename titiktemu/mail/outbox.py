"""Queueing email: render it in the recipient's language and write the outbox row in the caller's
transaction, so the email exists exactly when the event that causes it does.

``dedupe_key`` names the event and recipient; the same event never queues a second email.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa
from itsdangerous import BadSignature, URLSafeSerializer
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from sqlalchemy.orm import Session

from titiktemu.matching.reason_text import day, number
from titiktemu.models import NotifyPreference, OutboxEmail, OutboxStatus, Person
from titiktemu.settings import Settings

FOOTER = {
    "id": "Anda menerima email ini sebagai pengguna Titik Temu.",
    "en": "You receive this email as a Titik Temu user.",
}
UNSUBSCRIBE = {"id": "Berhenti menerima email", "en": "Stop these emails"}


def percent(score: float, lang: str) -> str:
    """A 0..1 score as the pages show it: "85%"."""
    return f"{number(round(score * 100), lang)}%"


@cache
def _env(html: bool) -> Environment:
    """The email templates, escaping for HTML (the html block and the layout) or not at all
    (the subject and the plain-text part: a name with ``<b>`` or ``"`` reads as typed there)."""
    env = Environment(
        loader=PackageLoader("titiktemu", "templates/email"),
        autoescape=html,  # noqa: S701 - off only for the subject and the plain-text part
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    # Dates, numbers and money in the reader's language (Babel): {{ until|day(lang) }}.
    env.filters.update(day=day, number=number, percent=percent)
    return env


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
    """Subject, plain text and HTML of ``template`` in the person's language."""
    lang = "en" if str(person.language) == "en" else "id"

    def block(name: str, *, html: bool) -> str:
        # The same template file, compiled with escaping (html) or without (subject, text).
        # Blocks are rendered one by one, which skips a template's own imports: the macros
        # come in through the context instead.
        tmpl = _env(html).get_template(f"{template}.{lang}.j2")
        macros = _env(html).get_template("_macros.j2").module
        ctx = tmpl.new_context({**context, "person": person, "lang": lang, "m": macros})
        return "".join(tmpl.blocks[name](ctx)).strip()

    subject = " ".join(block("subject", html=False).split())
    layout = _env(True).get_template("_layout.html.j2")
    html = layout.render(
        lang=lang,
        body=Markup(block("html", html=True)),  # noqa: S704 - rendered escaping, just above
        footer=FOOTER[lang],
        unsubscribe_url=unsubscribe_url(settings, person.id),
        unsubscribe_label=UNSUBSCRIBE[lang],
    )
    text = (
        f"{block('text', html=False)}\n\n-- \n{FOOTER[lang]}\n{UNSUBSCRIBE[lang]}: "
        f"{unsubscribe_url(settings, person.id)}\n"
    )
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
