"""Templates say their words through a catalog found once per request and locale: a page of
cards says "Accept" fifteen times, and a locale changed within the request still speaks."""

from __future__ import annotations

from flask import Flask, render_template_string, session
from flask_babel import force_locale, refresh

ACCEPT = '{{ _("Accept") }} {{ ngettext("waiting %(num)d day", "waiting %(num)d days", 2) }}'


def test_template_words_follow_the_locale_within_a_request(app: Flask) -> None:
    with app.test_request_context("/"):  # no one signed in: Indonesian
        assert render_template_string(ACCEPT) == "Terima menunggu 2 hari"
        with force_locale("en"):  # as an email to an English reader would be rendered
            assert render_template_string(ACCEPT) == "Accept waiting 2 days"
        assert render_template_string(ACCEPT) == "Terima menunggu 2 hari"


def test_template_words_follow_a_refreshed_locale(app: Flask) -> None:
    with app.test_request_context("/"):
        assert render_template_string(ACCEPT) == "Terima menunggu 2 hari"
        session["lang"] = "en"
        refresh()  # what the profile page does once a language is chosen
        assert render_template_string(ACCEPT) == "Accept waiting 2 days"
