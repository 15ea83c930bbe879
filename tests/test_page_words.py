"""Templates say their words through a catalog found once per request and locale: a page of
cards says "Accept" fifteen times, and a locale changed within the request still speaks."""

from __future__ import annotations

import datetime as dt

from flask import Flask, render_template_string, session
from flask_babel import force_locale, format_date, refresh

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


def test_dates_read_as_flask_babel_writes_them_in_both_languages(app: Flask) -> None:
    """``dateformat`` keeps Flask-Babel's words for a date (remembered per process), in the
    locale of the moment; a datetime and other forms go to Flask-Babel itself."""
    day, moment = dt.date(2021, 3, 1), dt.datetime(2021, 3, 1, 9, 30)
    with app.test_request_context("/"):
        for locale in ("id", "en"):
            with force_locale(locale):
                for value, form in ((day, None), (day, "long"), (moment, None)):
                    said = render_template_string(
                        "{{ value|dateformat(form) }}", value=value, form=form
                    )
                    assert said == format_date(value, form)
        assert render_template_string("{{ value|dateformat }}", value=day) == "1 Mar 2021"
        with force_locale("en"):
            assert render_template_string("{{ value|dateformat }}", value=day) == "Mar 1, 2021"
