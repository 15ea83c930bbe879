"""Plain text is not HTML: subjects and text parts carry names as typed, the HTML part escapes them.

Through the real forms and a real SMTP server (aiosmtpd on loopback): a coordinator whose name
holds ``<b>``, ``"`` and ``&`` invites a facilitator whose name does too, then asks for a password
reset (a job, run after the answer). Issue 12, finding 9: the subject and the text part read
``&lt;b&gt;`` and ``&#34;``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from harness.services import Received, SmtpServer, smtp_server
from titiktemu.extensions import db
from titiktemu.jobs import settle
from titiktemu.models import Role
from titiktemu.settings import Settings
from web.app import create_app

from .conftest import PASSWORD, AuthActions, csrf_token

COORDINATOR = 'Budi "<b>Bos</b>" & Co'
INVITEE = 'Ani <b>"Ana"</b>'
ESCAPES = ("&lt;", "&gt;", "&#34;", "&quot;", "&amp;")


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def sending(settings: Settings, app: Flask, smtp: SmtpServer) -> Iterator[Flask]:
    """The web app on the test database, sending its emails to ``smtp`` (tasks in process)."""
    live = create_app(Settings(**{**settings.__dict__, "smtp_url": smtp.url}))
    live.config.update(TESTING=True)
    try:
        yield live
    finally:
        settle(live)
        with live.app_context():
            db.session.remove()
            db.engine.dispose()


def parts(mail: Received) -> tuple[str, str]:
    """The plain-text and the HTML part of a received email."""
    text = mail.message.get_body(preferencelist=("plain",))
    html = mail.message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


def test_subject_and_text_are_not_escaped_and_html_is(
    sending: Flask, smtp: SmtpServer, make_person
) -> None:
    make_person("koor@example.org", role=Role.COORDINATOR, name=COORDINATOR)
    client = sending.test_client()
    assert AuthActions(client).login("koor@example.org", PASSWORD).status_code == 302
    token = csrf_token(client, "/invite")
    invited = client.post(
        "/invite", data={"email": "ani@example.org", "name": INVITEE, "csrf_token": token}
    )
    assert invited.status_code == 302

    [invitation] = smtp.wait_for(1, timeout=20)
    assert invitation.recipients == ("ani@example.org",)
    assert invitation.subject.startswith(COORDINATOR)  # "... mengundang Anda ke Titik Temu"
    text, html = parts(invitation)
    assert COORDINATOR in text and INVITEE in text
    for escaped in ESCAPES:
        assert escaped not in invitation.subject and escaped not in text, escaped
    # The HTML part still escapes: the names are text there, never markup.
    assert "Budi &#34;&lt;b&gt;Bos&lt;/b&gt;&#34; &amp; Co" in html
    assert "Ani &lt;b&gt;&#34;Ana&#34;&lt;/b&gt;" in html
    assert "<b>Bos</b>" not in html and '<b>"Ana"</b>' not in html

    # A reset link, sent by its job after the answer, greets the coordinator the same way.
    AuthActions(client).logout()
    token = csrf_token(client, "/reset")
    asked = client.post("/reset", data={"email": "koor@example.org", "csrf_token": token})
    assert asked.status_code == 200
    settle(sending)
    _, reset = smtp.wait_for(2, timeout=20)
    assert reset.recipients == ("koor@example.org",)
    text, html = parts(reset)
    assert f"Halo {COORDINATOR}," in text
    assert "Halo Budi &#34;&lt;b&gt;Bos&lt;/b&gt;&#34; &amp; Co," in html
