"""The forum (/forum): schedule a meeting, run its agenda, write its minutes, print it, add it
to a calendar; follow-ups are marked done from the home page."""

from __future__ import annotations

import datetime as dt

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from titiktemu.app import settings_of
from titiktemu.decisions import may_review
from titiktemu.errors import DomainError, NotAllowed, NotFound
from titiktemu.extensions import db
from titiktemu.forum import commands
from titiktemu.forum.calendar import meeting_ics, to_utc
from titiktemu.models import AgendaItem, ForumMeeting
from titiktemu.places.coverage import programs_in
from web.access import login_required, me, my_regency
from web.fields import choices
from web.forum.forms import OUTCOMES, ItemForm, MeetingForm, MinutesForm
from web.pages import commit_or_show_errors
from web.submissions import created, first_result

blueprint = Blueprint("forum", __name__)


def _meeting_or_404(meeting_id: int) -> ForumMeeting:
    try:
        return commands.visible_meeting(db.session(), me(), meeting_id)
    except NotFound:
        abort(404)


@blueprint.route("/forum", methods=["GET", "POST"])
@login_required
def index() -> ResponseReturnValue:
    """The regency's meetings; coordinators schedule one (its agenda builds itself)."""
    person, regency = me(), my_regency()
    reviewer = may_review(person, regency)
    form = MeetingForm()
    form.programs.choices = choices((p.id, p.code) for p in programs_in(db.session(), regency))
    if request.method == "POST":
        if not reviewer:
            abort(403)
        if form.validate_on_submit():
            assert form.day.data and form.starts.data and form.ends.data
            data = commands.MeetingInput(
                title=form.title.data or "",
                starts_at=to_utc(dt.datetime.combine(form.day.data, form.starts.data)),
                ends_at=to_utc(dt.datetime.combine(form.day.data, form.ends.data)),
                place=form.place.data or "",
                online_link=form.online_link.data or "",
                program_ids=tuple(form.programs.data or ()),
            )
            key = form.submission_key.posted  # a double tap: the meeting the first one made
            saved = first_result(key, "forum_meeting") or commit_or_show_errors(
                form,
                {
                    "title": "title",
                    "ends_at": "ends",
                    "place": "place",
                    "online_link": "online_link",
                },
                lambda: (
                    created(
                        key,
                        commands.schedule_meeting(
                            db.session(), settings_of(current_app), person, data, regency=regency
                        ),
                    ).id
                ),
            )
            if saved is not None:
                flash(_("The meeting is scheduled and the invitations are on their way."), "info")
                return redirect(url_for(".meeting", meeting_id=saved))
    waiting = len(commands.waiting_items(db.session(), regency)) if reviewer else 0
    return render_template(
        "forum/index.html",
        meetings=commands.meetings_of(db.session(), person, regency),
        form=form if reviewer else None,
        waiting=waiting,
    ), (400 if request.method == "POST" else 200)


@blueprint.route("/forum/<int:meeting_id>")
@login_required
def meeting(meeting_id: int) -> ResponseReturnValue:
    """The agenda, each item's minutes, and for coordinators the forms to run it."""
    found = _meeting_or_404(meeting_id)
    return _meeting_page(found)


def _meeting_page(
    found: ForumMeeting, failed: MinutesForm | None = None, failed_item: int = 0
) -> ResponseReturnValue:
    reviewer = may_review(me(), found.regency_code)
    people = choices([(0, _("Nobody")), *((p.id, p.name) for p in found.invitees)])
    forms: dict[int, MinutesForm] = {}
    if reviewer:
        for item in found.items:
            form = (
                failed
                if failed is not None and failed_item == item.id
                else MinutesForm(formdata=None)
            )
            if form is not failed:
                form.decision.data = item.decision
                form.follow_up_by.data = item.follow_up_by or 0
                form.follow_up_due.data = item.follow_up_due
            form.follow_up_by.choices = people
            forms[item.id] = form
    return render_template(
        "forum/meeting.html",
        meeting=found,
        reviewer=reviewer,
        forms=forms,
        item_form=ItemForm(formdata=None),
        outcomes=OUTCOMES,
    ), (400 if failed is not None else 200)


@blueprint.route("/forum/<int:meeting_id>/print")
@login_required
def printable(meeting_id: int) -> ResponseReturnValue:
    """The agenda and minutes on A4 paper (or a phone): no forms, nothing to click."""
    return render_template("forum/print.html", meeting=_meeting_or_404(meeting_id))


@blueprint.route("/forum/<int:meeting_id>.ics")
@login_required
def calendar(meeting_id: int) -> ResponseReturnValue:
    """The meeting for a calendar, as the invitation carries it."""
    found = _meeting_or_404(meeting_id)
    data = meeting_ics(commands.calendar_context(settings_of(current_app), found))
    return Response(
        data,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="forum-{found.id}.ics"'},
    )


def _item_of(meeting_id: int, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting_id:
        abort(404)
    _meeting_or_404(meeting_id)
    if not may_review(me(), item.meeting.regency_code):
        abort(403)
    return item


@blueprint.route("/forum/<int:meeting_id>/items/<int:item_id>/move", methods=["POST"])
@login_required
def move(meeting_id: int, item_id: int) -> ResponseReturnValue:
    """Move an agenda item up or down (CSRF is checked for every POST: web.app)."""
    _item_of(meeting_id, item_id)
    commands.move_item(db.session(), me(), item_id, -1 if request.form.get("to") == "up" else 1)
    db.session.commit()
    return redirect(url_for(".meeting", meeting_id=meeting_id, _anchor=f"item-{item_id}"))


@blueprint.route("/forum/<int:meeting_id>/items", methods=["POST"])
@login_required
def add(meeting_id: int) -> ResponseReturnValue:
    """Add an item of one's own at the end of the agenda."""
    form = ItemForm()
    found = _meeting_or_404(meeting_id)
    if not may_review(me(), found.regency_code):
        abort(403)
    if form.validate_on_submit():
        commands.add_item(db.session(), me(), meeting_id, form.title.data or "")
        db.session.commit()
    else:
        flash(_("Say what the item is about."), "error")
    return redirect(url_for(".meeting", meeting_id=meeting_id))


@blueprint.route("/forum/<int:meeting_id>/items/<int:item_id>/minutes", methods=["POST"])
@login_required
def minutes(meeting_id: int, item_id: int) -> ResponseReturnValue:
    """Write an item's minutes; a decision on its proposal or flag is taken as on review."""
    item = _item_of(meeting_id, item_id)
    form = MinutesForm()
    form.follow_up_by.choices = choices([(0, ""), *((p.id, p.name) for p in item.meeting.invitees)])
    if form.validate_on_submit():
        person = form.follow_up_by.data or None
        minuted = commit_or_show_errors(
            form,
            {"decision": "decision", "follow_up_due": "follow_up_due", "outcome": "outcome"},
            lambda: commands.record_minutes(
                db.session(),
                settings_of(current_app),
                me(),
                item_id,
                commands.Minutes(
                    decision=form.decision.data or "",
                    follow_up_by=person,
                    follow_up_due=form.follow_up_due.data if person else None,
                    outcome=form.outcome.data or "",
                ),
            ),
        )
        if minuted is not None:
            flash(_("The minutes of this item are saved."), "info")
            return redirect(url_for(".meeting", meeting_id=meeting_id, _anchor=f"item-{item_id}"))
    return _meeting_page(item.meeting, form, item_id)


@blueprint.route("/forum/follow-ups/<int:item_id>/done", methods=["POST"])
@login_required
def follow_up_done(item_id: int) -> ResponseReturnValue:
    """Mark one's follow-up done (from the home page)."""
    try:
        commands.complete_follow_up(db.session(), me(), item_id)
    except (NotFound, NotAllowed):
        abort(404)  # someone else's follow-up is not revealed
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("home.index"))
    db.session.commit()
    flash(_("Follow-up done."), "info")
    return redirect(url_for("home.index"))
