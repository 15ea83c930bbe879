"""The intervention (3W) form: program, village, activity, title, dates, households, budget."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, StringField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from web.fields import (
    TITLE_VALIDATORS,
    Amount,
    DateInput,
    PickOne,
    end_after_start,
    strip,
)
from web.submissions import SubmissionKeyField

#: Far above any village programme; a typo with three extra zeros should not pass.
MAX_BUDGET = 1_000_000_000_000
MAX_HOUSEHOLDS = 1_000_000


class InterventionForm(FlaskForm):
    submission_key = SubmissionKeyField()
    program = PickOne(
        _l("Program"), coerce=int, validators=[InputRequired(message=_l("Choose a program."))]
    )
    village = PickOne(_l("Village"), validators=[DataRequired(message=_l("Choose a village."))])
    category = PickOne(_l("Activity"), validators=[DataRequired(message=_l("Choose an activity."))])
    title = StringField(_l("What is done?"), validators=TITLE_VALIDATORS, filters=[strip])
    start_date = DateInput(
        _l("Start date"), validators=[InputRequired(message=_l("Give the start date."))]
    )
    end_date = DateInput(
        _l("End date"), validators=[InputRequired(message=_l("Give the end date."))]
    )
    households = Amount(
        _l("Households reached"),
        validators=[
            Optional(),
            NumberRange(min=0, max=MAX_HOUSEHOLDS, message=_l("Between 0 and 1,000,000.")),
        ],
    )
    budget = Amount(
        _l("Budget (rupiah)"),
        validators=[
            Optional(),
            NumberRange(min=0, max=MAX_BUDGET, message=_l("Between 0 and 1 trillion rupiah.")),
        ],
    )

    def validate_end_date(self, field: Field) -> None:
        end_after_start(self.start_date, field)
