"""The upload form: files, an optional kind for all of them, and check or import."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import SelectField
from wtforms.validators import InputRequired

from web.fields import choices

KIND_LABELS = {
    "programs": _l("Programs"),
    "people": _l("People"),
    "interventions": _l("Interventions (3W)"),
    "offers": _l("Offers"),
    "needs": _l("Needs"),
}


class UploadForm(FlaskForm):
    files = MultipleFileField(
        _l("CSV or XLSX files"),
        validators=[InputRequired(message=_l("Choose at least one file."))],
    )
    kind = SelectField(
        _l("What the files hold"),
        choices=choices([("", _l("Tell from the sheet or file names")), *KIND_LABELS.items()]),
        default="",
    )


class ApplyForm(FlaskForm):
    """Only the CSRF token: the checked run to apply is in the URL."""
