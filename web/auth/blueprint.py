"""Sign in and out, invitations, password resets and changes, self-registration."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from titiktemu import visibility
from titiktemu.accounts.invitations import (
    INVITABLE_ROLES,
    InvitationError,
    InviteOutcome,
    accept,
    invite,
    invited_person,
    register,
)
from titiktemu.accounts.signin import (
    INVITE_MAX_AGE,
    RESET_MAX_AGE,
    RESET_SALT,
    LinkProblem,
    ask_for_password_reset,
    authenticate,
    change_password,
    end_session,
    person_from_link,
    registration_open,
    reset_password,
    set_registration,
    start_session,
)
from titiktemu.app import settings_of
from titiktemu.extensions import db
from titiktemu.models import Kecamatan, Person, Regency, Role
from web.access import admin_required, coordinator_required, login_required, me
from web.auth.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    InviteForm,
    LoginForm,
    RegistrationForm,
    RegistrationSettingForm,
    ResetForm,
    ResetRequestForm,
    choices,
)
from web.safety import safe_next
from web.submissions import first_submission, settled

blueprint = Blueprint("auth", __name__)


def _sign_in(person: Person) -> None:
    """A fresh session for ``person``: nothing from before carries over but the language."""
    end_session(db.session(), session.get("sid"))
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session["sid"] = start_session(db.session(), person)
    login_user(person)


def _link_problem(problem: LinkProblem) -> ResponseReturnValue:
    """A page that says why an emailed link does not work and what to do instead."""
    status = 404 if problem == LinkProblem.INVALID else 410
    return render_template("auth/link_problem.html", problem=problem.value), status


def _loaded_regencies() -> list[Any]:
    """Regencies whose places are loaded, as select choices (code, name)."""
    rows = db.session.execute(
        sa.select(Regency.code, Regency.name)
        .where(Regency.code.in_(sa.select(Kecamatan.regency_code)))
        .order_by(Regency.name)
    )
    return choices((code, name) for code, name in rows)


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the sign-in form; sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    can_register = registration_open(db.session())
    if not form.validate_on_submit():
        status = 400 if form.errors else 200
        return render_template("auth/login.html", form=form, can_register=can_register), status
    person = authenticate(db.session(), form.email.data or "", form.password.data or "")
    if person is None:
        # 401 is what the per-IP and per-account limits count (web/auth/limits.py).
        flash(_("Email or password is not right."), "error")
        return render_template("auth/login.html", form=form, can_register=can_register), 401
    _sign_in(person)
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


@blueprint.route("/invite", methods=["GET", "POST"])
@coordinator_required
def invite_facilitator() -> ResponseReturnValue:
    """Invite a facilitator or a partner by email into my regency (an admin chooses the regency,
    and may also invite a coordinator)."""
    inviter = me()
    form = InviteForm()
    invitable = {r.value for r in INVITABLE_ROLES.get(inviter.role, ())}
    offered: list[Any] = list(form.role.choices or [])  # SelectChoice objects (web.auth.forms)
    form.role.choices = [c for c in offered if c.value in invitable]
    if request.method == "GET" and request.args.get("role") in invitable:
        form.role.data = request.args["role"]  # "invite a partner" from the prospectus
    if inviter.role == Role.ADMIN:
        form.regency.choices = _loaded_regencies()
        if request.method == "GET" and inviter.regency_code:
            form.regency.data = inviter.regency_code
    if form.validate_on_submit():
        email = form.email.data or ""
        role = Role(form.role.data)
        key = form.submission_key.posted
        first = first_submission(key, "invitation")  # a double tap: what the first one said
        if first is not None:
            outcome = InviteOutcome(first.note)
        else:
            try:
                outcome = invite(
                    db.session(),
                    settings_of(current_app),
                    inviter,
                    email,
                    name=form.name.data or "",
                    regency_code=form.regency.data or None,
                    role=role,
                )
            except InvitationError:
                db.session.rollback()
                flash(_("Choose the regency to invite into."), "error")
                return _invite_page(form, inviter), 400
            settled(key, note=outcome.value)
            db.session.commit()
        if outcome == InviteOutcome.SENT:
            flash(_("Invitation sent to %(email)s.", email=email), "info")
        elif outcome == InviteOutcome.RESENT:
            flash(_("%(email)s was invited before: a new link is on its way.", email=email), "info")
        else:
            flash(
                _(
                    "%(email)s already has an account. If they forgot the password, they can "
                    "reset it from the sign-in page.",
                    email=email,
                ),
                "error",
            )
        return redirect(url_for("auth.invite_facilitator"))
    return _invite_page(form, inviter), 400 if form.errors else 200


def _invite_page(form: InviteForm, inviter: Person) -> str:
    """The invitation form and the people invited who have not joined yet."""
    pending = sa.select(Person).where(
        Person.password_hash.is_(None), Person.active.is_(True), visibility.people(inviter)
    )
    people = db.session.scalars(pending.order_by(Person.created_at.desc()).limit(50)).all()
    return render_template(
        "auth/invite.html",
        form=form,
        pending=people,
        choose_regency=inviter.role == Role.ADMIN,
        choose_role=True,
        days=INVITE_MAX_AGE.days,
    )


@blueprint.route("/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> ResponseReturnValue:
    """Join through an invitation link: choose a name and a password, then be signed in."""
    settings = settings_of(current_app)
    person = invited_person(db.session(), settings, token)
    if isinstance(person, LinkProblem):
        return _link_problem(person)
    form = AcceptInvitationForm()
    form.email = person.email
    if request.method == "GET":
        form.name.data = person.name
    if form.validate_on_submit():
        joined = accept(
            db.session(), settings, token, form.name.data or "", form.password.data or ""
        )
        if isinstance(joined, LinkProblem):
            return _link_problem(joined)
        db.session.commit()
        _sign_in(joined)
        flash(_("Welcome to Titik Temu, %(name)s.", name=joined.name), "info")
        return redirect(url_for("home.index"))
    page = render_template("auth/accept_invitation.html", form=form, person=person)
    return page, 400 if form.errors else 200


@blueprint.route("/reset", methods=["GET", "POST"])
def reset_request() -> ResponseReturnValue:
    """Ask for a password reset link; the answer, and its time, are the same whether the address
    is known: the request only queues the job that looks it up."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        ask_for_password_reset(db.session(), form.email.data or "")
        db.session.commit()
        return render_template(
            "auth/reset_sent.html", minutes=int(RESET_MAX_AGE.total_seconds() // 60)
        )
    return render_template("auth/reset_request.html", form=form), 400 if form.errors else 200


@blueprint.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> ResponseReturnValue:
    """Choose a new password through a reset link; every other sign-in of the person ends."""
    settings = settings_of(current_app)
    person = person_from_link(db.session(), settings, RESET_SALT, token, RESET_MAX_AGE)
    if isinstance(person, LinkProblem):
        return _link_problem(person)
    form = ResetForm()
    form.email = person.email
    if form.validate_on_submit():
        done = reset_password(db.session(), settings, token, form.password.data or "")
        if isinstance(done, LinkProblem):
            return _link_problem(done)
        db.session.commit()
        _sign_in(done)
        flash(_("Your password is changed. Every other sign-in has ended."), "info")
        return redirect(url_for("home.index"))
    page = render_template("auth/reset.html", form=form, person=person)
    return page, 400 if form.errors else 200


@blueprint.route("/password", methods=["GET", "POST"])
@login_required
def password() -> ResponseReturnValue:
    """Change my password; every sign-in ends and this browser gets a fresh one."""
    person = me()
    form = ChangePasswordForm()
    form.email = person.email
    if form.validate_on_submit():
        if change_password(db.session(), person, form.current.data or "", form.password.data or ""):
            db.session.commit()
            _sign_in(person)
            flash(_("Your password is changed. Every other sign-in has ended."), "info")
            return redirect(url_for("home.index"))
        db.session.rollback()
        form.current.errors = [_("The current password is not right.")]
    return render_template("auth/password.html", form=form), 400 if form.errors else 200


@blueprint.route("/register", methods=["GET", "POST"])
def register_facilitator() -> ResponseReturnValue:
    """Ask for a facilitator account, when an admin has opened registration (else 404)."""
    if not registration_open(db.session()):
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = RegistrationForm()
    form.regency.choices = _loaded_regencies()
    if form.validate_on_submit():
        register(
            db.session(),
            settings_of(current_app),
            form.email.data or "",
            form.name.data or "",
            form.regency.data or "",
        )
        db.session.commit()
        return render_template("auth/register_sent.html", days=INVITE_MAX_AGE.days)
    return render_template("auth/register.html", form=form), 400 if form.errors else 200


@blueprint.route("/settings/registration", methods=["GET", "POST"])
@admin_required
def registration_setting() -> ResponseReturnValue:
    """Open or close self-registration for the whole site (admins only)."""
    form = RegistrationSettingForm()
    if form.validate_on_submit():
        set_registration(db.session(), me(), bool(form.open.data))
        db.session.commit()
        if form.open.data:
            flash(_("Registration is open: anyone can ask for a facilitator account."), "info")
        else:
            flash(_("Registration is closed: people join by invitation only."), "info")
        return redirect(url_for("auth.registration_setting"))
    if request.method == "GET":
        form.open.data = registration_open(db.session())
    page = render_template("auth/registration_setting.html", form=form)
    return page, 400 if form.errors else 200
