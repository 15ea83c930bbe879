"""The regency's own synonyms: what its coordinators kept from import reports, and removing one."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from titiktemu import visibility
from titiktemu.extensions import db
from titiktemu.models import Regency
from titiktemu.vocabulary.synonyms import remove_synonym, synonyms_of, targets
from web.access import coordinator_required, me, my_regency
from web.synonyms.forms import KIND_LABELS, RemoveForm

blueprint = Blueprint("synonyms", __name__)


def _regency() -> str:
    """My regency; a global admin may ask for another with ``?regency=`` (as on exports)."""
    person = me()
    asked = request.args.get("regency", "")
    if asked and visibility.sees_everything(person):
        if db.session.get(Regency, asked) is None:
            abort(404)
        return asked
    return my_regency()


@blueprint.route("/synonyms")
@coordinator_required
def index() -> ResponseReturnValue:
    """The regency's synonyms by kind, with what each names, who kept it, and a remove button."""
    regency_code = _regency()
    rows = synonyms_of(db.session(), regency_code)
    by_kind = {kind: [r for r in rows if r.kind.value == kind] for kind in KIND_LABELS}
    return render_template(
        "synonyms/index.html",
        regency=db.session.get(Regency, regency_code),
        by_kind=by_kind,
        kind_labels=KIND_LABELS,
        targets=targets(db.session(), rows),
        lang="en" if str(get_locale()) == "en" else "id",
        form=RemoveForm(),
    )


@blueprint.route("/synonyms/<int:synonym_id>/remove", methods=["POST"])
@coordinator_required
def remove(synonym_id: int) -> ResponseReturnValue:
    """Remove one synonym: imports, forms and the engine read the phrase loosely again."""
    if not RemoveForm().validate_on_submit():
        abort(400)
    try:
        row = remove_synonym(db.session(), me(), synonym_id)
    except LookupError:
        abort(404)
    except PermissionError:
        abort(403)
    db.session.commit()
    flash(_("'%(phrase)s' is no longer a synonym.", phrase=row.phrase), "info")
    regency = row.regency_code if row.regency_code != my_regency() else None
    return redirect(url_for(".index", regency=regency))
