"""Attendance and satisfaction by event and by kind, as rows for the page, the charts
(inline SVG, drawn here so that no chart library or script is needed) and the CSV export."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask_babel import format_decimal, format_percent
from markupsafe import Markup
from sqlalchemy import func, select

from core import charts
from core.accounts.models import Park
from core.db import db
from park.checkin import attendance
from park.models import (
    Event,
    EventKind,
    EventSession,
    EventStatus,
    Feedback,
    Registration,
    RegistrationStatus,
)


@dataclass(frozen=True)
class Row:
    label: str
    kind: EventKind
    capacity: int
    registered: int
    checked_in: int
    ratings: int
    rating_sum: int

    @property
    def attendance_rate(self) -> float:
        return self.checked_in / self.registered if self.registered else 0.0

    @property
    def average_rating(self) -> float | None:
        return self.rating_sum / self.ratings if self.ratings else None


def by_event(park: Park, locale: str) -> list[Row]:
    """Every published or completed event of the park, newest first (four queries)."""
    events = list(db.session.scalars(select(Event).where(
        Event.park_id == park.id,
        Event.status.in_([EventStatus.PUBLISHED, EventStatus.COMPLETED]))
        .order_by(Event.created_at.desc(), Event.id.desc()).limit(500)))
    ids = [e.id for e in events]
    if not ids:
        return []
    capacity = dict(db.session.execute(select(EventSession.event_id, func.sum(
        EventSession.capacity)).where(EventSession.event_id.in_(ids),
                                      EventSession.cancelled_at.is_(None))  # none offered
        .group_by(EventSession.event_id)).all())
    counts = {row[0]: (row[1], row[2]) for row in db.session.execute(select(
        EventSession.event_id, func.count(Registration.id), func.count(Registration.checked_in_at))
        .join(Registration, Registration.session_id == EventSession.id)
        .where(EventSession.event_id.in_(ids),
               Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(EventSession.event_id)).all()}
    ratings = {row[0]: (row[1], row[2]) for row in db.session.execute(select(
        Feedback.event_id, func.count(Feedback.id), func.sum(Feedback.rating))
        .where(Feedback.event_id.in_(ids)).group_by(Feedback.event_id)).all()}
    return [Row(label=e.title(locale), kind=e.kind, capacity=int(capacity.get(e.id) or 0),
                registered=counts.get(e.id, (0, 0))[0], checked_in=counts.get(e.id, (0, 0))[1],
                ratings=ratings.get(e.id, (0, 0))[0],
                rating_sum=int(ratings.get(e.id, (0, 0))[1] or 0)) for e in events]


def by_kind(rows: list[Row]) -> list[Row]:
    totals: dict[EventKind, list[int]] = {}
    for row in rows:
        t = totals.setdefault(row.kind, [0, 0, 0, 0, 0])
        for i, value in enumerate((row.capacity, row.registered, row.checked_in, row.ratings,
                                   row.rating_sum)):
            t[i] += value
    return [Row(label=kind.label, kind=kind, capacity=t[0], registered=t[1], checked_in=t[2],
                ratings=t[3], rating_sum=t[4]) for kind, t in totals.items()]


def bar_chart(items: list[tuple[str, float]], *, maximum: float, title: str, chart_id: str,
              description: str, axis_label: str, percent: bool = True) -> Markup | None:
    """Horizontal bars by kind (core's accessible chart): rates as Babel percentages of
    each kind's own registrations, ratings on their 1–5 scale."""
    def fmt(value: float) -> str:
        return format_percent(value) if percent else format_decimal(round(value, 1))
    return charts.bar_chart([charts.Bar(label, value, fmt(value)) for label, value in items],
                            maximum=maximum, chart_id=chart_id, title=title,
                            description=description, axis_label=axis_label, tick=fmt)


def to_csv(rows: list[Row], headers: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for r in rows:
        writer.writerow([_safe(r.label), str(r.kind.label), r.capacity, r.registered, r.checked_in,
                         f"{r.attendance_rate:.2f}", r.ratings,
                         "" if r.average_rating is None else f"{r.average_rating:.2f}"])
    return "\ufeff" + out.getvalue()  # a BOM, so that Excel reads the Chinese as UTF-8


def _safe(text: str) -> str:
    """Neutralise spreadsheet formulas in user-entered text (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@dataclass(frozen=True)
class EventAnalytics:
    """One event's attendance, session by session, and its ratings."""

    row: Row
    sessions: list  #: (session, checkin.Attendance) pairs


def for_event(event: Event, locale: str) -> EventAnalytics:
    from_sessions = [(s, attendance(s)) for s in event.sessions]
    live = [(s, a) for s, a in from_sessions if not s.is_cancelled]
    ratings = db.session.execute(select(func.count(Feedback.id), func.sum(Feedback.rating))
                                 .where(Feedback.event_id == event.id)).one()
    row = Row(label=event.title(locale), kind=event.kind,
              capacity=sum(s.capacity for s, _a in live),
              registered=sum(a.registered for _s, a in from_sessions),
              checked_in=sum(a.checked_in for _s, a in from_sessions),
              ratings=int(ratings[0] or 0), rating_sum=int(ratings[1] or 0))
    return EventAnalytics(row=row, sessions=from_sessions)
