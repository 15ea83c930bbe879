"""Forms of signing in, invitations, password resets and changes, and self-registration."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs lag 3.3
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from titiktemu.accounts.passwords import MAX_LENGTH, MIN_LENGTH, PasswordProblem, password_problem
from web.submissions import SubmissionKeyField


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def choices(pairs: Iterable[tuple[str, Any]]) -> list[Any]:
    """Select options the way WTForms 3.3 wants them (tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


def password_message(problem: PasswordProblem) -> str:
    """The sentence a person reads for each way a password can be refused."""
    messages = {
        PasswordProblem.TOO_SHORT: _l("Use at least %(min)d characters.", min=MIN_LENGTH),
        PasswordProblem.TOO_LONG: _l("Use at most %(max)d characters.", max=MAX_LENGTH),
        PasswordProblem.COMMON: _l(
            "This password is one of the most common ones, which attackers try first. "
            "Choose another."
        ),
        PasswordProblem.LIKE_EMAIL: _l("The password must not be your email address."),
        PasswordProblem.SITE_NAME: _l("The password must not be the name of this site."),
    }
    return str(messages[problem])


class _NewPassword:
    """A new password twice, checked against the policy for the person's ``email``."""

    email = ""
    min_length = MIN_LENGTH
    max_length = MAX_LENGTH
    password = PasswordField(_l("New password"), validators=[DataRequired()])
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
    )

    def validate_password(self, field: Field) -> None:
        problem = password_problem(field.data or "", self.email)
        if problem is not None:
            raise ValidationError(password_message(problem))


def _email_field() -> EmailField:
    return EmailField(
        _l("Email"), validators=[DataRequired(), Email(), Length(max=254)], filters=[_strip]
    )


def _name_field(required: bool) -> StringField:
    first = DataRequired() if required else Optional()
    return StringField(_l("Name"), validators=[first, Length(max=200)], filters=[_strip])


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=64)])
    next = HiddenField()


class InviteForm(FlaskForm):
    submission_key = SubmissionKeyField()
    email = _email_field()
    name = _name_field(required=False)
    #: Shown to admins only; a coordinator invites into their own regency.
    regency = SelectField(_l("Regency"), choices=[], validate_choice=False)
    #: A coordinator chooses between the first two (``INVITABLE_ROLES``); an admin among all.
    role = SelectField(
        _l("Role"),
        choices=choices(
            [
                ("facilitator", _l("Facilitator")),
                ("partner", _l("Partner (donor, company CSR, Baznas)")),
                ("coordinator", _l("Coordinator")),
            ]
        ),
        default="facilitator",
    )


class AcceptInvitationForm(_NewPassword, FlaskForm):
    name = _name_field(required=True)


class ResetRequestForm(FlaskForm):
    email = _email_field()


class ResetForm(_NewPassword, FlaskForm):
    pass


class ChangePasswordForm(_NewPassword, FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=64)])


class RegistrationForm(FlaskForm):
    name = _name_field(required=True)
    email = _email_field()
    regency = SelectField(_l("Regency"), choices=[])


class RegistrationSettingForm(FlaskForm):
    open = BooleanField(_l("Anyone may ask for a facilitator account"))
