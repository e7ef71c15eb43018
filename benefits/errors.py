"""Refusals from the benefits services, each with a stable code."""

from flask_babel import lazy_gettext as _l

from core.errors import Conflict, DomainError, InvalidInput, NotFound


class InsufficientFunds(Conflict):
    code = "insufficient_funds"
    default_message = _l("There is not enough money in this account.")


class UnbalancedTransaction(DomainError):
    code = "unbalanced_transaction"
    status = 500
    default_message = _l("This movement of money does not add up.")


class AlreadyReversed(Conflict):
    code = "already_reversed"
    default_message = _l("This transaction has already been reversed.")


class InvalidAmount(InvalidInput):
    code = "invalid_amount"
    default_message = _l("Enter an amount greater than zero and not absurdly large.")


class ProgrammeNotFound(NotFound):
    code = "programme_not_found"
    default_message = _l("There is no such budget programme.")


class RosterImportInvalid(InvalidInput):
    code = "roster_import_invalid"
    default_message = _l("The roster file has errors; nothing was imported.")


class RosterEntryNotFound(NotFound):
    code = "roster_entry_not_found"
    default_message = _l("There is no such employee on the roster.")


class CardPaymentUnavailable(DomainError):
    code = "card_payment_unavailable"
    status = 409
    default_message = _l("Card payment is not available right now: the budget does not cover "
                         "this booking, so it cannot be paid here yet.")


class PaymentProviderFailed(DomainError):
    code = "payment_provider_failed"
    status = 502
    default_message = _l("The payment service did not answer. Nothing was charged; please "
                         "try again in a moment.")


class WebhookRejected(DomainError):
    code = "webhook_rejected"
    status = 400
    default_message = _l("This webhook could not be verified.")


class WebhookMalformed(DomainError):
    """A webhook whose signature checks out but which is not an event of the shape its type
    needs: answered 400, so that Stripe shows it as failed; nothing is written."""

    code = "webhook_malformed"
    status = 400
    default_message = _l("This webhook event is not in a form that can be processed.")


class NotPayable(Conflict):
    """A registered subject (see ``benefits.subjects``) is not waiting for payment."""

    code = "not_payable"
    default_message = _l("This is not waiting for payment any more.")


class BookingNotPayable(NotPayable):
    """A booking (the payable subject ``booking``) is not waiting for payment."""

    code = "booking_not_payable"
    default_message = _l("This booking is not waiting for payment.")


class SubjectGone(Conflict):
    """Raised by a subject's ``settled`` callback when the paid-for place is gone (e.g. the
    hold lapsed): the payment is then released and the card share refunded in full."""

    code = "subject_gone"
    default_message = _l("The place was no longer kept when the payment arrived; the money "
                         "goes back.")
