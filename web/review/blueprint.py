"""The review queue: coordinators decide on the proposals of their regency."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf.csrf import generate_csrf

from titiktemu.app import settings_of
from titiktemu.decisions import AlreadyDecided
from titiktemu.extensions import db
from titiktemu.matching.reason_text import labels_for
from titiktemu.models import Proposal, ProposalStatus
from titiktemu.models.base import utcnow
from titiktemu.review import queue as review_queue
from titiktemu.review.commands import (
    OPEN_STATES,
    ReviewError,
    accept_many,
    decide,
    visible_proposal,
)
from titiktemu.settings import Settings
from web.access import coordinator_required, me, my_regency
from web.decisions import already_decided_text
from web.pages import lang
from web.params import arg_int, link_args
from web.places.links import ANY_ID, route_url, template_helpers
from web.review import cards
from web.review.forms import (
    BulkAcceptForm,
    DecisionForm,
    QueueFilterForm,
    choices,
    select_html,
)
from web.safety import safe_next

blueprint = Blueprint("review", __name__)
_CARDS = "titiktemu.review_cards"
MARKS = {"csrf": cards.CSRF_MARK, "here": cards.HERE_MARK}
blueprint.context_processor(template_helpers)


def _filter_form(regency: str) -> QueueFilterForm:
    form = QueueFilterForm(formdata=request.args)
    offered = review_queue.filter_choices(db.session(), regency)
    form.kecamatan.choices = choices([("", _("All kecamatan")), *offered.kecamatan])
    form.program.choices = choices(
        [("", _("All programs")), *((str(i), code) for i, code in offered.programs)]
    )
    return form


@blueprint.route("/review")
@coordinator_required
def queue() -> ResponseReturnValue:
    """Proposals awaiting a decision in my regency, filtered, best first, overdue marked."""
    regency = my_regency()
    form = _filter_form(regency)
    form.validate()  # for the messages; to_filter() ignores whatever did not parse
    filters = form.to_filter()
    now = utcnow()
    page = review_queue.queue(
        db.session(), regency, filters, page=arg_int("page", 1, low=1), now=now
    )
    here = request.full_path if request.query_string else request.path
    html = render_template(
        "review/queue.html",
        form=form,
        filters=filters,
        result=page,
        args=link_args("page"),
        here=here,
        now=now,
        overdue_total=page.overdue_total,
        gaps=review_queue.open_gaps(db.session(), regency, filters.kecamatan),
        cards=_cards(page, now),
        marks=MARKS,
        select_html=select_html,
        decide_url=_decide_url,
        detail_url=_detail_url,
    )
    return cards.fill(html, generate_csrf(), here)


def _decide_url(proposal_id: int) -> str:
    return route_url("review.decide_one", "proposal_id", ANY_ID, proposal_id)


def _detail_url(proposal_id: int) -> str:
    return route_url("review.detail", "proposal_id", ANY_ID, proposal_id)


def _cards(page: review_queue.QueuePage, now: dt.datetime) -> cards.QueueCards:
    """This page's view of the process's rendered cards: keyed also by the reader's language,
    the taxonomy's labels (reasons name skills by them) and where the app is mounted."""
    cache = current_app.extensions.setdefault(_CARDS, cards.CardCache())
    context = (lang(), labels_for(db.session()).fingerprint, request.script_root)
    return cards.QueueCards(cache, context, page.village_names, now, page.cutoff)


def _visible_or_404(proposal_id: int) -> Proposal:
    proposal = visible_proposal(db.session(), me(), proposal_id)
    if proposal is None:
        abort(404)
    return proposal


@blueprint.route("/review/<int:proposal_id>")
@coordinator_required
def detail(proposal_id: int) -> ResponseReturnValue:
    """One proposal with both sides, why, and what was decided (emails link here)."""
    proposal = _visible_or_404(proposal_id)
    return _detail(proposal, DecisionForm(formdata=None))


def _detail(proposal: Proposal, form: DecisionForm, status: int = 200) -> ResponseReturnValue:
    cutoff = review_queue.overdue_cutoff(db.session(), proposal.regency_code)
    return (
        render_template(
            "review/detail.html",
            p=proposal,
            form=form,
            overdue=review_queue.is_overdue(proposal, cutoff),
            deadline_days=review_queue.deadline_days(db.session(), proposal.regency_code),
            village_names=review_queue.village_names(db.session(), [proposal]),
            is_open=proposal.status in OPEN_STATES,
            now=utcnow(),
        ),
        status,
    )


@blueprint.route("/review/<int:proposal_id>/decide", methods=["POST"])
@coordinator_required
def decide_one(proposal_id: int) -> ResponseReturnValue:
    """Accept, convene, or decline with a reason; back to where the coordinator came from."""
    proposal = _visible_or_404(proposal_id)
    form = DecisionForm()
    if not form.validate():
        return _detail(proposal, form, 400)
    decision = ProposalStatus(form.decision.data or "")
    try:
        decide(
            db.session(),
            _settings(),
            me(),
            proposal.id,
            decision,
            form.note.data or "",
        )
    except AlreadyDecided as exc:  # someone decided first: say who, show what they decided
        db.session.rollback()
        flash(already_decided_text(exc), "error")
        return _detail(proposal, DecisionForm(formdata=None), 409)
    except ReviewError:
        db.session.rollback()
        flash(_("This proposal was already decided."), "error")
        return redirect(url_for("review.detail", proposal_id=proposal_id))
    db.session.commit()
    messages = {
        ProposalStatus.ACCEPTED: _("Accepted: both sides get an introduction by email."),
        ProposalStatus.DECLINED: _("Declined."),
        ProposalStatus.CONVENE: _("Marked for the next forum meeting."),
    }
    flash(messages[decision], "info")
    return redirect(safe_next(form.next.data, url_for("review.queue")))


@blueprint.route("/review/accept", methods=["POST"])
@coordinator_required
def accept_selected() -> ResponseReturnValue:
    """Accept every ticked proposal that is still open, in one go."""
    form = BulkAcceptForm()
    back = safe_next(form.next.data, url_for("review.queue"))
    if not form.validate() or not form.ids.data:
        flash(_("Tick the proposals to accept first."), "error")
        return redirect(back)
    done = accept_many(db.session(), _settings(), me(), list(form.ids.data))
    db.session.commit()
    flash(
        ngettext("%(num)d proposal accepted.", "%(num)d proposals accepted.", len(done.accepted)),
        "info",
    )
    for exc in done.already:  # decided by someone else first: left as they decided
        flash(already_decided_text(exc), "error")
    return redirect(back)


def _settings() -> Settings:
    return settings_of(current_app)
