"""The profile form; programs, villages and skills are checked by the profile service."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from web.fields import PickMany, PickOne, PickRadio, choices, strip


class ProfileForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(message=_l("Please enter your name.")),
            Length(max=200, message=_l("At most 200 characters.")),
        ],
        filters=[strip],
    )
    phone = StringField(
        _l("Phone (WhatsApp)"),
        validators=[Length(max=40, message=_l("At most 40 characters."))],
        filters=[strip],
    )
    programs = PickMany(_l("My programs"), coerce=int, validate_choice=False)
    home_village = PickOne(_l("Home village"), validate_choice=False)
    villages = PickMany(_l("Villages I cover"), validate_choice=False)
    skills = PickMany(_l("My skills and resources"), validate_choice=False)
    skills_note = TextAreaField(
        _l("In my own words"),
        validators=[Length(max=2000, message=_l("At most 2000 characters."))],
    )
    language = PickRadio(
        _l("Language"),
        choices=choices([("id", "Bahasa Indonesia"), ("en", "English")]),
        validators=[DataRequired(message=_l("Choose Indonesian or English."))],
    )
    notify = PickRadio(
        _l("Emails"),
        choices=choices(
            [
                ("immediate", _l("Right away, one email per event")),
                ("daily", _l("Once a day, a digest")),
                ("off", _l("No emails")),
            ]
        ),
        validators=[DataRequired(message=_l("Choose how you want to hear from us."))],
    )


class TokenForm(FlaskForm):
    name = StringField(
        _l("What is it for?"),
        validators=[
            DataRequired(message=_l("Give the token a name, such as the script that uses it.")),
            Length(max=80, message=_l("At most 80 characters.")),
        ],
        filters=[strip],
    )


class RevokeTokenForm(FlaskForm):
    """Only the CSRF token: the token to revoke is in the URL."""
