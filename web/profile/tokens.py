"""My API tokens: make one for a script (shown once), see when each was last used, revoke.

The views are plain functions that web/profile/blueprint.py routes, so this module does not
import the blueprint back."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from titiktemu.accounts.tokens import create_token, revoke_token, tokens_of
from titiktemu.extensions import db
from web.access import login_required, me
from web.profile.forms import RevokeTokenForm, TokenForm


@login_required
def tokens() -> ResponseReturnValue:
    """List my tokens; POST makes a new one and shows it on this answer only (never stored)."""
    person = me()
    form = TokenForm()
    plain = None
    status = 200
    if form.validate_on_submit():
        _row, plain = create_token(db.session(), person, form.name.data or "")
        db.session.commit()
        status = 201
        form = TokenForm(formdata=None)
    elif form.is_submitted():
        status = 400
    return (
        render_template(
            "profile/tokens.html",
            form=form,
            revoke=RevokeTokenForm(),
            tokens=tokens_of(db.session(), person),
            plain=plain,
        ),
        status,
    )


@login_required
def revoke(token_id: int) -> ResponseReturnValue:
    """Revoke one of my tokens; someone else's (or an unknown) token is 404."""
    if not RevokeTokenForm().validate_on_submit():
        abort(400)
    if not revoke_token(db.session(), me(), token_id):
        abort(404)
    db.session.commit()
    flash(_("The token is revoked: scripts using it are refused from now on."), "info")
    return redirect(url_for(".tokens"))
