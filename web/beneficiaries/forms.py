"""The upload form of a beneficiary list: the file, whose list it is, and why it is processed."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from titiktemu.beneficiaries.commands import MAX_PURPOSE
from web.fields import choices, strip

LEGAL_BASIS_LABELS = {
    "public_task": _l("Public task or authority (a program run under a regulation)"),
    "legal_obligation": _l("Legal obligation"),
    "consent": _l("Consent of the beneficiaries"),
    "vital_interest": _l("Vital interest (disaster relief)"),
    "contract": _l("Contract with the beneficiaries"),
    "legitimate_interest": _l("Legitimate interest"),
}


class UploadForm(FlaskForm):
    file = FileField(_l("List (CSV or XLSX)"), validators=[FileRequired(_l("Choose the file."))])
    program = SelectField(_l("Program"), coerce=int, validators=[InputRequired()])
    year = IntegerField(
        _l("Year of the list"),
        validators=[InputRequired(), NumberRange(min=2000, max=2100)],
    )
    legal_basis = SelectField(
        _l("Legal basis (UU 27/2022)"),
        choices=choices(LEGAL_BASIS_LABELS.items()),
        default="public_task",
    )
    purpose = TextAreaField(
        _l("Purpose"),
        filters=[strip],
        validators=[InputRequired(), Length(max=MAX_PURPOSE)],
        default=_l("Check that beneficiaries are not served twice by programs of the same kind"),
    )


class DeleteForm(FlaskForm):
    """Only the CSRF token: the list to delete is in the URL."""
