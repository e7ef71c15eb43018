"""Calendar feeds (iCalendar, RFC 5545) out, and busy time in.

Out: per practitioner and per provider, a feed at a secret URL (only the token's SHA-256 is
stored; issuing a new one revokes the old). Events come from the schedule's exceptions
(time off, extra hours; withdrawn ones as STATUS:CANCELLED with SEQUENCE raised) and from
the sources other packages register (the booking package's bookings) with
``register_feed_source``. Output is deterministic (DTSTAMP is the event's last change), so
its hash is a stable ETag.

In: an uploaded .ics (or a subscribed URL's body, fetched by the worker) is expanded with
``recurring-ical-events`` (RRULE, EXDATE, RECURRENCE-ID) into busy intervals over the
next 90 days. It is all or nothing: a file that cannot be read imports nothing.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
import socket
import threading
import urllib.request
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

import icalendar
import recurring_ical_events
from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select

from core.accounts.models import ProviderOrganisation, User
from core.clock import as_utc
from core.db import db
from core.errors import InvalidInput
from core.policy import Action, require
from providers.errors import InvalidCalendar
from providers.models import (
    BusyTime,
    ExceptionKind,
    Practitioner,
    ProviderProfile,
    ScheduleException,
)
from providers.schedule import zone

PRODID = "-//ParkWell//Providers//EN"
FEED_DAYS_BACK = 30
MAX_ICS_BYTES = 1_000_000
MAX_IMPORTED_EVENTS = 2000
IMPORT_DAYS = 90


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One VEVENT. ``all_day`` events use the local dates of ``starts_at``/``ends_at``."""

    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    sequence: int
    updated_at: datetime
    cancelled: bool = False
    all_day: bool = False
    description: str = ""


FeedSource = Callable[[Sequence[int], datetime], Iterable[FeedEvent]]
_SOURCES_KEY = "providers.feed_sources"


def register_feed_source(app: Flask, source: FeedSource) -> None:
    """``source(practitioner_ids, since)`` gives the events of those practitioners that end
    after ``since`` (cancelled ones too, so that calendars remove them)."""
    app.extensions.setdefault(_SOURCES_KEY, []).append(source)


# -- tokens ----------------------------------------------------------------------------


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_practitioner_feed(practitioner: Practitioner, *, actor: User) -> str:
    """A new secret feed token (the old URL stops working). Raises NotFound, Forbidden."""
    require(actor, Action.MANAGE_SCHEDULE, practitioner)
    raw = secrets.token_urlsafe(24)
    practitioner.feed_token_hash = _digest(raw)
    db.session.flush()
    return raw


def issue_provider_feed(profile: ProviderProfile, *, actor: User) -> str:
    """Raises NotFound, Forbidden."""
    require(actor, Action.MANAGE_PROVIDER, profile.provider)
    raw = secrets.token_urlsafe(24)
    profile.feed_token_hash = _digest(raw)
    db.session.flush()
    return raw


def revoke_practitioner_feed(practitioner: Practitioner, *, actor: User) -> None:
    require(actor, Action.MANAGE_SCHEDULE, practitioner)
    practitioner.feed_token_hash = None
    db.session.flush()


def revoke_provider_feed(profile: ProviderProfile, *, actor: User) -> None:
    require(actor, Action.MANAGE_PROVIDER, profile.provider)
    profile.feed_token_hash = None
    db.session.flush()


def practitioner_by_token(raw: str) -> Practitioner | None:
    if not raw or len(raw) > 100:
        return None
    return db.session.scalar(select(Practitioner).where(
        Practitioner.feed_token_hash == _digest(raw)))


def provider_by_token(raw: str) -> ProviderOrganisation | None:
    if not raw or len(raw) > 100:
        return None
    profile = db.session.scalar(select(ProviderProfile).where(
        ProviderProfile.feed_token_hash == _digest(raw)))
    return profile.provider if profile else None


# -- export ----------------------------------------------------------------------------


def _exception_events(practitioners: Sequence[Practitioner], since: datetime,
                      names: dict[int, str]) -> list[FeedEvent]:
    events = []
    for row in db.session.scalars(select(ScheduleException).where(
            ScheduleException.practitioner_id.in_([p.id for p in practitioners]),
            ScheduleException.happens_on >= since.date()).order_by(ScheduleException.id)):
        tz = zone(row.timezone)
        all_day = row.start_time is None
        start = datetime.combine(row.happens_on, row.start_time or time(), tzinfo=tz)
        end = (start + timedelta(days=1) if all_day
               else datetime.combine(row.happens_on, row.end_time, tzinfo=tz))
        label = _("Time off") if row.kind is ExceptionKind.CLOSED else _("Extra hours")
        summary = f"{label} · {names[row.practitioner_id]}" if len(names) > 1 else label
        events.append(FeedEvent(
            uid=f"exception-{row.id}@parkwell", starts_at=start, ends_at=end,
            summary=summary, sequence=row.sequence, updated_at=row.updated_at,
            cancelled=row.cancelled_at is not None, all_day=all_day, description=row.note))
    return events


def feed_events(practitioners: Sequence[Practitioner], *, now: datetime,
                locale: str) -> list[FeedEvent]:
    since = now - timedelta(days=FEED_DAYS_BACK)
    if not practitioners:
        return []
    with force_locale(locale):
        names = {p.id: p.name(locale) for p in practitioners}
        events = _exception_events(practitioners, since, names)
        for source in current_app.extensions.get(_SOURCES_KEY, []):
            events.extend(source([p.id for p in practitioners], since))
    return sorted(events, key=lambda e: (e.starts_at, e.uid))


def render_calendar(events: Sequence[FeedEvent], *, name: str, timezone: str) -> bytes:
    """A VCALENDAR with a VTIMEZONE for every zone used; times in ``timezone``."""
    tz = zone(timezone)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", timezone)
    for item in events:
        event = icalendar.Event()
        event.add("uid", item.uid)
        event.add("dtstamp", as_utc(item.updated_at))
        event.add("last-modified", as_utc(item.updated_at))
        if item.all_day:
            event.add("dtstart", item.starts_at.astimezone(tz).date())
            event.add("dtend", item.ends_at.astimezone(tz).date())
        else:
            event.add("dtstart", item.starts_at.astimezone(tz))
            event.add("dtend", item.ends_at.astimezone(tz))
        event.add("summary", item.summary)
        if item.description:
            event.add("description", item.description)
        event.add("sequence", item.sequence)
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def feed_version(body: bytes, events: Sequence[FeedEvent],
                 fallback: datetime) -> tuple[str, datetime]:
    """The ETag and Last-Modified of a rendered feed."""
    modified = max((as_utc(e.updated_at) for e in events), default=as_utc(fallback))
    return hashlib.sha256(body).hexdigest()[:32], modified.replace(microsecond=0)


#: Bump when ``render_calendar`` changes what it writes, so that old ETags stop matching.
RENDER_VERSION = "1"
_RENDERED: OrderedDict[str, bytes] = OrderedDict()
_RENDERED_LOCK = threading.Lock()
RENDER_CACHE_SIZE = 64


def feed_fingerprint(events: Sequence[FeedEvent], *, name: str, timezone: str) -> str:
    """The feed's ETag, from what the feed says rather than from its rendered text: the
    rendering is deterministic, so equal events give an equal body. A conditional GET can
    then answer 304 without rendering at all (rendering 1,000 events takes seconds)."""
    digest = hashlib.sha256(f"{RENDER_VERSION}|{name}|{timezone}".encode())
    for e in events:
        digest.update(f"\n{e.uid}|{e.starts_at.isoformat()}|{e.ends_at.isoformat()}|"
                      f"{e.summary}|{e.sequence}|{as_utc(e.updated_at).isoformat()}|"
                      f"{e.cancelled}|{e.all_day}|{e.description}".encode())
    return digest.hexdigest()[:32]


def render_calendar_cached(events: Sequence[FeedEvent], *, fingerprint: str, name: str,
                           timezone: str) -> bytes:
    """``render_calendar``, remembered per process for the last feeds asked for (by their
    fingerprint): calendar apps poll, and most polls find nothing changed."""
    with _RENDERED_LOCK:
        body = _RENDERED.get(fingerprint)
        if body is not None:
            _RENDERED.move_to_end(fingerprint)
            return body
    body = render_calendar(events, name=name, timezone=timezone)
    with _RENDERED_LOCK:
        _RENDERED[fingerprint] = body
        while len(_RENDERED) > RENDER_CACHE_SIZE:
            _RENDERED.popitem(last=False)
    return body


# -- import ----------------------------------------------------------------------------


def _as_aware(value: date | datetime, tz, *, end: bool = False) -> datetime:
    if isinstance(value, datetime):
        return as_utc(value if value.tzinfo else value.replace(tzinfo=tz))
    return as_utc(datetime.combine(value, time(), tzinfo=tz))


def parse_busy(content: bytes, *, start: datetime, end: datetime,
               timezone: str) -> list[tuple[datetime, datetime]]:
    """Busy intervals in [start, end) from an iCalendar file. Floating times and all-day
    events are read in ``timezone``; free (TRANSP:TRANSPARENT) and cancelled events are
    skipped. Raises InvalidCalendar saying why, and then nothing is imported."""
    if len(content) > MAX_ICS_BYTES:
        raise InvalidCalendar(_("The calendar file is larger than 1 MB. Nothing was "
                                "imported."))
    if not content.lstrip().upper().startswith(b"BEGIN:VCALENDAR"):
        raise InvalidCalendar(_("This is not an iCalendar (.ics) file. Nothing was "
                                "imported."))
    tz = zone(timezone)
    try:
        calendar = icalendar.Calendar.from_ical(content)
        intervals = []
        for event in recurring_ical_events.of(calendar).after(start):
            begins = event.get("DTSTART")
            if begins is None:
                continue
            event_start = _as_aware(begins.dt, tz)
            if event_start >= end:
                break
            if len(intervals) >= MAX_IMPORTED_EVENTS:
                raise InvalidCalendar(_(
                    "The calendar has more than %(count)s events in the next %(days)s "
                    "days. Nothing was imported.", count=MAX_IMPORTED_EVENTS,
                    days=IMPORT_DAYS))
            if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT" or str(
                    event.get("STATUS", "")).upper() == "CANCELLED":
                continue
            finishes = event.get("DTEND")
            if finishes is not None:
                event_end = _as_aware(finishes.dt, tz)
            elif event.get("DURATION") is not None:
                event_end = event_start + event["DURATION"].dt
            elif not isinstance(begins.dt, datetime):
                event_end = event_start + timedelta(days=1)
            else:
                continue
            if event_end > event_start:
                intervals.append((max(event_start, start), min(event_end, end)))
    except InvalidCalendar:
        raise
    except Exception as exc:  # a hostile or broken file may fail anywhere in parsing
        raise InvalidCalendar(_(
            "The calendar file could not be read (%(reason)s). Nothing was imported.",
            reason=type(exc).__name__)) from exc
    return [(s, e) for s, e in intervals if s < e]


def import_busy_time(practitioner: Practitioner, *, actor: User, content: bytes,
                     source: str, now: datetime) -> int:
    """Replace the busy time imported from ``source`` with what the file holds for the
    next 90 days. Raises NotFound, Forbidden, InvalidCalendar. Returns how many."""
    require(actor, Action.MANAGE_SCHEDULE, practitioner)
    intervals = parse_busy(content, start=now, end=now + timedelta(days=IMPORT_DAYS),
                           timezone=practitioner.provider.park.timezone)
    _replace_busy(practitioner, intervals, source=source or "upload.ics", now=now)
    db.session.flush()
    return len(intervals)


# -- subscribed calendars (fetched by the worker) --------------------------------------

Fetch = Callable[[str], bytes]


def set_busy_calendar(practitioner: Practitioner, url: str | None, *, actor: User) -> None:
    """Subscribe to (or, with no URL, stop following) the practitioner's own calendar.
    Only http(s) URLs to public hosts. Raises NotFound, Forbidden, InvalidInput."""
    require(actor, Action.MANAGE_SCHEDULE, practitioner)
    url = (url or "").strip()
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://"):]
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
            raise InvalidInput(fields={"busy_calendar_url": _(
                "Give the calendar's http(s) address.")})
    previous = practitioner.busy_calendar_url
    if previous and previous != url:
        db.session.execute(delete(BusyTime).where(
            BusyTime.practitioner_id == practitioner.id, BusyTime.source == previous[-200:]))
    practitioner.busy_calendar_url = url or None
    practitioner.busy_calendar_error = ""
    db.session.flush()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect could lead to an address the check below did not see: refuse them."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def fetch_calendar(url: str, *, timeout: float = 10.0) -> bytes:
    """GET a public calendar, at most MAX_ICS_BYTES. Raises InvalidCalendar.

    Hosts that resolve to private, loopback or link-local addresses are refused, so that a
    subscription cannot be used to reach the park's internal network.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidCalendar(_("Give the calendar's http(s) address."))
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise InvalidCalendar(_("The calendar's address could not be reached.")) from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise InvalidCalendar(_("The calendar's address could not be reached."))
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, headers={"User-Agent": "ParkWell calendar sync"})
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=timeout) as response:
            body = response.read(MAX_ICS_BYTES + 1)
    except (OSError, ValueError) as exc:
        raise InvalidCalendar(_("The calendar's address could not be reached.")) from exc
    return body


def sync_busy_calendars(*, now: datetime, fetch: Fetch = fetch_calendar,
                        progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """The worker's job: re-import every subscribed calendar. A calendar that fails keeps
    what it imported before, and its error is shown to the practitioner. ``progress(n,
    total)`` is told as each calendar is done."""
    done = failed = 0
    subscribed = list(db.session.scalars(select(Practitioner).where(
        Practitioner.busy_calendar_url.is_not(None)).order_by(Practitioner.id)))
    for position, practitioner in enumerate(subscribed, start=1):
        if progress is not None and position > 1:
            progress(position - 1, len(subscribed))
        url = practitioner.busy_calendar_url or ""
        try:
            intervals = parse_busy(fetch(url), start=now, end=now + timedelta(days=IMPORT_DAYS),
                                   timezone=practitioner.provider.park.timezone)
        except InvalidCalendar as exc:
            practitioner.busy_calendar_error = str(exc.message)[:300]
            failed += 1
            continue
        _replace_busy(practitioner, intervals, source=url, now=now)
        practitioner.busy_calendar_synced_at = now
        practitioner.busy_calendar_error = ""
        done += 1
    if progress is not None and subscribed:
        progress(len(subscribed), len(subscribed))
    db.session.flush()
    return {"synced": done, "failed": failed}


def _replace_busy(practitioner: Practitioner, intervals, *, source: str,
                  now: datetime) -> None:
    source = source[-200:]
    db.session.execute(delete(BusyTime).where(BusyTime.practitioner_id == practitioner.id,
                                              BusyTime.source == source))
    db.session.add_all(BusyTime(practitioner_id=practitioner.id, starts_at=s, ends_at=e,
                                source=source, imported_at=now) for s, e in intervals)
