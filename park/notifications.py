"""E-mails about events, each rendered in its recipient's language and sent only after the
transaction that caused it has committed (``core.mail.send_mail``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from flask_babel import force_locale
from flask_babel import gettext as _

from core.accounts.models import User
from core.i18n import format_when
from core.mail import send_mail
from park.models import Announcement, Event, EventSession, Registration


def _locale(user: User, default: str) -> str:
    return user.locale or default


def _in_their_language(recipients: Iterable[User],
                       default_locale: str) -> Iterator[tuple[User, str]]:
    """Each recipient with an e-mail address and their language (the park's when they
    chose none), while that language is the current one (so that ``_`` and
    ``format_when`` write in it)."""
    for user in recipients:
        if not user.email:
            continue
        locale = _locale(user, default_locale)
        with force_locale(locale):
            yield user, locale


def event_cancelled(event: Event, *, recipients: Iterable[User]) -> None:
    for user, locale in _in_their_language(recipients, event.park.default_locale):
        title = event.title(locale)
        body = _("%(title)s has been cancelled, and your registration with it. "
                 "We are sorry for the inconvenience.", title=title)
        if event.cancel_reason:
            body += "\n\n" + _("Reason: %(reason)s", reason=event.cancel_reason)
        send_mail(to=user.email, subject=_("Cancelled: %(title)s", title=title), body=body)


def session_cancelled(session: EventSession, *, recipients: Iterable[User]) -> None:
    """The committee cancelled one session: tell everyone it had registered, offered a
    place or waiting, in their language, after the commit."""
    event = session.event
    for user, locale in _in_their_language(recipients, event.park.default_locale):
        title = session.title(locale)
        body = _("%(title)s on %(when)s has been cancelled, and your registration with "
                 "it. The event's other sessions go ahead as planned.", title=title,
                 when=format_when(session.starts_at))
        if event.is_paid:
            body += "\n\n" + _("Whatever you paid for this session is refunded in full: "
                                "to your budget at once, to your card within a few days.")
        if session.cancel_reason:
            body += "\n\n" + _("Reason: %(reason)s", reason=session.cancel_reason)
        send_mail(to=user.email, subject=_("Cancelled: %(title)s", title=title), body=body)


def session_restored(session: EventSession, *, recipients: Iterable[User]) -> None:
    """A cancelled session is back on: tell those whose registration was cancelled with it
    that they may register again (their registration is not revived: they were refunded)."""
    for user, locale in _in_their_language(recipients, session.event.park.default_locale):
        title = session.title(locale)
        body = _("Good news: %(title)s on %(when)s is going ahead after all. Your earlier "
                 "registration was cancelled and refunded, so register again if you would "
                 "like a place.", title=title, when=format_when(session.starts_at))
        send_mail(to=user.email, subject=_("Back on: %(title)s", title=title), body=body)


def session_changed(session: EventSession, *, recipients: Iterable[User]) -> None:
    """The committee moved a session (time or venue): tell everyone registered, offered a
    place or waiting, in their language, after the commit."""
    for user, locale in _in_their_language(recipients, session.event.park.default_locale):
        title = session.title(locale)
        send_mail(to=user.email, subject=_("Changed: %(title)s", title=title),
                  body=_("%(title)s now takes place %(when)s at %(venue)s. Your "
                         "registration stays as it is; you can cancel it under My "
                         "events in ParkWell.", title=title,
                         when=format_when(session.starts_at),
                         venue=session.venue.name(locale)))


def place_offered(registration: Registration) -> None:
    user = registration.user
    if not user.email:
        return
    session = registration.session
    locale = _locale(user, session.event.park.default_locale)
    with force_locale(locale):
        title = session.title(locale)
        send_mail(to=user.email, subject=_("A place is free for you: %(title)s", title=title),
                  body=_("A place at %(title)s (%(when)s) is kept for you until %(until)s. "
                         "Accept it under My events in ParkWell, or it goes to the next "
                         "person waiting.", title=title, when=format_when(session.starts_at),
                         until=format_when(registration.offer_expires_at)))


def announcement_posted(announcement: Announcement, *, recipients: Iterable[User],
                        park_default_locale: str) -> None:
    for user, _locale_name in _in_their_language(recipients, park_default_locale):
        send_mail(to=user.email, subject=_("Park announcement: %(title)s",
                                           title=announcement.title), body=announcement.body)
