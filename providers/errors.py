"""Refusals from the providers services, each with a stable code for the API."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.errors import Conflict, InvalidInput, NotFound


class ProviderNotFound(NotFound):
    code = "provider_not_found"
    default_message = _l("We could not find this provider.")


class ServiceNotFound(NotFound):
    code = "service_not_found"
    default_message = _l("We could not find this service.")


class PractitionerNotFound(NotFound):
    code = "practitioner_not_found"
    default_message = _l("We could not find this practitioner.")


class InvalidService(InvalidInput):
    code = "invalid_service"
    default_message = _l("Some of the service's details are not valid.")


class InvalidRule(InvalidInput):
    code = "invalid_rule"
    default_message = _l("This availability rule is not valid.")


class RulesOverlap(Conflict):
    code = "rules_overlap"
    default_message = _l("This rule overlaps another rule of the same practitioner.")


class DurationDoesNotFit(InvalidInput):
    code = "duration_does_not_fit"
    default_message = _l("A service of this practitioner does not fit in the rule's hours.")


class UnknownTimezone(InvalidInput):
    code = "unknown_timezone"
    default_message = _l("This time zone is unknown.")


class InvalidWindow(InvalidInput):
    code = "invalid_window"
    default_message = _l("Choose a window that ends after it starts and spans at most 62 "
                         "days.")


class PractitionerNameTaken(Conflict):
    code = "practitioner_name_taken"
    default_message = _l("This provider already has a practitioner with this name.")


class InvalidDocument(InvalidInput):
    code = "invalid_document"
    default_message = _l("Upload a PDF, JPEG or PNG file.")


class DocumentTooLarge(InvalidInput):
    code = "document_too_large"
    status = 413
    default_message = _l("The document is too large.")


class CredentialAlreadyReviewed(Conflict):
    code = "credential_already_reviewed"
    default_message = _l("This credential has already been reviewed.")


class InvalidCalendar(InvalidInput):
    code = "invalid_calendar"
    default_message = _l("This calendar file could not be read. Nothing was imported.")


class InvalidHolidayNotice(InvalidInput):
    code = "invalid_holiday_notice"
    default_message = _l("The holiday notice could not be read.")


class InvalidPhoto(InvalidInput):
    code = "invalid_photo"
    default_message = _l("Upload a photo in JPEG, PNG or WebP.")


class PhotoTooLarge(InvalidInput):
    code = "photo_too_large"
    status = 413
    default_message = _l("The photo is too large.")


class TooManyPhotos(Conflict):
    code = "too_many_photos"
    default_message = _l("A provider can show at most 8 photos. Remove one first.")


class PhotoNotFound(NotFound):
    code = "photo_not_found"
    default_message = _l("We could not find this photo.")
