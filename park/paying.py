"""Paying for a held registration at the benefits checkout, and the callbacks benefits
makes (``benefits.subjects``): a paid registration is confirmed, a failed card payment
gives the place up.

Lock order, the same on every path: the session row, then the registration row, then the
ledger's accounts (benefits calls ``lock_payable`` before it touches the ledger).
"""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from benefits import checkout, subjects
from benefits.errors import NotPayable, SubjectGone
from benefits.models import Payment
from core.accounts.models import User
from core.db import db
from core.policy import Action, can
from park import payments, registration
from park.errors import RegistrationNotFound
from park.models import Registration, RegistrationStatus


def _locked(registration_id: int) -> Registration:
    reg = db.session.get(Registration, registration_id)
    if reg is None:
        raise NotPayable()
    registration.lock_session(reg.session)
    db.session.refresh(reg, with_for_update=True)
    return reg


def _is_held(reg: Registration, *, now: datetime) -> bool:
    return reg.status is RegistrationStatus.HELD and reg.hold_expires_at is not None \
        and reg.hold_expires_at > now


class RegistrationPayments:
    """The handler benefits calls back for ``park_registration`` payments."""

    platform_fee = False  #: the park's own events: the platform takes no fee

    def lock_payable(self, subject_id: int, *, now: datetime) -> None:
        if not _is_held(_locked(subject_id), now=now):
            raise NotPayable()

    def settled(self, payment: Payment, *, actor: User | None, now: datetime) -> None:
        reg = db.session.get(Registration, payment.subject_id)
        if reg is None or not _is_held(reg, now=now):
            raise SubjectGone()
        reg.status, reg.hold_expires_at, reg.updated_at = (RegistrationStatus.CONFIRMED,
                                                           None, now)
        db.session.flush()

    def payment_failed(self, payment: Payment, *, now: datetime) -> None:
        reg = _locked(payment.subject_id)
        if reg.status is RegistrationStatus.HELD:
            registration.end_unpaid(reg, now=now)


def init_app(app: Flask) -> None:
    subjects.register(app, payments.SUBJECT_KIND, RegistrationPayments())


def pay(reg: Registration, *, actor: User, now: datetime,
        today: date) -> checkout.CheckoutResult:
    """Pay one's held registration: the budget share is held at once (with nothing left
    for the card the registration is confirmed), the card share goes to Stripe. Raises
    RegistrationNotFound (not the actor's), NotPayable (not awaiting payment, or the hold
    has lapsed), CardPaymentUnavailable, PaymentProviderFailed, InsufficientFunds."""
    if not can(actor, Action.OWN_RECORD, reg):
        raise RegistrationNotFound()
    existing = payments.payment_of(reg)
    if existing is None and not _is_held(reg, now=now):
        raise NotPayable()
    return checkout.start_subject_checkout(payments.charge_for(reg, now=now), now=now,
                                           today=today)


def quote(reg: Registration, *, now: datetime, today: date) -> checkout.Quote:
    """What the registrant's budget would pay now, and what is left for the card (a read:
    nothing is written, not even the park's income account)."""
    event = reg.event
    return checkout.quote_for(reg.user, price_minor=event.price_minor,
                              currency=event.currency, category=payments.CATEGORY,
                              for_dependant=reg.dependant_id is not None, today=today)
