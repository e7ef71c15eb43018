"""Refusals from the accounts services, each with a stable code for the API."""

from flask_babel import lazy_gettext as _l

from core.errors import Conflict, DomainError, InvalidInput, NotFound


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    status = 401
    default_message = _l("The login or password is not correct.")


class AccountInactive(DomainError):
    code = "account_inactive"
    status = 403
    default_message = _l("This account has been deactivated.")


class InvalidLogin(InvalidInput):
    code = "invalid_login"
    default_message = _l("Enter a valid email address or Chinese mobile number.")


class LoginTaken(Conflict):
    code = "login_taken"
    default_message = _l("An account with this email or mobile number already exists.")


class InvitationInvalid(NotFound):
    code = "invitation_invalid"
    default_message = _l("This invitation link is unknown, already used or expired.")


class InvitationForSomeoneElse(Conflict):
    code = "invitation_for_someone_else"
    default_message = _l("This invitation was sent to someone else. Log out to accept it "
                         "with a new account.")


class InviteCodeInvalid(NotFound):
    code = "invite_code_invalid"
    default_message = _l("This invite code is not valid.")


class ResetTokenInvalid(NotFound):
    code = "reset_token_invalid"
    default_message = _l("This password reset link is invalid or has expired.")


class UnsupportedLocale(InvalidInput):
    code = "unsupported_locale"
    default_message = _l("This language is not supported.")


class MembershipNotFound(NotFound):
    code = "membership_not_found"
    default_message = _l("You do not hold this role.")


class TokenNotFound(NotFound):
    code = "token_not_found"
    default_message = _l("There is no such token.")


class ParkCodeTaken(Conflict):
    """Another park has this code (``parkwell setup park``; the CLI says it in English)."""

    code = "park_code_taken"
