"""Beneficiary lists: upload (encoded on arrival), see which households other programs also
serve, delete. Every view of links is audited (``titiktemu.beneficiaries.views``)."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from titiktemu.app import settings_of
from titiktemu.beneficiaries import commands, views
from titiktemu.beneficiaries.clk import product_schema
from titiktemu.extensions import db
from titiktemu.models import BeneficiaryList, Program, Role
from web.access import login_required, me, my_regency
from web.beneficiaries.forms import LEGAL_BASIS_LABELS, DeleteForm, UploadForm
from web.fields import choices
from web.pages import lang

blueprint = Blueprint("beneficiaries", __name__)


def _page(form: UploadForm, report: commands.UploadReport | None = None) -> ResponseReturnValue:
    person, regency = me(), my_regency()
    programs = commands.manageable_programs(db.session(), person, regency)
    form.program.choices = choices((p.id, f"{p.code} · {p.name}") for p in programs)
    if form.year.data is None:
        form.year.data = dt.date.today().year
    lists = views.lists_for(db.session(), person, regency)
    counts = None
    if person.role != Role.FACILITATOR:
        counts = views.pair_counts(db.session(), person, regency)
        db.session.commit()  # the view of the counts is audited
    body = render_template(
        "beneficiaries/index.html",
        form=form,
        lists=lists,
        counts=counts,
        report=report,
        lang=lang(),
        bases=LEGAL_BASIS_LABELS,
        delete_form=DeleteForm(),
        key_set=settings_of(current_app).linkage_key is not None,
    )
    return body


@blueprint.route("/beneficiaries")
@login_required
def index() -> ResponseReturnValue:
    """The regency's lists, the upload form and, for coordinators, households per village."""
    return _page(UploadForm())


@blueprint.route("/beneficiaries", methods=["POST"])
@login_required
def upload() -> ResponseReturnValue:
    """Upload one program's list of one year: read, encoded and stored, all or nothing."""
    form = UploadForm()
    person, regency = me(), my_regency()
    programs = commands.manageable_programs(db.session(), person, regency)
    form.program.choices = choices((p.id, p.code) for p in programs)
    if not form.validate_on_submit():
        return _page(form)
    program = db.session.get(Program, form.program.data)
    assert program is not None  # one of the choices
    stream = form.file.data
    report = commands.upload_list(
        db.session(),
        settings_of(current_app),
        person,
        regency=regency,
        program=program,
        year=int(form.year.data or 0),
        legal_basis=str(form.legal_basis.data),
        purpose=str(form.purpose.data or ""),
        file_name=stream.filename or "upload",
        data=stream.read(),
    )
    if not report.ok:
        db.session.rollback()
        return _page(form, report)  # the form again, with every row to fix
    db.session.commit()
    flash(
        _(
            "%(program)s %(year)s: %(rows)s rows stored encoded. Households also in other "
            "programs appear here once they are found.",
            program=program.code,
            year=form.year.data,
            rows=report.rows,
        ),
        "info",
    )
    return redirect(url_for(".index"))


def _manageable_or_404(list_id: int) -> BeneficiaryList:
    """The list, if the signed-in person is one of its program's people; else 404 (a list of
    another program or regency is not revealed)."""
    found = db.session.get(BeneficiaryList, list_id)
    regency = my_regency()
    if found is None or found.regency_code != regency:
        abort(404)
    if not commands.may_manage(db.session(), me(), found.program, regency):
        abort(404)
    return found


@blueprint.route("/beneficiaries/<int:list_id>")
@login_required
def rows(list_id: int) -> ResponseReturnValue:
    """The list's own rows that other programs' lists also hold (only the program's people)."""
    found = _manageable_or_404(list_id)
    if not commands.is_member(db.session(), me(), found.program):
        abort(404)
    own = views.own_rows_elsewhere(db.session(), me(), list_id)
    db.session.commit()  # the view is audited
    return render_template("beneficiaries/rows.html", item=found, rows=own)


@blueprint.route("/beneficiaries/<int:list_id>/delete", methods=["POST"])
@login_required
def delete(list_id: int) -> ResponseReturnValue:
    """Delete a list with its encodings and links."""
    if not DeleteForm().validate_on_submit():
        abort(400)
    found = _manageable_or_404(list_id)
    label = f"{found.program.code} {found.year}"
    commands.delete_list(db.session(), me(), list_id)
    db.session.commit()
    flash(_("The list %(name)s is deleted with its encodings and links.", name=label), "info")
    return redirect(url_for(".index"))


@blueprint.route("/beneficiaries/linkage-schema.json")
def schema() -> ResponseReturnValue:
    """The linkage schema (clkhash v3), published: what an encoding holds and how it is made."""
    return Response(product_schema().text, mimetype="application/json")
