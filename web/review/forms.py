"""The review queue's filter (GET) and the decision forms (POST, CSRF)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterable
from threading import Lock
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs lag 3.3
from wtforms.validators import AnyOf, Length, NumberRange, Optional, ValidationError

from titiktemu.models import ProposalKind, ProposalStatus
from titiktemu.review.queue import QueueFilter
from web.params import int_or_400


def choices(pairs: Iterable[tuple[str, Any]]) -> list[Any]:
    """Select options the way WTForms 3.3 wants them (tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


#: Rendered selects kept per process: a queue page writes four, one with every kecamatan.
_SELECTS: OrderedDict[Hashable, Markup] = OrderedDict()
_SELECTS_KEPT = 256
_SELECTS_LOCK = Lock()


def select_html(field: SelectField) -> Markup:
    """The field's ``<select>`` as WTForms writes it, kept per process under everything it
    shows (name, value, and each option's value, label in the reader's language, group and
    attributes): WTForms took 1 ms per page to write the queue filter's forty-odd options."""
    options: list[Any] = list(field.choices or ())  # SelectChoice (the stubs lag WTForms 3.3)
    key = (
        field.id,
        field.name,
        field.data,
        tuple(
            (c.value, str(c.label), c.optgroup, tuple(sorted(c.render_kw.items()))) for c in options
        ),
    )
    with _SELECTS_LOCK:
        found = _SELECTS.get(key)
        if found is not None:
            _SELECTS.move_to_end(key)
            return found
    found = Markup(field())  # noqa: S704 - WTForms' own escaped markup
    with _SELECTS_LOCK:
        _SELECTS[key] = found
        while len(_SELECTS) > _SELECTS_KEPT:
            _SELECTS.popitem(last=False)
    return found


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class QueueFilterForm(FlaskForm):
    """Read from the query string: a bookmarkable, JavaScript-free filter."""

    class Meta:
        csrf = False

    kecamatan = SelectField(_l("Kecamatan"), choices=[], validate_choice=False)
    program = SelectField(_l("Program"), choices=[], validate_choice=False)
    kind = SelectField(
        _l("Kind"),
        choices=choices(
            [
                ("", _l("All kinds")),
                (ProposalKind.NEED_OFFER.value, _l("Need and offer")),
                (ProposalKind.NEED_PERSON.value, _l("Need and person")),
                (ProposalKind.PROGRAM_SYNERGY.value, _l("Program synergy")),
            ]
        ),
        validate_choice=False,
    )
    min_score = IntegerField(
        _l("Minimum score (%)"), validators=[Optional(), NumberRange(min=0, max=100)]
    )
    status = SelectField(
        _l("Show"),
        choices=choices(
            [
                (ProposalStatus.PROPOSED.value, _l("Awaiting review")),
                (ProposalStatus.CONVENE.value, _l("Marked for the forum")),
            ]
        ),
        default=ProposalStatus.PROPOSED.value,
        validate_choice=False,
    )
    overdue = BooleanField(_l("Overdue only"))

    def to_filter(self) -> QueueFilter:
        """The service's filter; values that do not parse are ignored, not errors (a program
        number beyond any id is a 400: nobody clicks their way to one)."""
        program = self.program.data or ""
        kind = self.kind.data or ""
        status = self.status.data or ProposalStatus.PROPOSED.value
        score = self.min_score.data if isinstance(self.min_score.data, int) else 0
        return QueueFilter(
            kecamatan=self.kecamatan.data or None,
            program_id=int_or_400(program),
            kind=ProposalKind(kind) if kind in ProposalKind._value2member_map_ else None,
            min_score=max(0, min(100, score)) / 100,
            status=ProposalStatus(status)
            if status in (ProposalStatus.PROPOSED.value, ProposalStatus.CONVENE.value)
            else ProposalStatus.PROPOSED,
            overdue_only=bool(self.overdue.data),
        )

    @property
    def active(self) -> bool:
        f = self.to_filter()
        return f != QueueFilter()


DECISIONS = [
    ProposalStatus.ACCEPTED.value,
    ProposalStatus.DECLINED.value,
    ProposalStatus.CONVENE.value,
]


class DecisionForm(FlaskForm):
    """Accept, convene, or decline with a reason (the note is required only to decline)."""

    decision = HiddenField(validators=[AnyOf(DECISIONS)])
    note = TextAreaField(_l("Reason"), validators=[Length(max=2000)], filters=[_strip])
    next = HiddenField()

    def validate_note(self, field: TextAreaField) -> None:
        if self.decision.data == ProposalStatus.DECLINED.value and not field.data:
            raise ValidationError(_l("Please say why you decline."))


class BulkAcceptForm(FlaskForm):
    """The ticked proposals, accepted in one go."""

    ids = SelectMultipleField(coerce=int, validate_choice=False)
    next = HiddenField()
