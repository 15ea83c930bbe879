"""Keeping a reading as the regency's synonym and removing one: hidden fields and the CSRF token,
plus the words for why a synonym could not be kept."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import InputRequired, Length

from titiktemu.vocabulary.synonyms import MAX_PHRASE, SynonymError


class KeepForm(FlaskForm):
    """One reading of an import's report: what kind, the phrase as written, the code read."""

    kind = HiddenField(validators=[InputRequired()])
    phrase = HiddenField(validators=[InputRequired(), Length(max=MAX_PHRASE)])
    code = HiddenField(validators=[InputRequired(), Length(max=40)])


class RemoveForm(FlaskForm):
    """Only the CSRF token: the synonym to remove is in the URL."""


KIND_LABELS = {
    "skill": _l("Skills"),
    "activity": _l("Activities"),
    "program": _l("Programs"),
}


def refusal(exc: SynonymError, phrase: str) -> str:
    """Why ``phrase`` could not be kept, in the UI language."""
    if exc.code in ("duplicate", "known"):
        return str(gettext("'%(phrase)s' is already saved as a synonym.", phrase=phrase))
    if exc.code == "taken":
        return str(
            gettext(
                "'%(phrase)s' already means %(other)s, so it cannot be kept for something else.",
                phrase=phrase,
                other=exc.other,
            )
        )
    if exc.code == "unknown_code":
        return str(gettext("'%(code)s' no longer exists.", code=exc.other))
    return str(gettext("This phrase cannot be kept as a synonym."))
