"""Refusals from the park services, each with a stable code for the API."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.errors import Conflict, InvalidInput, NotFound


class EventNotFound(NotFound):
    code = "event_not_found"
    default_message = _l("We could not find this event.")


class SessionNotFound(NotFound):
    code = "session_not_found"
    default_message = _l("We could not find this session.")


class VenueNotFound(NotFound):
    code = "venue_not_found"
    default_message = _l("We could not find this venue.")


class VenueNameTaken(Conflict):
    code = "venue_name_taken"
    default_message = _l("The park already has a venue with this name.")


class RegistrationNotFound(NotFound):
    code = "registration_not_found"
    default_message = _l("We could not find this registration.")


class SessionTimesInvalid(InvalidInput):
    code = "session_times_invalid"
    default_message = _l("A session must end after it starts.")


class CapacityAboveVenue(InvalidInput):
    code = "capacity_above_venue"
    default_message = _l("A session cannot hold more people than its venue.")


class CapacityBelowTaken(Conflict):
    code = "capacity_below_taken"
    default_message = _l("More people are already registered than this capacity allows.")


class VenueClash(Conflict):
    code = "venue_clash"
    default_message = _l("Another session already uses this venue at that time.")


class RegistrationWindowInvalid(InvalidInput):
    code = "registration_window_invalid"
    default_message = _l("Registration must close after it opens.")


class AudienceInvalid(InvalidInput):
    code = "audience_invalid"
    default_message = _l("Choose enterprises of this park.")


class EventNotEditable(Conflict):
    code = "event_not_editable"
    default_message = _l("This event can no longer be changed.")


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = _l("The event cannot move to this state from its current one.")


class EventHasNoSessions(Conflict):
    code = "event_has_no_sessions"
    default_message = _l("Add at least one session before publishing.")


class RegistrationClosed(Conflict):
    code = "registration_closed"
    default_message = _l("Registration for this event is not open.")


class NotInAudience(Conflict):
    code = "not_in_audience"
    default_message = _l("This event is not open to your enterprise.")


class FamilyNotAllowed(Conflict):
    code = "family_not_allowed"
    default_message = _l("This event does not admit family members, or you have already "
                         "registered as many as it allows.")


class AlreadyRegistered(Conflict):
    code = "already_registered"
    default_message = _l("This person is already registered or waiting for this session.")


class SessionFull(Conflict):
    code = "session_full"
    default_message = _l("This session is full. You can join its waitlist.")


class SessionStarted(Conflict):
    code = "session_started"
    default_message = _l("This session has already started.")


class SessionCancelled(Conflict):
    code = "session_cancelled"
    default_message = _l("This session has been cancelled.")


class SessionNotCancellable(Conflict):
    code = "session_not_cancellable"
    default_message = _l("Only a session of a published event that has not ended yet can be "
                         "cancelled.")


class LastSessionOfEvent(Conflict):
    code = "last_session_of_event"
    default_message = _l("This is the only session of the event still going ahead: cancel "
                         "the whole event instead.")


class SessionNotCancelled(Conflict):
    code = "session_not_cancelled"
    default_message = _l("This session is going ahead: there is nothing to restore.")


class SessionNotRestorable(Conflict):
    code = "session_not_restorable"
    default_message = _l("Only a cancelled session of a published event that has not started "
                         "yet can be put back on.")


class RegistrationNotCancellable(Conflict):
    code = "registration_not_cancellable"
    default_message = _l("This registration can no longer be cancelled.")


class OfferNotOpen(Conflict):
    code = "offer_not_open"
    default_message = _l("There is no place on offer for you any more.")


class TicketUnknown(NotFound):
    code = "ticket_unknown"
    default_message = _l("This code is not a valid ticket.")


class TicketWrongSession(Conflict):
    code = "ticket_wrong_session"
    default_message = _l("This ticket is for another session.")


class TicketNotValid(Conflict):
    code = "ticket_not_valid"
    default_message = _l("This ticket is not valid: its registration is not confirmed.")


class TicketSessionCancelled(Conflict):
    code = "ticket_session_cancelled"
    default_message = _l("This ticket's session was cancelled: the ticket is no longer valid.")


class TicketAlreadyUsed(Conflict):
    code = "ticket_already_used"
    default_message = _l("This ticket has already been used.")


class FeedbackNotAllowed(Conflict):
    code = "feedback_not_allowed"
    default_message = _l("Only people who attended can give feedback on this event.")


class CertificateNotAvailable(Conflict):
    code = "certificate_not_available"
    default_message = _l("Certificates are given for courses, to people who checked in.")


class PriceInvalid(InvalidInput):
    code = "price_invalid"
    default_message = _l("Enter a price of zero (free) or more, in yuan, in a currency the "
                         "park accepts.")


class PriceLocked(Conflict):
    code = "price_locked"
    default_message = _l("The price can be changed only while the event is a draft.")


class RegistrationNotPayable(Conflict):
    code = "registration_not_payable"
    default_message = _l("This registration is not waiting for payment.")


class CoverInvalid(InvalidInput):
    code = "cover_invalid"
    default_message = _l("Upload a PNG, JPEG or WebP image.")


class CoverTooLarge(InvalidInput):
    code = "cover_too_large"
    default_message = _l("The image is too large.")


class CoverNotFound(NotFound):
    code = "cover_not_found"
    default_message = _l("This event has no cover image.")


class VenueCapacityBelowSessions(Conflict):
    code = "venue_capacity_below_sessions"
    default_message = _l("A session still to come at this venue holds more people than this "
                         "capacity: lower that session's capacity first.")


class AnnouncementEventInvalid(InvalidInput):
    code = "announcement_event_invalid"
    default_message = _l("Choose an event of this park.")


class CertificateInvalid(NotFound):
    code = "certificate_invalid"
    default_message = _l("This certificate number is not valid.")
