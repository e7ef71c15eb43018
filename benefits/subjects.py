"""The seam through which everything is paid at the one checkout: bookings, courses,
event places, care agreements.

A package to the right of ``benefits`` (which ``benefits`` may not import) makes one of its
things payable by registering a handler for a *subject kind* in its ``init_app``::

    from benefits import subjects

    subjects.register(app, "park_registration", RegistrationPayments())

and then calls ``benefits.checkout.start_subject_checkout(Charge(...))`` for one of them.
A ``Payment`` then names ``subject_kind`` and ``subject_id`` instead of ``booking_id``, and
its money goes to ``Charge.payee`` (a ledger account the owner chooses, e.g. the park's
``EVENT_INCOME``) instead of a provider's payable.

Benefits calls back, always inside the transaction that moves the money:

- ``lock_payable(subject_id, now=...)``: take the subject's own row locks *before* any
  ledger account is locked (so that every path locks subject first, then accounts), and
  raise ``NotPayable`` when it is no longer waiting for payment. Called when checkout
  starts (after Stripe was asked for the intent, which never happens under a lock) and
  again before a webhook settles it.
- ``settled(payment, actor=..., now=...)``: everything is paid (budget captured, card
  money booked): confirm the subject. Raise ``SubjectGone`` when the place has gone
  meanwhile; the payment is then released and a card share refunded in full.
- ``payment_failed(payment, now=...)``: Stripe said the card payment failed or was
  cancelled: give the place up (taking the subject's locks); benefits then releases the
  budget hold.

The owner starts the other movements itself: ``checkout.release(payment)`` when its hold
lapses, ``checkout.refund_share(payment, basis_points=...)`` when it is cancelled (budget
back to its period or pot, card share refunded through Stripe after the commit).
``platform_fee`` says whether the platform's fee (``PLATFORM_FEE_BASIS_POINTS``) is taken
from what the payee receives.

Bookings are a subject too (kind ``booking``, registered by benefits itself in
``benefits.booking_payments``): the checkout, the settlement and a failed card payment call
the same three methods for them. Only their storage predates the seam: a booking's
``Payment`` keeps its ``booking_id`` (and the provider's payable through ``provider_id``)
instead of ``subject_kind``/``subject_id``; ``kind_of`` and ``subject_id_of`` read both.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from flask import Flask, current_app

from benefits.models import Payment
from core.accounts.models import User


class PayableSubject(Protocol):
    platform_fee: bool

    def lock_payable(self, subject_id: int, *, now: datetime) -> None: ...

    def settled(self, payment: Payment, *, actor: User | None, now: datetime) -> None: ...

    def payment_failed(self, payment: Payment, *, now: datetime) -> None: ...


#: The kind under which bookings are paid (stored as ``Payment.booking_id``).
BOOKING = "booking"

_HANDLERS_KEY = "benefits.payable_subjects"


def _handlers(app: Flask | None = None) -> dict[str, PayableSubject]:
    handlers: dict[str, PayableSubject] = (app or current_app).extensions.setdefault(
        _HANDLERS_KEY, {})
    return handlers


def register(app: Flask, kind: str, handler: PayableSubject) -> None:
    """Make ``kind`` payable in ``app``. Registering the same kind again replaces its
    handler."""
    if not kind or len(kind) > 40:
        raise ValueError(f"cannot register payable subject kind {kind!r}")
    _handlers(app)[kind] = handler


def handler(kind: str) -> PayableSubject:
    """The current app's handler of a registered kind. Raises LookupError (a programming
    error)."""
    try:
        return _handlers()[kind]
    except KeyError:
        raise LookupError(f"no payable subject kind {kind!r} is registered") from None


def registered() -> frozenset[str]:
    return frozenset(_handlers())


def kind_of(payment: Payment) -> str:
    """The subject kind a payment pays for (``booking`` for a booking's)."""
    return payment.subject_kind if payment.subject_kind is not None else BOOKING


def subject_id_of(payment: Payment) -> int:
    subject_id = payment.subject_id if payment.subject_kind is not None else payment.booking_id
    assert subject_id is not None  # a payment pays for a booking or for a subject
    return subject_id


def handler_of(payment: Payment) -> PayableSubject:
    return handler(kind_of(payment))
