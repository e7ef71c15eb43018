"""A course (a booking series) paid once: every held session in one checkout, released
together, and refunded session by session when sessions are cancelled.

The series is a payable subject (``benefits.subjects``) of kind ``booking_series``, which
benefits registers itself (it builds on booking). Its payment's price is the sum of the held
sessions' prices; its money goes to the provider's payable, less the platform's fee, as a
single booking's does. Confirming is all or nothing: if any session's hold has lapsed when
the money arrives, nothing is confirmed and everything goes back (``SubjectGone``).

Lapsing: the booking engine expires a series' held sessions together and mails the
employee (``booking.services.expire_hold``); the ``hold_expired`` signal then releases the
series' pending payment (``benefits.signals``) once, whichever session it comes for.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from sqlalchemy import select

from benefits import checkout, ledger, stripe_gateway, subjects
from benefits.errors import NotPayable, SubjectGone
from benefits.models import AccountKind, Payment, PaymentStatus
from booking import capacity, services
from booking.errors import HoldExpired, TransitionRefused
from booking.models import Booking, BookingSeries, BookingStatus
from booking.signals import CancellationOutcome
from core.accounts.models import User
from core.db import db
from core.policy import Action, require

SUBJECT_KIND = "booking_series"


def sessions(series_id: int) -> list[Booking]:
    return list(db.session.scalars(select(Booking).where(Booking.series_id == series_id)
                                   .order_by(Booking.starts_at, Booking.id)))


def held_sessions(series_id: int, *, now: datetime) -> list[Booking]:
    """The priced sessions still waiting for payment (held, the hold not lapsed)."""
    return [b for b in sessions(series_id)
            if b.status is BookingStatus.HELD and b.price_minor and not b.hold_lapsed(now=now)]


def lock_series(series_id: int) -> list[Booking]:
    """The row locks of every session (their practitioners, then the client), taken at
    once in the one global order before any ledger account; the sessions read again."""
    booked = sessions(series_id)
    if booked:
        capacity.lock_practitioners_and_client({b.practitioner_id for b in booked},
                                               booked[0].client_id)
        for booking in booked:
            db.session.refresh(booking)
    return booked


def payment_of(series: BookingSeries) -> Payment | None:
    return checkout.payment_for_subject(SUBJECT_KIND, series.id)


def payment_for_session(booking: Booking) -> Payment | None:
    return None if booking.series_id is None else checkout.payment_for_subject(
        SUBJECT_KIND, booking.series_id)


class SeriesPayments:
    """The handler benefits calls back for ``booking_series`` payments."""

    platform_fee = True  #: a provider's service, as a single booking is

    def lock_payable(self, subject_id: int, *, now: datetime) -> None:
        booked = lock_series(subject_id)
        priced = [b for b in booked if b.price_minor and b.status is BookingStatus.HELD]
        if not priced or any(b.hold_lapsed(now=now) for b in priced):
            raise NotPayable()

    def settled(self, payment: Payment, *, actor: User | None, now: datetime) -> None:
        assert payment.subject_id is not None  # a series payment names its series
        waiting = [b for b in sessions(payment.subject_id)
                   if b.status is BookingStatus.HELD and b.price_minor]
        if sum(b.price_minor for b in waiting) != payment.price_minor:
            raise SubjectGone()  # a session went (lapsed, cancelled) since the checkout
        try:
            for booking in waiting:
                services.confirm_booking(booking, actor=actor, now=now,
                                         payment_reference=f"pay{payment.id}")
        except (HoldExpired, TransitionRefused) as exc:
            raise SubjectGone() from exc

    def payment_failed(self, payment: Payment, *, now: datetime) -> None:
        """The intent was cancelled: the sessions still held are given up."""
        assert payment.subject_id is not None  # a series payment names its series
        for booking in lock_series(payment.subject_id):
            if booking.status is BookingStatus.HELD and now < booking.starts_at:
                services.cancel_booking(booking, actor=booking.client, now=now,
                                        reason="payment canceled")


def init_app(app: Flask) -> None:
    subjects.register(app, SUBJECT_KIND, SeriesPayments())


def charge_for(series: BookingSeries, *, now: datetime) -> checkout.Charge:
    """Raises NotPayable when no session is waiting for payment."""
    waiting = [b for b in held_sessions(series.id, now=now)
               if checkout.payment_for(b) is None]  # not one paid on its own
    if not waiting:
        raise NotPayable()
    first = waiting[0]
    payee = ledger.get_account(AccountKind.PROVIDER_PAYABLE, currency=first.currency, now=now,
                               provider_id=first.provider_id)
    return checkout.Charge(kind=SUBJECT_KIND, subject_id=series.id, payer=first.client,
                           price_minor=sum(b.price_minor for b in waiting),
                           currency=first.currency, category=first.service.category.value,
                           payee=payee, for_dependant=first.dependant_id is not None)


def quote(series: BookingSeries, *, now: datetime, today: date) -> checkout.Quote | None:
    """How the held sessions' total splits (a read), or None when nothing waits."""
    try:
        return checkout.quote_charge(charge_for(series, now=now), today=today)
    except NotPayable:
        return None


def pay_series(series: BookingSeries, *, actor: User, now: datetime,
               today: date) -> checkout.CheckoutResult:
    """Pay every held session of the course in one checkout: Stripe first for a card
    share (no lock held), then the sessions' locks, the budget hold (the cap checked under
    the lock) and one payment; with nothing left for the card every session is confirmed at
    once. Calling again returns the same pending payment. Raises NotFound (not the actor's),
    NotPayable, CardPaymentUnavailable, PaymentProviderFailed, InsufficientFunds."""
    require(actor, Action.OWN_RECORD, series)
    existing = payment_of(series)
    if existing is not None:
        if existing.status is PaymentStatus.PENDING and existing.stripe_payment_intent_id:
            intent = stripe_gateway.retrieve_payment_intent(existing.stripe_payment_intent_id)
            return checkout.CheckoutResult(existing, intent.client_secret)
        raise NotPayable()
    return checkout.start_subject_checkout(charge_for(series, now=now), now=now, today=today)


def release_lapsed(booking: Booking, *, now: datetime) -> None:
    """A session's hold lapsed: the course's pending payment (if any) is released, once."""
    payment = payment_for_session(booking)
    if payment is not None:
        checkout.release(payment, now=now)


def refund_cancelled(booking: Booking, outcome: CancellationOutcome, *, now: datetime,
                     today: date) -> None:
    """A session of a course paid once was cancelled. Paid: its own part of the payment
    goes back as the cancellation policy says (a part of its own in the ledger's
    references). Still being paid: the course is held and paid together, so the payment is
    released (the budget back, the card intent cancelled) and the other held sessions are
    given up with it."""
    payment = payment_for_session(booking)
    if payment is None:
        return
    if payment.status is PaymentStatus.PENDING:
        checkout.release(payment, now=now)
        assert booking.series_id is not None  # a session of a series
        for other in lock_series(booking.series_id):
            if other.status is BookingStatus.HELD and now < other.starts_at:
                services.cancel_booking(other, actor=other.client, now=now,
                                        reason="course payment released")
        return
    checkout.refund_share(payment, basis_points=outcome.refund_basis_points, now=now,
                          today=today, part=checkout.Part(f"b{booking.id}", booking.price_minor))
