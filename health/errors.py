"""Errors the health package raises, with stable codes for the API."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.errors import Conflict, Forbidden, InvalidInput, NotFound


class NoHealthProfile(Forbidden):
    code = "health_profile_unavailable"
    default_message = _l("Health profiles are for employees of a park enterprise.")


class HealthRecordNotFound(NotFound):
    code = "health_record_not_found"
    default_message = _l("We could not find this health record.")


class InvalidReading(InvalidInput):
    code = "invalid_reading"
    default_message = _l("Some readings are not possible. Check the values and units.")


class IncompleteQuestionnaire(InvalidInput):
    code = "incomplete_questionnaire"
    default_message = _l("Answer every question before submitting.")


class ImportRejected(InvalidInput):
    code = "import_rejected"
    default_message = _l("The file could not be imported. Nothing was saved.")


class ConsentNotFound(NotFound):
    code = "consent_not_found"
    default_message = _l("We could not find this consent.")


class NoConsent(NotFound):
    """A provider without a valid consent: the person's data does not exist for them."""

    code = "no_consent"
    default_message = _l("This person has not shared health information with you, "
                         "or the sharing has ended.")


class InvalidConsent(InvalidInput):
    code = "invalid_consent"
    default_message = _l("This sharing cannot be set up as asked.")


class ConsentAlreadyRevoked(Conflict):
    code = "consent_already_revoked"
    default_message = _l("This consent has already been revoked.")


class StillReferenced(Conflict):
    """Another part of ParkWell (a booking) still points at the record."""

    code = "health_record_in_use"
    default_message = _l("This cannot be deleted while a booking still refers to it. Cancel "
                         "or finish the booking first.")
