"""The decision form on an overlap flag (POST, CSRF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import AnyOf, Length, ValidationError

ACTIONS = ["acknowledge", "resolve", "allow"]


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class FlagActionForm(FlaskForm):
    """Acknowledge, resolve with a note (required), or allow the programs' combination."""

    action = HiddenField(validators=[AnyOf(ACTIONS)])
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)], filters=[_strip])

    def validate_note(self, field: TextAreaField) -> None:
        if self.action.data == "resolve" and not field.data:
            raise ValidationError(_l("Please say how it was resolved."))
