"""Add one booking to a calendar: the .ics file, and links that open Google Calendar's and
Outlook's new-event form filled in. The online link is never put in them (they are kept in
other people's calendars for good); the booking page gives it near the start."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from booking.models import Booking

GOOGLE = "https://calendar.google.com/calendar/render"
OUTLOOK = "https://outlook.live.com/calendar/0/deeplink/compose"


@dataclass(frozen=True)
class CalendarLinks:
    google: str
    outlook: str


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def links_for(booking: Booking, *, locale: str, details: str = "") -> CalendarLinks:
    title = booking.service.title(locale)
    where = booking.provider.name(locale)
    start, end = _utc(booking.starts_at), _utc(booking.ends_at)
    google = GOOGLE + "?" + urlencode({
        "action": "TEMPLATE", "text": title,
        "dates": f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}",
        "details": details, "location": where})
    outlook = OUTLOOK + "?" + urlencode({
        "path": "/calendar/action/compose", "rru": "addevent", "subject": title,
        "startdt": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "enddt": end.strftime("%Y-%m-%dT%H:%M:%SZ"), "location": where, "body": details})
    return CalendarLinks(google=google, outlook=outlook)


def on_calendar(booking: Booking) -> bool:
    """Whether it belongs in a calendar: confirmed (held ones may lapse)."""
    return booking.status.value in ("confirmed", "attended")
