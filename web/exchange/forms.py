"""Forms for needs and offers. Choices (skills, places) are set by the view from the database;
the templates render them as grouped checkboxes and grouped selects."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from web.fields import (
    DESCRIPTION_VALIDATORS,
    TITLE_VALIDATORS,
    Amount,
    DateInput,
    PickMany,
    PickOne,
    end_after_start,
    strip,
)
from web.submissions import SubmissionKeyField


class NeedForm(FlaskForm):
    submission_key = SubmissionKeyField()
    title = StringField(_l("What do you need?"), validators=TITLE_VALIDATORS, filters=[strip])
    skills = PickMany(
        _l("Skills or resources needed"),
        validators=[DataRequired(message=_l("Choose at least one skill."))],
    )
    area = PickOne(
        _l("Where"), validators=[InputRequired(message=_l("Choose a village or a kecamatan."))]
    )
    needed_from = DateInput(_l("Needed from"), validators=[Optional()])
    needed_until = DateInput(_l("Needed until"), validators=[Optional()])
    description = TextAreaField(_l("Details"), validators=DESCRIPTION_VALIDATORS)

    def validate_area(self, field: Field) -> None:
        if not field.data:
            raise ValidationError(str(_l("Choose a village or a kecamatan.")))

    def validate_needed_until(self, field: Field) -> None:
        end_after_start(self.needed_from, field)


class OfferForm(FlaskForm):
    submission_key = SubmissionKeyField()
    title = StringField(_l("What can you offer?"), validators=TITLE_VALIDATORS, filters=[strip])
    skills = PickMany(
        _l("Skills or resources offered"),
        validators=[DataRequired(message=_l("Choose at least one skill."))],
    )
    kecamatan = PickMany(_l("Whole kecamatan"))
    villages = PickMany(_l("Villages"))
    browse = PickOne(_l("Show the villages of"), validate_choice=False)
    available_from = DateInput(_l("Available from"), validators=[Optional()])
    available_until = DateInput(_l("Available until"), validators=[Optional()])
    capacity = Amount(
        _l("How many needs can you serve at once?"),
        default=1,
        validators=[
            InputRequired(message=_l("Between 1 and 100.")),
            NumberRange(min=1, max=100, message=_l("Between 1 and 100.")),
        ],
    )
    description = TextAreaField(_l("Details"), validators=DESCRIPTION_VALIDATORS)

    def validate_villages(self, field: Field) -> None:
        if not field.data and not self.kecamatan.data:
            raise ValidationError(str(_l("Choose at least one village or kecamatan.")))

    def validate_available_until(self, field: Field) -> None:
        end_after_start(self.available_from, field)
