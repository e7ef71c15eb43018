"""Asking for a review once the session is attended: on the booking and in the bookings
list (``review_prompt_for`` in templates), and by mail when the provider marks it attended
(through the mail outbox, after the commit)."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, g, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from booking.models import Booking, BookingStatus
from booking.signals import attendance_marked
from core.db import db
from core.mail import send_mail
from marketplace.models import Review


def needs_review(booking: Booking) -> bool:
    """Attended and not reviewed yet."""
    return booking.status is BookingStatus.ATTENDED and not db.session.scalar(
        select(Review.id).where(Review.booking_id == booking.id).limit(1))


def _reviewed_by(client_id: int) -> set[int]:
    """The bookings a client has reviewed, read once per request (a list of bookings asks
    for each of them)."""
    cache = g.setdefault("reviewed_bookings", {})
    if client_id not in cache:
        cache[client_id] = set(db.session.scalars(
            select(Review.booking_id).where(Review.author_id == client_id)))
    return cache[client_id]


def review_prompt_for(booking: Booking) -> str | None:
    """The review form's address when the booking awaits its review, else None."""
    if booking.status is not BookingStatus.ATTENDED or booking.id in _reviewed_by(
            booking.client_id):
        return None
    return url_for("marketplace.review_booking", booking_id=booking.id)


def _mail_review_prompt(booking: Booking, *, now: datetime, **_extra) -> None:
    if booking.status is not BookingStatus.ATTENDED or not booking.client.email:
        return
    if not has_request_context():  # no address to give: the booking page asks instead
        return
    locale = booking.client.locale or current_app.config.get("DEFAULT_LOCALE", "zh_CN")
    link = url_for("marketplace.review_booking", booking_id=booking.id, _external=True)
    with force_locale(locale):
        subject = _("How was %(service)s?", service=booking.service.title(locale))
        body = _("Thank you for coming to %(service)s at %(provider)s. A few words and a "
                 "rating help your colleagues choose: %(link)s",
                 service=booking.service.title(locale),
                 provider=booking.provider.name(locale), link=link)
    send_mail(to=booking.client.email, subject=subject, body=body)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["review_prompt_for"] = review_prompt_for
    attendance_marked.connect(_mail_review_prompt)
