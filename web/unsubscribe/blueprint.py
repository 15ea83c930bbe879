"""One-click unsubscribe (RFC 8058): the signed link in every email sets the preference to off."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue

from titiktemu.app import settings_of
from titiktemu.audit import record
from titiktemu.extensions import db
from titiktemu.mail.outbox import person_from_token
from titiktemu.models import NotifyPreference, Person

blueprint = Blueprint("unsubscribe", __name__)


def _person(token: str) -> Person:
    person_id = person_from_token(settings_of(current_app), token)
    person = db.session.get(Person, person_id) if person_id is not None else None
    if person is None:
        abort(404)
    return person


@blueprint.route("/unsubscribe/<token>", methods=["GET"])
def confirm(token: str) -> ResponseReturnValue:
    """Ask before changing anything: mail scanners follow links, people press buttons."""
    return render_template(
        "unsubscribe/confirm.html", person=_person(token), token=token, done=False
    )


@blueprint.route("/unsubscribe/<token>", methods=["POST"])
def unsubscribe(token: str) -> ResponseReturnValue:
    """Set the preference to off: from the page's button or a mail client's one-click POST."""
    person = _person(token)
    if person.notify != NotifyPreference.OFF:
        record(
            db.session(),
            "person.unsubscribed",
            "person",
            person.id,
            actor_id=person.id,
            before=person.notify.value,
            via=request.form.get("List-Unsubscribe", "page"),
        )
        person.notify = NotifyPreference.OFF
        db.session.commit()
    return render_template("unsubscribe/confirm.html", person=person, token=token, done=True)
