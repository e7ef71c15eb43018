"""One form per use-case. Forms check shape only; the services own the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from core.accounts.models import ProviderLevel, Role
from core.forms import choices

REQUIRED = _l("This field is required.")
PASSWORD_RULE = Length(min=8, max=200, message=_l("Use between 8 and 200 characters."))

LOCALE_CHOICES = choices([("zh_CN", "中文"), ("en", "English")])


def _login_field() -> StringField:
    return StringField(_l("Email or mobile number"),
                       validators=[DataRequired(REQUIRED), Length(max=254)])


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), PASSWORD_RULE]),
        PasswordField(_l("Repeat the password"), validators=[
            DataRequired(REQUIRED),
            EqualTo("password", message=_l("The two passwords do not match."))]),
    )


class LoginForm(FlaskForm):
    login = _login_field()
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED)])
    remember = BooleanField(_l("Keep me signed in"))


class SignupForm(FlaskForm):
    invite_code = StringField(_l("Invite code from your employer"),
                              validators=[DataRequired(REQUIRED), Length(max=32)])
    login = _login_field()
    display_name = StringField(_l("Your name"), validators=[DataRequired(REQUIRED),
                                                            Length(max=100)])
    password, confirm = _new_password_fields()


class AcceptInvitationForm(FlaskForm):
    display_name = StringField(_l("Your name"), validators=[DataRequired(REQUIRED),
                                                            Length(max=100)])
    password, confirm = _new_password_fields()


class JoinWithInvitationForm(FlaskForm):
    """For someone already signed in: accept the role with one click."""


class ForgotPasswordForm(FlaskForm):
    login = _login_field()


class ResetPasswordForm(FlaskForm):
    password, confirm = _new_password_fields()


class AccountForm(FlaskForm):
    display_name = StringField(_l("Your name"), validators=[DataRequired(REQUIRED),
                                                            Length(max=100)])
    locale = SelectField(_l("Language"), choices=LOCALE_CHOICES)


class SwitchRoleForm(FlaskForm):
    membership_id = IntegerField(validators=[DataRequired(REQUIRED)])


class LocaleForm(FlaskForm):
    """The language switcher. Any value may arrive; the service refuses unknown ones."""

    locale = HiddenField(validators=[DataRequired(REQUIRED)])
    next = HiddenField()


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TokenForm(FlaskForm):
    name = StringField(_l("What is this token for?"), validators=[DataRequired(REQUIRED),
                                                                  Length(max=100)])
    scopes = MultiCheckboxField(_l("Scopes"), choices=choices([("read", _l("Read")),
                                                               ("write", _l("Write"))]),
                                default=["read"])
    expires_in_days = IntegerField(_l("Valid for (days)"), default=90, validators=[
        DataRequired(REQUIRED),
        NumberRange(min=1, max=365, message=_l("Choose between 1 and 365 days."))])


class PlainForm(FlaskForm):
    """A form with only its CSRF token, for one-button actions (log out, revoke)."""


class EnterpriseInviteForm(FlaskForm):
    login = _login_field()


class ProviderStaffInviteForm(FlaskForm):
    login = _login_field()


class PartnerInviteForm(FlaskForm):
    """A platform admin invites an enterprise admin, a provider, or a committee member."""

    login = _login_field()
    role = SelectField(_l("Role"), choices=choices([
        (Role.ENTERPRISE_ADMIN.value, _l("Enterprise admin")),
        (Role.PROVIDER_STAFF.value, _l("Provider staff")),
        (Role.COMMITTEE_MEMBER.value, _l("Committee member")),
        (Role.PLATFORM_ADMIN.value, _l("Platform admin")),
    ]))
    enterprise_id = SelectField(_l("Enterprise"), coerce=int, validators=[Optional()],
                                validate_choice=False)
    provider_id = SelectField(_l("Provider"), coerce=int, validators=[Optional()],
                              validate_choice=False)
    park_id = SelectField(_l("Park"), coerce=int, validators=[Optional()],
                          validate_choice=False)
    provider_level = SelectField(_l("Provider level"), choices=choices([
        (ProviderLevel.OWNER.value, _l("Owner")), (ProviderLevel.STAFF.value, _l("Staff"))]))


class DeleteAccountForm(FlaskForm):
    confirm = BooleanField(_l("I understand that my account and everything only mine are "
                              "deleted for good, and that I cannot sign in any more."))
    password = PasswordField(_l("Your password"), validators=[Length(max=200)])
