"""Payment incidents: what a person must look at (a webhook whose amount or currency
disagrees with the payment, a refund or a dispute made on Stripe's side). Each is recorded
once (``PaymentIncident``) and alerted: logged at ERROR with the ``payments alert`` prefix,
which the operators' log monitoring pages on. ``flask payments reconcile`` lists them."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from benefits.models import IncidentKind, Payment, PaymentIncident
from core.db import db

log = logging.getLogger(__name__)


def record(kind: IncidentKind, *, payment: Payment | None, stripe_object_id: str,
           amount_minor: int | None, currency: str | None, detail: str,
           now: datetime) -> PaymentIncident | None:
    """Record (once per kind, Stripe object and amount) and alert. Returns the incident (the
    one recorded first, or None if that cannot be read back)."""
    existing = db.session.scalar(select(PaymentIncident).where(
        PaymentIncident.kind == kind, PaymentIncident.stripe_object_id == stripe_object_id,
        PaymentIncident.amount_minor.is_(None) if amount_minor is None
        else PaymentIncident.amount_minor == amount_minor))
    if existing is not None:
        return existing
    incident = PaymentIncident(kind=kind, payment_id=payment.id if payment else None,
                               stripe_object_id=stripe_object_id[:100],
                               amount_minor=amount_minor,
                               currency=currency[:3] if currency else None,
                               detail=detail[:300], created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(incident)
    except IntegrityError:  # a parallel delivery recorded it first
        return db.session.scalar(select(PaymentIncident).where(
            PaymentIncident.kind == kind,
            PaymentIncident.stripe_object_id == stripe_object_id))
    log.error("payments alert: %s on %s (payment %s, Stripe says %s %s): %s", kind.value,
              stripe_object_id, payment.id if payment else "-", amount_minor, currency, detail)
    return incident


def recent(limit: int = 200) -> list[PaymentIncident]:
    return list(db.session.scalars(select(PaymentIncident)
                                   .order_by(PaymentIncident.id.desc()).limit(limit)))
