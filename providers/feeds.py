"""Calendar feeds (iCalendar, RFC 5545) out, and busy time in.

Out: per practitioner and per provider, a feed at a secret URL (only the token's SHA-256 is
stored; issuing a new one revokes the old). Events come from the schedule's exceptions
(time off, extra hours; withdrawn ones as STATUS:CANCELLED with SEQUENCE raised) and from
the sources other packages register (the booking package's bookings) with
``register_feed_source``. Output is deterministic (DTSTAMP is the event's last change), and
its ETag comes from ``core.freshness`` counters that move with every row the feed shows
(``feed_key``): a calendar app's poll that finds nothing changed reads one row of counters,
no event.

In: an uploaded .ics (or a subscribed URL's body, fetched by the worker) is expanded with
``recurring-ical-events`` (RRULE, EXDATE, RECURRENCE-ID) into busy intervals over the
next 90 days only: a series with no end that started long ago (an hourly reminder since
2000) is first moved forward by whole periods to just before the window, so that its
expansion costs what the window holds, not what the years before it held
(``_start_series_near``). It is all or nothing: a file that cannot be read imports
nothing. An upload from the schedule page is a background job (``busy_import``, see
``core.jobs``) whose progress is how far into the 90 days the reading has got.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import secrets
import socket
import threading
import urllib.request
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

import icalendar
import recurring_ical_events
from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, inspect, select
from sqlalchemy.orm import Session, joinedload

from core import freshness
from core.accounts.models import ProviderOrganisation, User
from core.clock import as_utc
from core.db import Model, db
from core.errors import InvalidInput, NotFound
from core.jobs import services as jobs
from core.jobs.models import Job
from core.policy import Action, require
from providers.errors import InvalidCalendar
from providers.models import (
    BusyTime,
    ExceptionKind,
    Practitioner,
    ProviderProfile,
    ScheduleException,
    Service,
)
from providers.schedule import zone

PRODID = "-//ParkWell//Providers//EN"
FEED_DAYS_BACK = 30
MAX_ICS_BYTES = 1_000_000
MAX_IMPORTED_EVENTS = 2000
IMPORT_DAYS = 90
IMPORT_KIND = "busy_import"


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


def register_feed_source(app: Flask, source: FeedSource,
                         rows: type[Model] | None = None) -> None:
    """``source(practitioner_ids, since)`` gives the events of those practitioners that end
    after ``since`` (cancelled ones too, so that calendars remove them).

    ``rows``, if given, is the model the events are made of (with a ``practitioner_id``),
    and everything else an event shows is its own columns or a service's: every write of
    one moves its practitioner's ``feed_key``, and a poll is answered from the counters
    without reading the events. A source without ``rows`` is read and hashed on every
    poll."""
    app.extensions.setdefault(_SOURCES_KEY, []).append((source, rows))
    if rows is not None:
        _count_feed_rows(rows)


def _sources() -> list[tuple[FeedSource, type[Model] | None]]:
    return current_app.extensions.get(_SOURCES_KEY, [])


# -- what moves a feed's version ---------------------------------------------------------

#: Any feed's rows written by a bulk statement (rows unknown): every feed's version.
FEEDS = "feeds"


def feed_key(practitioner_id: int) -> str:
    """Practitioner ``id``'s calendar feed: any of its rows (bookings, exceptions, …)."""
    return f"f:{practitioner_id}"


def provider_feed_key(provider_id: int) -> str:
    """The services of provider ``id``, whose titles name the bookings in its feeds."""
    return f"fp:{provider_id}"


#: The models whose rows are a feed's events (``register_feed_source(rows=…)``).
_COUNTED_ROWS: set[type] = {ScheduleException}


def _count_feed_rows(model: type[Model]) -> None:
    _COUNTED_ROWS.add(model)
    freshness.watch(_stale_feeds, bulk={model.__table__.name: FEEDS})


#: What a feed shows of a service: a booking's summary is its title.
_SERVICE_SHOWN = ("title_zh", "title_en")


def _stale_feeds(session: Session) -> set[str]:
    """The feed counters that this flush makes stale: any column of a feed's row (its
    ``updated_at`` is the event's DTSTAMP), its practitioner's before and after a move, and
    a service's title."""
    keys: set[str] = set()
    for obj in (*session.new, *session.deleted):
        if type(obj) in _COUNTED_ROWS:
            keys |= {feed_key(p) for p in freshness.old_and_new(obj, "practitioner_id")}
    for obj in session.dirty:
        if type(obj) in _COUNTED_ROWS and session.is_modified(obj):
            keys |= {feed_key(p) for p in freshness.old_and_new(obj, "practitioner_id")}
        elif isinstance(obj, Service) and any(
                inspect(obj).attrs[name].history.has_changes() for name in _SERVICE_SHOWN):
            keys |= {provider_feed_key(p) for p in freshness.old_and_new(obj, "provider_id")}
    return keys


def install() -> None:
    """Let every write of a schedule exception or a service's title move the feed counters
    (``register_feed_source(rows=…)`` adds its own model). Called at app set-up."""
    freshness.watch(_stale_feeds, bulk={ScheduleException.__table__.name: FEEDS,
                                        Service.__table__.name: FEEDS})


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


#: A feed is named and written in its provider's park's language and zone: read with the
#: token, in the same statement.
_WITH_PARK = joinedload(ProviderOrganisation.park)


def practitioner_by_token(raw: str) -> Practitioner | None:
    if not raw or len(raw) > 100:
        return None
    return db.session.scalar(select(Practitioner).where(
        Practitioner.feed_token_hash == _digest(raw)).options(
        joinedload(Practitioner.provider).options(_WITH_PARK)))


def provider_by_token(raw: str) -> ProviderOrganisation | None:
    if not raw or len(raw) > 100:
        return None
    profile = db.session.scalar(select(ProviderProfile).where(
        ProviderProfile.feed_token_hash == _digest(raw)).options(
        joinedload(ProviderProfile.provider).options(_WITH_PARK)))
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


def feed_since(now: datetime) -> datetime:
    """Where a feed begins: ``FEED_DAYS_BACK`` days ago, from that day's start (UTC), so
    that the feed, and its ETag, change once a day as old events leave it, not each
    second."""
    return datetime.combine(as_utc(now).date() - timedelta(days=FEED_DAYS_BACK), time(),
                            tzinfo=UTC)


def feed_events(practitioners: Sequence[Practitioner], *, now: datetime, locale: str,
                unversioned: Sequence[FeedEvent] | None = None) -> list[FeedEvent]:
    """The feed's events. ``unversioned``: the events of the sources without ``rows``, as
    ``feed_version_of`` read them for the ETag (they are not read again)."""
    since = feed_since(now)
    if not practitioners:
        return []
    with force_locale(locale):
        names = {p.id: p.name(locale) for p in practitioners}
        events = _exception_events(practitioners, since, names)
        for source, rows in _sources():
            if rows is None and unversioned is not None:
                continue
            events.extend(source([p.id for p in practitioners], since))
    events.extend(unversioned or ())
    return sorted(events, key=lambda e: (e.starts_at, e.uid))


@dataclass(frozen=True, slots=True)
class FeedVersion:
    """A feed's ETag, and the events it had to read to make it (those of the sources
    without ``rows``), so that a body rendered for it does not read them twice."""

    etag: str
    unversioned: tuple[FeedEvent, ...]


def feed_version_of(practitioners: Sequence[Practitioner], *, provider_id: int,
                    now: datetime, locale: str, name: str, timezone: str) -> FeedVersion:
    """The feed's ETag without reading its events: what it is rendered with, where it
    begins, and the counters of its practitioners' rows and its provider's services, read
    in one statement with the database's epoch (written by migration 0029: a database made
    again starts its counters from nothing). Sources without ``rows`` are read and hashed.
    Equal ETags mean equal events; a write that changes nothing shown may change the ETag
    (one more download)."""
    since = feed_since(now)
    ids = sorted(p.id for p in practitioners)
    counters = freshness.versions([freshness.EPOCH, FEEDS, provider_feed_key(provider_id),
                                   *(feed_key(i) for i in ids)])
    unversioned: list[FeedEvent] = []
    read: list[str] = []
    with force_locale(locale):
        names = sorted((p.id, p.name(locale)) for p in practitioners)
        for source, rows in _sources() if ids else ():
            if rows is None:
                found = sorted(source(ids, since), key=lambda e: (e.starts_at, e.uid))
                unversioned.extend(found)
                read.append(_events_digest(found))
    digest = hashlib.sha256(f"{RENDER_VERSION}|{name}|{timezone}|{locale}|{since.date()}|"
                            f"{names!r}|{sorted(counters.items())!r}|{read!r}".encode())
    return FeedVersion(digest.hexdigest()[:32], tuple(unversioned))


def _event(item: FeedEvent, tz) -> icalendar.Event:
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
    return event


@functools.lru_cache(maxsize=64)
def _calendar_head(name: str, timezone: str, timed: bool) -> bytes:
    """The calendar's lines before its first VEVENT: its properties, and the VTIMEZONE
    when an event has a time of day (all times are written in ``timezone``)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", timezone)
    if timed:  # VTIMEZONE components go first, whatever the events' dates
        probe = datetime(2000, 1, 1, tzinfo=zone(timezone))
        calendar.add_component(_event(FeedEvent("probe", probe, probe, "", 0, probe),
                                      zone(timezone)))
        calendar.add_missing_timezones()
    text = calendar.to_ical()
    return text[:text.index(b"BEGIN:VEVENT")] if timed else text[:-len(_END)]


@functools.lru_cache(maxsize=8192)
def _event_lines(item: FeedEvent, timezone: str) -> bytes:
    """One VEVENT as ``icalendar`` writes it inside a calendar, remembered: when one booking
    of a 1,000-event feed changes, the other 999 are not written again."""
    return _event(item, zone(timezone)).to_ical()


_END = b"END:VCALENDAR\r\n"


def render_calendar(events: Sequence[FeedEvent], *, name: str, timezone: str) -> bytes:
    """A VCALENDAR with a VTIMEZONE for every zone used; times in ``timezone``. Written
    piece by piece (the head once per feed, each event once), byte for byte what
    ``icalendar`` writes for the whole calendar (``tests/providers/test_feed_rendering.py``)."""
    timed = any(not item.all_day for item in events)
    return b"".join([_calendar_head(name, timezone, timed),
                     *(_event_lines(item, timezone) for item in events), _END])


#: Bump when ``render_calendar`` changes what it writes, so that old ETags stop matching.
RENDER_VERSION = "1"
_RENDERED: OrderedDict[str, RenderedCalendar] = OrderedDict()
_RENDERED_LOCK = threading.Lock()
_RENDERING: dict[str, threading.Lock] = {}
RENDER_CACHE_SIZE = 16


def _events_digest(events: Sequence[FeedEvent]) -> str:
    digest = hashlib.sha256()
    for e in events:
        digest.update(f"\n{e.uid}|{e.starts_at.isoformat()}|{e.ends_at.isoformat()}|"
                      f"{e.summary}|{e.sequence}|{as_utc(e.updated_at).isoformat()}|"
                      f"{e.cancelled}|{e.all_day}|{e.description}".encode())
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class RenderedCalendar:
    """A feed's body and when this process rendered it: its Last-Modified. A body is
    rendered only after the change that made its ETag, so a newer body always has a later
    Last-Modified (to the second), without reading when its events last changed."""

    body: bytes
    rendered_at: datetime


def remembered_calendar(fingerprint: str) -> RenderedCalendar | None:
    """The body rendered for this ETag in this process, if it is still remembered."""
    with _RENDERED_LOCK:
        found = _RENDERED.get(fingerprint)
        if found is not None:
            _RENDERED.move_to_end(fingerprint)
        return found


def calendar_body(fingerprint: str, events: Callable[[], Sequence[FeedEvent]], *, name: str,
                  timezone: str, now: datetime) -> RenderedCalendar:
    """The feed's body for this ETag (``feed_version_of``): remembered per process for the
    last feeds asked for, since calendar apps poll and most polls find nothing changed.
    On a miss, ``events()`` is read and rendered once, however many threads of this
    process ask for the same feed at the same moment."""
    found = remembered_calendar(fingerprint)
    if found is not None:
        return found
    with _RENDERED_LOCK:
        lock = _RENDERING.setdefault(fingerprint, threading.Lock())
    try:
        with lock:
            found = remembered_calendar(fingerprint)
            if found is None:
                found = RenderedCalendar(
                    render_calendar(events(), name=name, timezone=timezone),
                    as_utc(now).replace(microsecond=0))
                with _RENDERED_LOCK:
                    _RENDERED[fingerprint] = found
                    while len(_RENDERED) > RENDER_CACHE_SIZE:
                        _RENDERED.popitem(last=False)
    finally:
        with _RENDERED_LOCK:
            _RENDERING.pop(fingerprint, None)
    return found


# -- import ----------------------------------------------------------------------------


def _as_aware(value: date | datetime, tz, *, end: bool = False) -> datetime:
    if isinstance(value, datetime):
        return as_utc(value if value.tzinfo else value.replace(tzinfo=tz))
    return as_utc(datetime.combine(value, time(), tzinfo=tz))


def check_calendar_file(content: bytes) -> None:
    """The quick checks an upload gets before it is queued. Raises InvalidCalendar."""
    if len(content) > MAX_ICS_BYTES:
        raise InvalidCalendar(_("The calendar file is larger than 1 MB. Nothing was "
                                "imported."))
    if not content.lstrip().upper().startswith(b"BEGIN:VCALENDAR"):
        raise InvalidCalendar(_("This is not an iCalendar (.ics) file. Nothing was "
                                "imported."))


#: Rules whose occurrences repeat exactly every INTERVAL of these, whatever their BY parts:
#: moving DTSTART by whole periods keeps every occurrence after the new start.
_FIXED_PERIODS = {"SECONDLY": timedelta(seconds=1), "MINUTELY": timedelta(minutes=1),
                  "HOURLY": timedelta(hours=1), "DAILY": timedelta(days=1),
                  "WEEKLY": timedelta(weeks=1)}
#: How far before the window, besides one period, a moved series starts (local times and
#: daylight saving move by hours, never by a day).
_SERIES_LEAD = timedelta(days=1)


def _start_series_near(calendar: icalendar.Calendar, *, start: datetime, tz) -> None:
    """Move the DTSTART (and DTEND) of each long-running fixed-period series forward by
    whole periods to just before ``start``. Occurrences from the new start on are the
    same; only those long before the window, which were never imported, are not
    generated. A COUNT is reduced by the occurrences skipped (plain rules only: with BY
    parts the count per period is not fixed, and such a series is left as it is)."""
    for event in list(calendar.walk("VEVENT")):
        rule, begins = event.get("RRULE"), event.get("DTSTART")
        if rule is None or begins is None or event.get("RECURRENCE-ID") is not None:
            continue
        freq = str((rule.get("FREQ") or [""])[0]).upper()
        if freq not in _FIXED_PERIODS:
            continue  # monthly and yearly series are short whatever their age
        if not isinstance(begins.dt, datetime) and freq not in ("DAILY", "WEEKLY"):
            continue
        period = _FIXED_PERIODS[freq] * max(1, int((rule.get("INTERVAL") or [1])[0]))
        steps = (start - _SERIES_LEAD - period - _as_aware(begins.dt, tz)) // period
        if steps <= 0:
            continue
        if rule.get("COUNT"):
            if any(str(part).upper().startswith("BY") for part in rule):
                continue
            left = int(rule["COUNT"][0]) - steps
            if left <= 0:  # every occurrence is long over
                calendar.subcomponents.remove(event)
                continue
            rule["COUNT"] = [left]
        shift = period * steps
        for name in ("DTSTART", "DTEND"):
            prop = event.get(name)
            if prop is not None:
                params = dict(prop.params)
                event.pop(name)
                event.add(name, prop.dt + shift, parameters=params)


def parse_busy(content: bytes, *, start: datetime, end: datetime, timezone: str,
               progress: Callable[[int, int], None] | None = None
               ) -> list[tuple[datetime, datetime]]:
    """Busy intervals in [start, end) from an iCalendar file. Floating times and all-day
    events are read in ``timezone``; free (TRANSP:TRANSPARENT) and cancelled events are
    skipped. ``progress(days, total_days)`` is told how far into the window the reading
    has got (events come in order of time). Raises InvalidCalendar saying why, and then
    nothing is imported."""
    check_calendar_file(content)
    tz = zone(timezone)
    total_days = max(1, (end - start).days)
    try:
        calendar = icalendar.Calendar.from_ical(content)
        _start_series_near(calendar, start=start, tz=tz)
        intervals: list[tuple[datetime, datetime]] = []
        for event in recurring_ical_events.of(calendar).after(start):
            begins = event.get("DTSTART")
            if begins is None:
                continue
            event_start = _as_aware(begins.dt, tz)
            if event_start >= end:
                break
            if progress is not None:
                progress(min(total_days, max(0, (event_start - start).days)), total_days)
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
    if progress is not None:
        progress(total_days, total_days)
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


# -- an upload as a background job ------------------------------------------------------


def start_busy_import(practitioner: Practitioner, content: bytes, *, actor: User,
                      now: datetime, filename: str, locale: str) -> Job:
    """Queue the import of an uploaded calendar (after the quick checks). Raises NotFound,
    Forbidden, InvalidCalendar, JobAlreadyRunning."""
    require(actor, Action.MANAGE_SCHEDULE, practitioner)
    check_calendar_file(content)
    return jobs.submit(IMPORT_KIND, actor=actor, now=now, payload=content, locale=locale,
                       filename=filename or "upload.ics", provider_id=practitioner.provider_id,
                       subject_id=practitioner.id)


def run_busy_import_job(data: jobs.JobInput, progress: jobs.Progress) -> jobs.Outcome:
    """The worker's part: read the next 90 days of the calendar, then replace what the
    same file imported before. A file that cannot be read imports nothing."""
    practitioner = db.session.get(Practitioner, data.subject_id)
    if practitioner is None:
        raise NotFound()
    require(data.actor, Action.MANAGE_SCHEDULE, practitioner)

    def reading(days: int, total: int) -> None:
        if progress.name != "reading":
            progress.stage("reading", total)
        progress.advance(days)

    intervals = parse_busy(data.payload, start=data.now,
                           end=data.now + timedelta(days=IMPORT_DAYS),
                           timezone=practitioner.provider.park.timezone, progress=reading)
    progress.stage("saving", len(intervals))
    _replace_busy(practitioner, intervals, source=data.filename or "upload.ics", now=data.now)
    db.session.flush()
    progress.advance(len(intervals))
    return jobs.Outcome(counts={"imported": len(intervals)})


def may_see_busy_import(user: User, job: Job) -> None:
    """An upload is seen by whoever manages that practitioner's schedule."""
    practitioner = db.session.get(Practitioner, job.subject_id)
    if practitioner is None:
        raise NotFound()
    require(user, Action.MANAGE_SCHEDULE, practitioner)


BUSY_IMPORT_JOB = jobs.JobKind(
    name=IMPORT_KIND, run=run_busy_import_job, authorise=may_see_busy_import,
    stages={"reading": _l("Reading your calendar (days ahead)"),
            "saving": _l("Saving your busy times")})


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
