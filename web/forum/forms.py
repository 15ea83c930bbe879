"""The forum's forms: schedule a meeting, add an agenda item, write an item's minutes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from web.fields import DateInput, choices, strip
from web.submissions import SubmissionKeyField

OUTCOMES = {
    "": _l("No decision on it"),
    "accept": _l("Accept the collaboration"),
    "decline": _l("Decline the collaboration"),
    "resolve": _l("Resolve the overlap"),
    "allow": _l("Allow these programs together"),
}


class MeetingForm(FlaskForm):
    submission_key = SubmissionKeyField()
    title = StringField(
        _l("Meeting"),
        filters=[strip],
        validators=[DataRequired(message=_l("Give the meeting a name.")), Length(max=200)],
    )
    day = DateInput(_l("Date"), validators=[InputRequired(message=_l("Give the date."))])
    starts = TimeField(_l("From"), validators=[InputRequired(message=_l("Give the time."))])
    ends = TimeField(_l("Until"), validators=[InputRequired(message=_l("Give the time."))])
    place = StringField(_l("Place"), filters=[strip], validators=[Optional(), Length(max=300)])
    online_link = StringField(
        _l("Online link"), filters=[strip], validators=[Optional(), Length(max=500)]
    )
    programs = SelectMultipleField(_l("Invite the people of these programs"), coerce=int)


class ItemForm(FlaskForm):
    title = StringField(
        _l("Add to the agenda"),
        filters=[strip],
        validators=[DataRequired(message=_l("Say what the item is about.")), Length(max=300)],
    )


class MinutesForm(FlaskForm):
    decision = TextAreaField(
        _l("Decision"),
        filters=[strip],
        validators=[DataRequired(message=_l("Write what the forum decided."))],
    )
    outcome = SelectField(_l("On the proposal or overlap"), choices=choices(OUTCOMES.items()))
    follow_up_by = SelectField(_l("Who follows up"), coerce=int, validate_choice=False)
    follow_up_due = DateInput(_l("By when"), validators=[Optional()])
