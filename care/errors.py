"""Domain errors of family health physicians, each with a stable code."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.errors import Conflict, DomainError, InvalidInput, NotFound


class TeamNotFound(NotFound):
    code = "care_team_not_found"
    default_message = _l("We could not find this physician team.")


class AgreementNotFound(NotFound):
    code = "care_agreement_not_found"
    default_message = _l("We could not find this service agreement.")


class AgreementOverlaps(Conflict):
    code = "care_agreement_overlaps"
    default_message = _l("You already have a family physician agreement for part of this "
                         "period. End it first, or start the new one after it ends.")


class TermsNotAccepted(InvalidInput):
    code = "care_terms_not_accepted"
    default_message = _l("Read and accept the terms of the agreement to sign it.")


class TermsChanged(Conflict):
    code = "care_terms_changed"
    default_message = _l("The terms changed while you were reading them. Read the new "
                         "terms and sign again.")


class AgreementNotInForce(Conflict):
    code = "care_agreement_not_in_force"
    default_message = _l("This agreement is not in force: nothing can be added to it.")


class NoCareAccess(NotFound):
    """Outside the agreement's window the team has no access: the data does not exist for
    them."""

    code = "care_no_access"
    default_message = _l("There is no agreement in force that gives you access.")


class InvalidCareInput(InvalidInput):
    code = "care_invalid_input"


class ImpossibleMeasurement(InvalidInput):
    code = "care_impossible_measurement"
    default_message = _l("This measurement is not physiologically possible.")


class BudgetNotEnough(Conflict):
    code = "care_budget_not_enough"
    default_message = _l("Your budget does not cover this agreement, and card payment is not "
                         "available right now. Nothing was signed.")


class SponsorshipUnfunded(Conflict):
    code = "care_sponsorship_unfunded"
    default_message = _l("Your employer's budget for family physicians cannot cover this "
                         "agreement right now. Nothing was signed; please tell your HR team.")


class AgreementNotPayable(Conflict):
    code = "care_agreement_not_payable"
    default_message = _l("This agreement is not waiting for payment: it is paid, or the time "
                         "to pay for it has passed.")


class AlreadyAcknowledged(Conflict):
    code = "care_alert_already_acknowledged"
    default_message = _l("This alert was already looked at.")


class FollowUpNotOpen(Conflict):
    code = "care_follow_up_not_open"
    default_message = _l("This follow-up is already cancelled or has taken place.")


__all__ = ["DomainError"]
