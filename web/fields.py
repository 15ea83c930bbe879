"""Form fields every page's form shares: pick lists, dates as people type them, rupiah amounts,
and the title and description rules. Feature forms (needs, offers, interventions, profile,
imports) build on these; the choices are set by each view from the database."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any, cast

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    Field,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs lag 3.3
from wtforms.validators import DataRequired, Length

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
