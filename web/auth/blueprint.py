"""Sign in and out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from titiktemu.extensions import db
from titiktemu.services.accounts import authenticate, end_session, start_session
from web.auth.forms import LoginForm
from web.safety import safe_next

blueprint = Blueprint("auth", __name__)


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the sign-in form; sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if not form.validate_on_submit():
        status = 400 if form.errors else 200
        return render_template("auth/login.html", form=form), status
    person = authenticate(db.session(), form.email.data or "", form.password.data or "")
    if person is None:
        flash(_("Email or password is not right."), "error")
        return render_template("auth/login.html", form=form), 401
    lang = session.get("lang")
    session.clear()  # a fresh session on sign-in: nothing from before carries over
    if lang:
        session["lang"] = lang
    session["sid"] = start_session(db.session(), person)
    login_user(person)
    return redirect(safe_next(form.next.data, url_for("home.index")))


@blueprint.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    """Sign out and forget the session."""
    end_session(db.session(), session.get("sid"))
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@blueprint.route("/language", methods=["POST"])
def language() -> ResponseReturnValue:
    """Switch between Indonesian and English; remembered on the person when signed in."""
    chosen = request.form.get("lang", "")
    if chosen in ("id", "en"):
        session["lang"] = chosen
        if current_user.is_authenticated:
            current_user.language = chosen
            db.session.commit()
    return redirect(safe_next(request.form.get("next"), url_for("home.index")))
