"""What the pages share: labels and reasons in the UI language, domain errors placed next to
their fields, the place and skill choices of the forms, and loading and saving one row."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from flask import abort
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from wtforms import Field

from titiktemu.accounts.profile import PlaceGroup, SkillGroup
from titiktemu.errors import Invalid
from titiktemu.exchange.facilitator import Access, access_to
from titiktemu.extensions import db
from titiktemu.models import (
    ActivityCategory,
    ExchangeStatus,
    FlagStatus,
    NotifyPreference,
    Offer,
    ProposalStatus,
    Skill,
    Village,
)
from web.access import me
from web.fields import choices
from web.reasons import reason_text

Row = TypeVar("Row")
Saved = TypeVar("Saved")

#: The English messages of ``titiktemu.exchange.commands`` (longest prefix first) in our words.
SERVICE_MESSAGES = (
    ("a title is needed", _l("Please give a title.")),
    ("at most 200 characters", _l("At most 200 characters.")),
    (
        "you already have a need with this title",
        _l("You already have a need with this title: open it to change it, or choose another."),
    ),
    (
        "you already have an offer with this title",
        _l("You already have an offer with this title: open it to change it, or choose another."),
    ),
    ("choose at least one skill", _l("Choose at least one skill.")),
    ("unknown skill", _l("Unknown skill.")),
    ("the end comes before the start", _l("The end date comes before the start date.")),
    ("unknown village or kecamatan", _l("Unknown village or kecamatan.")),
    ("unknown village", _l("Unknown village.")),
    ("choose a village or a kecamatan", _l("Choose a village or a kecamatan.")),
    ("choose at least one village or kecamatan", _l("Choose at least one village or kecamatan.")),
    ("choose a place in your regency", _l("Choose a place in your regency.")),
    ("between 1 and 100", _l("Between 1 and 100.")),
    ("unknown program", _l("Unknown program.")),
    ("unknown activity", _l("Unknown activity.")),
    ("cannot be negative", _l("Cannot be negative.")),
)

EXCHANGE_STATUS = {
    ExchangeStatus.OPEN: _l("Open"),
    ExchangeStatus.WITHDRAWN: _l("Withdrawn"),
    ExchangeStatus.FULFILLED: _l("Fulfilled"),
    ExchangeStatus.EXPIRED: _l("Expired"),
}
PROPOSAL_STATUS = {
    ProposalStatus.PROPOSED: _l("Waiting for the coordinator"),
    ProposalStatus.ACCEPTED: _l("Accepted"),
    ProposalStatus.DECLINED: _l("Declined"),
    ProposalStatus.CONVENE: _l("To be discussed at the forum"),
    ProposalStatus.OBSOLETE: _l("No longer current"),
}
FLAG_STATUS = {
    FlagStatus.OPEN: _l("Open"),
    FlagStatus.ACKNOWLEDGED: _l("Acknowledged"),
    FlagStatus.RESOLVED: _l("Resolved"),
    FlagStatus.ALLOWED: _l("Allowed"),
}
LEVELS = {"high": _l("High"), "medium": _l("Medium"), "low": _l("Low")}
NOTIFY = {
    NotifyPreference.IMMEDIATE: _l("Right away, one email per event"),
    NotifyPreference.DAILY: _l("Once a day, a digest"),
    NotifyPreference.OFF: _l("No emails"),
}


def lang() -> str:
    """The UI language: "en" or "id"."""
    return "en" if str(get_locale()) == "en" else "id"


def error_text(message: str) -> str:
    """A service's error message in the UI language."""
    for prefix, text in SERVICE_MESSAGES:
        if message.startswith(prefix):
            return str(text)
    return str(gettext(message))  # our own services mark theirs with N_()


def apply_errors(form: Any, errors: Mapping[str, str], fields: Mapping[str, str]) -> None:
    """Show each service error under its field (``fields`` maps service keys to field names)."""
    for key, message in errors.items():
        field: Field | None = form._fields.get(fields.get(key, key))
        if field is None:
            form.form_errors.append(error_text(message))
        else:
            field.errors = [*field.errors, error_text(message)]


def status_label(status: object) -> str:
    for labels in (EXCHANGE_STATUS, PROPOSAL_STATUS, FLAG_STATUS):
        if status in labels:
            return str(labels[status])  # type: ignore[index]
    return str(status)


def label(row: Any) -> str:
    """A skill's or activity's label in the UI language."""
    return str(row.label(lang()))


def village_label(village: Village) -> str:
    """ "Sengon (Prambanan)": village names repeat across kecamatan."""
    return f"{village.name} ({village.kecamatan.name})"


def taxonomy_labels(codes: Iterable[str]) -> str:
    """Skill or activity codes as their labels in the UI language, one line."""
    names = []
    for code in codes:
        row = db.session.get(Skill, code) or db.session.get(ActivityCategory, code)
        names.append(label(row) if row is not None else code)
    return ", ".join(names)


def template_context() -> dict[str, Any]:
    """Helpers every facilitator template uses."""
    return {
        "lang": lang(),
        "status_label": status_label,
        "reason_text": reason_text,
        "label": label,
        "labels": labels,
        "taxonomy_labels": taxonomy_labels,
        "offer_places": offer_places,
        "village_label": village_label,
        "level_label": lambda level: str(LEVELS.get(level, level)),
    }


def skill_choices(groups: list[SkillGroup]) -> list[Any]:
    """Choices for validation; templates render the groups themselves."""
    return choices((s.code, label(s)) for g in groups for s in g.skills)


def labels(rows: list[Skill]) -> str:
    """Skills in the UI language, as one line."""
    return ", ".join(label(s) for s in rows)


def offer_places(offer: Offer) -> str:
    """Where an offer reaches, as one line: whole kecamatan first, then villages."""
    whole = [gettext("Kec. %(name)s", name=k.name) for k in offer.kecamatan]
    return ", ".join(whole + [v.name for v in offer.villages])


def place_choices(
    groups: list[PlaceGroup], *, whole_kecamatan: bool, empty: bool = True
) -> list[Any]:
    """Every village (and, for needs, every whole kecamatan) of the regency, for validation;
    ``empty`` adds the "choose..." option."""
    pairs = [("", "")] if empty else []
    for group in groups:
        if whole_kecamatan:
            pairs.append((group.kecamatan.code, group.kecamatan.name))
        pairs += [(v.code, v.name) for v in group.villages]
    return choices(pairs)


def row_or_404(
    model: type[Row],
    row_id: int,
    want: Access,
    owner_id: Callable[[Row], int | None],
    regency: Callable[[Row], str | None],
) -> tuple[Row, Access]:
    """One need, offer or intervention and my access to it: 404 when it is missing or not mine to
    see (ids reveal nothing), 403 when I may look but ``want`` more."""
    row = db.session.get(model, row_id)
    if row is None:
        abort(404)
    access = access_to(me(), owner_id(row), regency(row))
    if access == Access.NONE:
        abort(404)
    if access < want:
        abort(403)
    return row, access


def commit_or_show_errors(
    form: Any, fields: Mapping[str, str], save: Callable[[], Saved]
) -> Saved | None:
    """Run a command's ``save`` and commit, which starts the background check; when the command
    refuses the input (an ``Invalid`` kind), roll back, show its errors under ``fields`` and
    return None. The pages' one translation of field errors; other kinds go on to the error
    page of their status (web/app.py) or to the view that catches them."""
    try:
        saved = save()
    except Invalid as exc:
        db.session.rollback()
        apply_errors(form, exc.errors, fields)
        return None
    db.session.commit()
    return saved
