"""Telling people about their bookings: e-mail (after the commit, in the recipient's
language) with the booking as iCalendar text, and in-app notifications.

``booking_ics`` renders one booking as a METHOD:REQUEST or METHOD:CANCEL calendar object.
Until ``core.mail`` takes attachments, the .ics text is appended to the mail's body.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event

from booking import online
from booking.models import Booking, Notification, NotificationKind
from core.db import db
from core.i18n import format_when
from core.mail import calendar_attachment, send_mail

PRODID = "-//ParkWell//Booking//EN"

#: ``fn(booking, locale) -> str``: extra paragraphs for a booking's confirmation and
#: reminders (e.g. a check-up's preparation), added by packages that build on booking.
MessageExtra = Callable[[Booking, str], str]
_EXTRAS_KEY = "booking_message_extras"


def register_message_extra(app: Flask, extra: MessageExtra) -> None:
    """Let a package add text to confirmation and reminder messages of its bookings,
    rendered in the recipient's language (called under their locale)."""
    extras = app.extensions.setdefault(_EXTRAS_KEY, [])
    if extra not in extras:
        extras.append(extra)


def _extras(booking: Booking, locale: str) -> str:
    texts = [text for extra in current_app.extensions.get(_EXTRAS_KEY, ())
             if (text := extra(booking, locale))]
    return "".join(f"\n\n{text}" for text in texts)


def _locale_of(booking: Booking) -> str:
    return booking.client.locale or current_app.config.get("DEFAULT_LOCALE", "zh_CN")


def _uid(booking: Booking) -> str:
    return f"booking-{booking.id}@parkwell"


def _event(booking: Booking, locale: str, *, cancelled: bool, stamp: datetime,
           link: str | None = None) -> Event:
    event = Event.new(uid=_uid(booking), start=booking.starts_at, end=booking.ends_at,
                      summary=booking.service.title(locale), stamp=stamp,
                      sequence=booking.reschedule_count + (1 if cancelled else 0),
                      status="CANCELLED" if cancelled else "CONFIRMED",
                      location=booking.provider.name(locale))
    if link:
        event.add("url", link)
        event.add("description", link)
    return event


def booking_ics(booking: Booking, *, method: str, locale: str, stamp: datetime) -> str:
    """One booking as an iCalendar object (``method``: REQUEST or CANCEL)."""
    calendar = Calendar.new(prodid=PRODID, method=method)
    calendar.add_component(_event(booking, locale, cancelled=method == "CANCEL", stamp=stamp))
    return calendar.to_ical().decode()


def bookings_ics(bookings: Iterable[Booking], *, locale: str, name: str, uid: str,
                 now: datetime | None = None) -> str:
    """A calendar feed of bookings (cancelled ones say STATUS:CANCELLED). The same bookings
    give the same text: the calendar's ``uid`` is the caller's stable one, and each event's
    DTSTAMP is the booking's last change, so that the text's hash is an ETag. With ``now``
    (the person's own feed), an online session due soon carries its link."""
    calendar = Calendar.new(prodid=PRODID, name=name, uid=uid)
    for booking in bookings:
        link = (online.online_link(booking, viewer=booking.client, now=now)
                if now is not None else None)
        calendar.add_component(_event(booking, locale, cancelled=booking.is_cancelled,
                                      stamp=booking.updated_at, link=link))
    return calendar.to_ical().decode()


def _when(booking: Booking) -> str:
    """The start in the park's zone, in the recipient's language (called under their locale)."""
    return format_when(booking.starts_at, zone=booking.provider.park.timezone)


def _notify(booking: Booking, kind: NotificationKind, *, now: datetime, subject: str,
            body: str, method: str, locale: str) -> None:
    db.session.add(Notification(user_id=booking.client_id, booking_id=booking.id, kind=kind,
                                created_at=now))
    if booking.client.email:
        ics = booking_ics(booking, method=method, locale=locale, stamp=now)
        send_mail(to=booking.client.email, subject=subject, body=body,
                  attachments=(calendar_attachment(ics, method=method,
                                                   filename=f"booking-{booking.id}.ics"),))


def booking_confirmed(booking: Booking, *, now: datetime) -> None:
    locale = _locale_of(booking)
    with force_locale(locale):
        subject = _("Booking confirmed: %(service)s", service=booking.service.title(locale))
        body = _("Your booking of %(service)s at %(provider)s on %(when)s is confirmed.",
                 service=booking.service.title(locale), provider=booking.provider.name(locale),
                 when=_when(booking))
        body += _extras(booking, locale)
    _notify(booking, NotificationKind.CONFIRMED, now=now, subject=subject, body=body,
            method="REQUEST", locale=locale)


def booking_changed(booking: Booking, *, now: datetime) -> None:
    locale = _locale_of(booking)
    with force_locale(locale):
        subject = _("Booking moved: %(service)s", service=booking.service.title(locale))
        body = _("Your booking of %(service)s at %(provider)s now starts on %(when)s.",
                 service=booking.service.title(locale), provider=booking.provider.name(locale),
                 when=_when(booking))
    _notify(booking, NotificationKind.CHANGED, now=now, subject=subject, body=body,
            method="REQUEST", locale=locale)


def booking_cancelled(booking: Booking, *, by: str, now: datetime) -> None:
    locale = _locale_of(booking)
    with force_locale(locale):
        subject = _("Booking cancelled: %(service)s", service=booking.service.title(locale))
        if by == "provider":
            body = _("%(provider)s had to cancel your booking of %(service)s on %(when)s. "
                     "Anything you paid is refunded in full.",
                     service=booking.service.title(locale),
                     provider=booking.provider.name(locale), when=_when(booking))
        else:
            body = _("Your booking of %(service)s at %(provider)s on %(when)s is cancelled.",
                     service=booking.service.title(locale),
                     provider=booking.provider.name(locale), when=_when(booking))
    _notify(booking, NotificationKind.CANCELLED, now=now, subject=subject, body=body,
            method="CANCEL", locale=locale)


def reminder(booking: Booking, *, hours: int, now: datetime) -> None:
    locale = _locale_of(booking)
    with force_locale(locale):
        subject = _("Reminder: %(service)s on %(when)s", service=booking.service.title(locale),
                    when=_when(booking))
        body = _("A reminder of your booking of %(service)s at %(provider)s on %(when)s.",
                 service=booking.service.title(locale), provider=booking.provider.name(locale),
                 when=_when(booking))
        body += _extras(booking, locale)
        body += _online_paragraph(booking, now=now)
    _notify(booking, NotificationKind.REMINDER, now=now, subject=subject, body=body,
            method="REQUEST", locale=locale)


def _online_paragraph(booking: Booking, *, now: datetime) -> str:
    """The session's link when it is due (under the recipient's locale); else, for an
    online service, when and where it will be given."""
    link = online.online_link(booking, viewer=booking.client, now=now)
    if link:
        return "\n\n" + _("Join the video session: %(link)s (for you only; please do not "
                           "pass it on).", link=link)
    if online.link_later(booking, now=now):
        return "\n\n" + _("The video link will be on your booking page from %(minutes)s "
                           "minutes before the start.", minutes=online.minutes_before())
    return ""


def series_hold_lapsed(bookings: list[Booking], *, now: datetime) -> None:
    """A course's held sessions lapsed together, unpaid: tell the employee (one mail for
    the course, one in-app notice per session) rather than let them vanish silently."""
    first = bookings[0]
    locale = _locale_of(first)
    with force_locale(locale):
        subject = _("Not paid in time: %(service)s", service=first.service.title(locale))
        body = _("The %(count)s sessions of %(service)s at %(provider)s that were kept for "
                 "you (from %(when)s) were not paid in time and are no longer held. Nothing "
                 "was charged. Book the course again if you still want it.",
                 count=len(bookings), service=first.service.title(locale),
                 provider=first.provider.name(locale), when=_when(first))
    for booking in bookings:
        db.session.add(Notification(user_id=booking.client_id, booking_id=booking.id,
                                    kind=NotificationKind.HOLD_LAPSED, created_at=now))
    if first.client.email:
        send_mail(to=first.client.email, subject=subject, body=body)


def waitlist_offer(booking: Booking, *, now: datetime, expires_at: datetime) -> None:
    locale = _locale_of(booking)
    with force_locale(locale):
        subject = _("A place is free: %(service)s on %(when)s",
                    service=booking.service.title(locale), when=_when(booking))
        body = _("A place in %(service)s at %(provider)s on %(when)s became free and is kept "
                 "for you until %(until)s. Accept it on your bookings page.",
                 service=booking.service.title(locale), provider=booking.provider.name(locale),
                 when=_when(booking),
                 until=format_when(expires_at, zone=booking.provider.park.timezone))
    db.session.add(Notification(user_id=booking.client_id, booking_id=booking.id,
                                kind=NotificationKind.OFFER, created_at=now))
    if booking.client.email:
        send_mail(to=booking.client.email, subject=subject, body=body)
