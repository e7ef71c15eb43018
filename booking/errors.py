"""Refusals from the booking services, each with a stable code for the API."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.errors import Conflict, Forbidden, InvalidInput, NotFound


class BookingNotFound(NotFound):
    code = "booking_not_found"
    default_message = _l("We could not find this booking.")


class SlotUnavailable(Conflict):
    code = "slot_unavailable"
    default_message = _l("This time is no longer available. Please choose another.")


class SlotFull(Conflict):
    code = "slot_full"
    default_message = _l("This time is fully booked.")


class SlotNotBookable(InvalidInput):
    """Not a slot of the service: past, too soon, beyond the horizon, or off the grid."""

    code = "slot_not_bookable"
    default_message = _l("This time cannot be booked: it is in the past, too soon, too far "
                         "ahead, or not one of the service's times.")


class OverlappingBooking(Conflict):
    code = "overlapping_booking"
    default_message = _l("This person already has a booking at an overlapping time.")


class HoldExpired(Conflict):
    code = "hold_expired"
    default_message = _l("This hold has lapsed and its place was released. Please book again.")


class TransitionRefused(Conflict):
    code = "transition_refused"
    default_message = _l("A booking in this state cannot be changed this way.")


class CancellationClosed(Conflict):
    code = "cancellation_closed"
    default_message = _l("This booking can no longer be cancelled: it has already started.")


class AttendanceTooEarly(Conflict):
    code = "attendance_too_early"
    default_message = _l("Attendance can be marked only once the booking has started.")


class NotEligible(Forbidden):
    """The person does not meet the service's rules. The message names the rule, never
    the person's data."""

    code = "not_eligible"
    default_message = _l("This service is not available to this person.")


class NotForFamilyMembers(NotEligible):
    code = "not_eligible_family_member"
    default_message = _l("This service is for employees themselves, not family members.")


class AgeUnknown(NotEligible):
    code = "not_eligible_age_unknown"
    default_message = _l("This service has an age band: add a birth year to your health "
                         "profile first.")


class OutsideAgeBand(NotEligible):
    """The person the booking is for is too young or too old for the service."""

    code = "not_eligible_age"
    default_message = _l("This service is not for people of this age.")


class SexUnknown(NotEligible):
    code = "not_eligible_sex_unknown"
    default_message = _l("This service is for one sex only: record the sex of the person "
                         "it is for first.")


class SexRestricted(NotEligible):
    code = "not_eligible_sex"
    default_message = _l("This service is for one sex only.")


class QuestionnaireRequired(NotEligible):
    code = "not_eligible_questionnaire"
    default_message = _l("This service asks for its screening questionnaire to be "
                         "completed first.")


class Contraindicated(NotEligible):
    code = "not_eligible_contraindication"
    default_message = _l("This service is not suitable given the health records you keep "
                         "(a contraindication).")


class PickupRequired(InvalidInput):
    code = "pickup_required"
    default_message = _l("Name at least one person authorised to collect the person "
                         "attending (name, relation and mobile number).")


class InvalidPickup(InvalidInput):
    code = "invalid_pickup"
    default_message = _l("Each pick-up person needs a name, a relation and a valid mobile "
                         "number.")


class RescheduleRefused(InvalidInput):
    code = "reschedule_refused"
    default_message = _l("A booking can be moved only to another time of the same service.")


class AlreadyWaiting(Conflict):
    code = "already_waiting"
    default_message = _l("This person is already on the waitlist for this time.")


class SlotNotFull(Conflict):
    code = "slot_not_full"
    default_message = _l("This time still has places: book it instead of waiting.")


class OfferNotOpen(Conflict):
    code = "offer_not_open"
    default_message = _l("This waitlist place is not on offer (any more).")




class WaitlistEntryNotFound(NotFound):
    code = "waitlist_entry_not_found"
    default_message = _l("We could not find this waitlist entry.")


class InvalidSeries(InvalidInput):
    code = "invalid_series"
    default_message = _l("Choose 1 to 26 different occurrences, 1 to 31 days apart.")
