"""Refusals of the prevention services, each with a stable code for the API."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.errors import Conflict, InvalidInput, NotFound


class CampaignNotFound(NotFound):
    code = "campaign_not_found"
    default_message = _l("We could not find this check-up campaign.")


class InvalidCampaign(InvalidInput):
    code = "invalid_campaign"
    default_message = _l("The campaign could not be saved. Check the highlighted fields.")


class PackageDoesNotFit(InvalidInput):
    """The package's age range or sex does not include the person."""

    code = "package_does_not_fit"
    default_message = _l("This package is not for this person. Choose another package.")


class OutsideCampaign(InvalidInput):
    code = "outside_campaign"
    default_message = _l("This day is outside the campaign's dates.")


class CampaignClosed(Conflict):
    code = "campaign_closed"
    default_message = _l("This campaign is closed.")


class NotInvited(NotFound):
    code = "not_invited"
    default_message = _l("You are not invited to this check-up campaign.")


class DependantsNotIncluded(InvalidInput):
    code = "dependants_not_included"
    default_message = _l("This campaign is for employees themselves, not family members.")


class AlreadyBooked(Conflict):
    code = "checkup_already_booked"
    default_message = _l("This person already has a check-up booked in this campaign. "
                         "Cancel it first to choose another day.")


class DayFull(Conflict):
    code = "campaign_day_full"
    default_message = _l("This day is fully booked for the campaign. Please choose another "
                         "day.")


class NoResultsConsent(Conflict):
    code = "no_results_consent"
    default_message = _l("The employee has not agreed to receive results into their health "
                         "profile. Give the results to them directly.")


class ResultsNotDue(Conflict):
    code = "results_not_due"
    default_message = _l("Results can be uploaded only for a check-up that has taken place "
                         "and was not cancelled.")


class ResultsAlreadyReceived(Conflict):
    code = "results_already_received"
    default_message = _l("Results for this check-up have already been received.")


class NudgeTooSoon(Conflict):
    code = "nudge_too_soon"
    default_message = _l("A reminder was already sent in the last 24 hours.")


class CampaignRescheduleRefused(Conflict):
    code = "campaign_reschedule_refused"
    default_message = _l("A campaign check-up cannot be moved: cancel it and book another "
                         "day on your check-up page.")


class CampaignUnfunded(Conflict):
    code = "campaign_unfunded"
    default_message = _l("Your employer's check-up budget has run out. Nothing was booked; "
                         "please tell your HR team.")
