"""The obstacle form (what happened, where, what kind) and the lesson form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from titiktemu.obstacles.commands import KIND_NAMES, MAX_TEXT, MIN_DESCRIPTION
from web.fields import DateInput, PickOne, choices, strip
from web.submissions import SubmissionKeyField

KIND_LABELS = {kind: _l(name) for kind, name in KIND_NAMES.items()}


#: The kinds as a sentence says them: "In Sidowarno, RTLH met community refusal in 2025."
KIND_PHRASES = {
    "community_refusal": _l("community refusal"),
    "village_stakeholders": _l("village stakeholders at odds"),
    "regency_politics": _l("pressure at the regency"),
    "data": _l("a data problem"),
    "budget": _l("a budget problem"),
    "weather_disaster": _l("bad weather or a disaster"),
    "other": _l("an obstacle"),
}


def obstacle_kind(kind: object) -> str:
    """A kind of obstacle in the reader's words, as a sentence says it."""
    value = str(getattr(kind, "value", kind))
    return str(KIND_PHRASES.get(value, value))


class ObstacleForm(FlaskForm):
    submission_key = SubmissionKeyField()
    intervention = HiddenField()
    village = PickOne(_l("Village"), validators=[Optional()])
    kind = SelectField(_l("Kind of obstacle"), choices=choices(KIND_LABELS.items()))
    description = TextAreaField(
        _l("What happened?"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Say what happened.")),
            Length(min=MIN_DESCRIPTION, max=MAX_TEXT),
        ],
    )
    happened_on = DateInput(_l("When"), validators=[Optional()])


class LessonForm(FlaskForm):
    seen_status = HiddenField()
    lesson = TextAreaField(
        _l("What helped, or what to do differently (the lesson)"),
        filters=[strip],
        validators=[Optional(), Length(max=MAX_TEXT)],
    )
    resolved = BooleanField(_l("Resolved"))
