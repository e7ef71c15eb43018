"""Tickets as QR codes (``segno``: pure Python, no imaging library, writes SVG that pages
embed inline) and the park's public iCalendar feed of its published events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import segno
from icalendar import Calendar
from icalendar import Event as CalendarEvent
from markupsafe import Markup
from sqlalchemy import select

from core.accounts.models import Park
from core.db import db
from park.models import Event, EventSession, EventStatus, event_audience
from park.registration import format_code

PRODID = "-//ParkWell//Park events//EN"


def qr_svg(code: str, *, scale: int = 6) -> Markup:
    """The ticket's QR code as inline SVG. It carries the code and nothing else."""
    qr = segno.make(format_code(code), error="m", micro=False)
    return Markup(qr.svg_inline(scale=scale, title=format_code(code)))  # noqa: S704 - segno's own SVG


def public_sessions(park: Park, *, limit: int = 1000) -> list[EventSession]:
    """The sessions of the park's published and completed events open to every enterprise
    of the park (a restricted event stays out of what anyone can read)."""
    restricted = select(event_audience.c.event_id)
    return list(db.session.scalars(select(EventSession).join(Event).where(
        Event.park_id == park.id, Event.id.not_in(restricted),
        Event.status.in_([EventStatus.PUBLISHED, EventStatus.COMPLETED]))
        .order_by(EventSession.starts_at, EventSession.id).limit(limit)))


def park_calendar(park: Park, *, locale: str, now: datetime,
                  image_url: Callable[[Event], str | None] = lambda event: None) -> bytes:
    """Every session of the park's public events (``public_sessions``), as one calendar; a
    session cancelled on its own stays in it with ``STATUS:CANCELLED`` (RFC 5545), and an
    event's cover is linked as the session's ``IMAGE`` (RFC 7986) when ``image_url`` gives
    one."""
    calendar = Calendar.new(prodid=PRODID, name=park.name(locale))
    for session in public_sessions(park):
        event = session.event
        component = CalendarEvent.new(
            uid=f"park-session-{session.id}@parkwell", start=session.starts_at,
            end=session.ends_at, summary=session.title(locale), stamp=now,
            description=event.description(locale), location=session.venue.name(locale))
        if session.is_cancelled:  # kept in the feed so that subscribed calendars update
            component.add("status", "CANCELLED")
        if (url := image_url(event)) is not None:
            component.add("image", url, parameters={"VALUE": "URI", "DISPLAY": "BADGE"})
        calendar.add_component(component)
    return calendar.to_ical()
