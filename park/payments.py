"""Paid events: what a registration costs and where its money goes, through the benefits
checkout (budget and/or card), by the seam ``benefits.subjects``.

- A paid event's price (``Event.price_minor`` in fen, ``currency``) is paid per
  registration, a family member's too. The money goes to the park's own ledger account
  (``AccountKind.EVENT_INCOME``, scoped by ``park_id``): the committee's event income.
  The platform takes no fee on the park's own events.
- Budgets pay for events as the category ``culture`` ("Culture and festivals"), so a
  programme's cap or pot for culture applies; a family member's place is paid by a
  programme only where it allows dependants.
- Refunds: everything back when the committee cancels a registration or the whole event;
  when the registrant cancels, everything back until ``PARK_FULL_REFUND_HOURS`` (24) before
  the session starts and nothing after. A place still awaiting payment is released (the
  budget hold back, the card intent cancelled).

This module only reads and moves money; the registration's own states are kept by
``park.registration``, and the handler benefits calls back is in ``park.paying``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app

from benefits import checkout, ledger
from benefits.models import AccountKind, LedgerAccount, Payment
from core.db import db
from core.money import FULL
from park.models import Event, Registration

SUBJECT_KIND = "park_registration"
#: The budget category events count against (``providers.models.ProviderCategory.CULTURE``).
CATEGORY = "culture"
DEFAULT_PAYMENT_MINUTES = 30
DEFAULT_FULL_REFUND_HOURS = 24
CURRENCIES = ("CNY",)
MAX_PRICE_MINOR = 10_000_000  #: ¥100,000: a park event's price above it is a typo


def payment_minutes() -> int:
    return int(current_app.config.get("PARK_PAYMENT_MINUTES", DEFAULT_PAYMENT_MINUTES))


def hold_until(registration_starts_at: datetime, *, now: datetime) -> datetime:
    return min(now + timedelta(minutes=payment_minutes()), registration_starts_at)


def income_account(event: Event, *, now: datetime) -> LedgerAccount:
    """The park's event income account in the event's currency."""
    return ledger.get_account(AccountKind.EVENT_INCOME, currency=event.currency, now=now,
                              park_id=event.park_id)


def charge_for(registration: Registration, *, now: datetime) -> checkout.Charge:
    event = registration.event
    return checkout.Charge(kind=SUBJECT_KIND, subject_id=registration.id,
                           payer=registration.user, price_minor=event.price_minor,
                           currency=event.currency, category=CATEGORY,
                           payee=income_account(event, now=now),
                           for_dependant=registration.dependant_id is not None)


def payment_of(registration: Registration) -> Payment | None:
    return checkout.payment_for_subject(SUBJECT_KIND, registration.id)


def refund_basis_points(registration: Registration, *, by_manager: bool,
                        now: datetime) -> int:
    """The cancellation policy: see the module's docstring."""
    if by_manager:
        return FULL
    hours = int(current_app.config.get("PARK_FULL_REFUND_HOURS", DEFAULT_FULL_REFUND_HOURS))
    return FULL if registration.session.starts_at - now >= timedelta(hours=hours) else 0


def give_back(registration: Registration, *, basis_points: int, now: datetime,
              today: date) -> Payment | None:
    """Refund ``basis_points`` of what was paid for this registration (a pending payment
    is released instead). The caller holds the session's lock."""
    payment = payment_of(registration)
    if payment is not None:
        checkout.refund_share(payment, basis_points=basis_points, now=now, today=today)
        db.session.flush()
    return payment


def release(registration: Registration, *, now: datetime) -> None:
    """A held place lapsed or was given up: its pending payment (if any) is released."""
    payment = payment_of(registration)
    if payment is not None:
        checkout.release(payment, now=now)
