"""Email addresses and Chinese mobile numbers as logins, normalised so that each person has
one spelling: lower-case email, E.164 mobile (via ``phonenumbers``)."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from core.accounts.errors import InvalidLogin


def normalise_email(value: str) -> str:
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidLogin() from exc
    return result.normalized.lower()


def normalise_mobile(value: str) -> str:
    try:
        number = phonenumbers.parse(value.strip(), "CN")
    except phonenumbers.NumberParseException as exc:
        raise InvalidLogin() from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidLogin()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def split_login(value: str) -> tuple[str | None, str | None]:
    """(email, mobile) from what a person typed in the one login box."""
    value = (value or "").strip()
    if not value:
        raise InvalidLogin()
    if "@" in value:
        return normalise_email(value), None
    return None, normalise_mobile(value)
