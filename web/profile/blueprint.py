"""My profile: programs, villages, skills, language and notifications."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import refresh

from titiktemu.accounts.profile import (
    ProfileInput,
    find_villages,
    kecamatan_of,
    save_profile,
    skill_groups,
    villages_by_code,
    villages_in,
)
from titiktemu.exchange.commands import InputError
from titiktemu.extensions import db
from titiktemu.models import Program
from web.access import login_required, me, my_regency
from web.pages import apply_errors, template_context
from web.profile import tokens
from web.profile.forms import ProfileForm

blueprint = Blueprint("profile", __name__)
blueprint.context_processor(template_context)


@blueprint.route("/profile", methods=["GET", "POST"])
@login_required
def edit() -> ResponseReturnValue:
    """Edit my profile. ``?kecamatan=`` or ``?q=`` lists villages to add, without JavaScript."""
    person = me()
    regency = my_regency()
    kecamatan_code = request.args.get("kecamatan", "")
    query = request.args.get("q", "").strip()[:100]
    form = ProfileForm()
    if request.method == "GET":
        form.name.data, form.phone.data = person.name, person.phone
        form.programs.data = [p.id for p in person.programs]
        form.home_village.data = person.home_village_code or ""
        form.villages.data = [v.code for v in person.villages]
        form.skills.data = [s.code for s in person.skills]
        form.skills_note.data = person.skills_note
        form.language.data, form.notify.data = person.language.value, person.notify.value
    status = 200
    if form.validate_on_submit():
        data = ProfileInput(
            name=form.name.data or "",
            phone=form.phone.data or "",
            program_ids=list(form.programs.data or []),
            home_village_code=form.home_village.data or None,
            village_codes=list(form.villages.data or []),
            skill_codes=list(form.skills.data or []),
            skills_note=form.skills_note.data or "",
            language=form.language.data or "",
            notify=form.notify.data or "",
        )
        try:
            save_profile(db.session(), person, data, regency)
        except InputError as exc:
            db.session.rollback()
            apply_errors(form, exc.errors, {})
        else:
            db.session.commit()
            session["lang"] = person.language.value
            refresh()  # the page after this one speaks the language just chosen
            flash(_("Your profile is saved."), "info")
            return redirect(url_for(".edit"))
    if request.method == "POST":
        status = 400
    chosen = [str(c) for c in form.villages.data or []]
    covered = villages_by_code(db.session(), [v.code for v in person.villages] + chosen)
    covered = [v for v in covered if v.regency_code == regency]
    if kecamatan_code:
        found = villages_in(db.session(), regency, kecamatan_code)
    else:
        found = find_villages(db.session(), regency, query) if query else []
    covered_codes = {v.code for v in covered}
    home_options = villages_by_code(
        db.session(),
        [c for c in [person.home_village_code, form.home_village.data] if c]
        + [v.code for v in covered]
        + [v.code for v in found],
    )
    return (
        render_template(
            "profile/edit.html",
            form=form,
            programs=db.session.scalars(sa.select(Program).order_by(Program.code)).all(),
            groups=skill_groups(db.session()),
            kecamatan=kecamatan_of(db.session(), regency),
            kecamatan_code=kecamatan_code,
            query=query,
            covered=covered,
            chosen=set(chosen),
            found=[v for v in found if v.code not in covered_codes],
            found_covered=[v for v in found if v.code in covered_codes],
            searched=bool(kecamatan_code or query),
            home_options=[v for v in home_options if v.regency_code == regency],
        ),
        status,
    )


blueprint.add_url_rule("/profile/tokens", view_func=tokens.tokens, methods=["GET", "POST"])
blueprint.add_url_rule(
    "/profile/tokens/<int:token_id>/revoke", view_func=tokens.revoke, methods=["POST"]
)
