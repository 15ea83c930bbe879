"""Forms for needs and offers, and the date and number fields the facilitator forms share.

Choices (skills, places) are set by the view from the database; the templates render them as
grouped checkboxes and grouped selects.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any, cast

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Field,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs lag 3.3
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from web.submissions import SubmissionKeyField

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")
_GROUPED = re.compile(r"\d{1,3}(?:[.,]\d{3})+")
_CENTS = re.compile(r"(.+)[.,]\d{2}")


INVALID_CHOICE = _l("Choose from the list.")


def strip(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[Any]:
    """Options as WTForms 3.3 wants them (tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


def values(field: SelectField) -> set[Any]:
    """The values a choice field accepts."""
    return {choice.value for choice in cast(list[Any], field.choices or [])}


class PickOne(SelectField):
    """A select (validated against its choices) that refuses in the UI language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invalid_choice_message = self.invalid_value_message = INVALID_CHOICE


class PickMany(SelectMultipleField):
    """Checkboxes of one name, validated against the choices, refusing in the UI language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invalid_choice_message = self.invalid_value_message = INVALID_CHOICE


class PickRadio(RadioField):
    """Radio buttons that refuse in the UI language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invalid_choice_message = self.invalid_value_message = INVALID_CHOICE


class DateInput(DateField):
    """A date that may be left empty (then ``None``); typed dates also read as 31/12/2027."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = " ".join(str(v) for v in valuelist).strip() if valuelist else ""
        self.data = None
        if not text:
            return
        for fmt in DATE_FORMATS:
            try:
                day = dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
            if not 2000 <= day.year <= 2100:
                raise ValueError(str(_l("Choose a date between 2000 and 2100.")))
            self.data = day
            return
        raise ValueError(str(_l("Write the date as year-month-day, for example 2027-01-31.")))


def parse_amount(text: str) -> int:
    """Whole rupiah from what people type: "1500000", "1.500.000", "Rp 1,500,000", "1.500.000,00"."""
    text = re.sub(r"(?i)^rp\.?", "", "".join(text.split()))
    if not text.isdigit():
        cents = _CENTS.fullmatch(text)
        if cents and (cents.group(1).isdigit() or _GROUPED.fullmatch(cents.group(1))):
            text = cents.group(1)
        if _GROUPED.fullmatch(text):
            text = re.sub(r"[.,]", "", text)
    if not text.isdigit():
        raise ValueError(text)
    return int(text)


class Amount(IntegerField):
    """A whole number that may carry thousands separators (and "Rp" in front)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = str(valuelist[0]).strip() if valuelist else ""
        self.data = None
        if not text:
            return
        try:
            self.data = parse_amount(text)
        except ValueError:
            raise ValueError(str(_l("Write a whole number, for example 1500000."))) from None


def end_after_start(start: Field, end: Field) -> None:
    """Refuse an end date before the start date (either may be empty)."""
    if start.data and end.data and end.data < start.data:
        raise ValidationError(str(_l("The end date comes before the start date.")))


TITLE_VALIDATORS = [
    DataRequired(message=_l("Please give a title.")),
    Length(max=200, message=_l("At most 200 characters.")),
]
DESCRIPTION_VALIDATORS = [Length(max=2000, message=_l("At most 2000 characters."))]


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
