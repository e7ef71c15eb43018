"""The one source of the current time. Always aware, always UTC.

Services take ``now`` as an argument; only the edges (views, CLI, jobs) call ``utcnow``.

"Today" is always a park's: ``today_in(park)`` is the date in the park's own zone
(``Park.timezone``), or, where no park is at hand (an employee's budget, the catalogue, a
job over every park), in the platform's default zone, ``PARK_TIMEZONE``. Both are
``Asia/Shanghai`` unless set otherwise, so the two agree in a single-park installation.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

#: The zone when neither the park nor the configuration names one.
DEFAULT_ZONE = "Asia/Shanghai"


class HasTimezone(Protocol):
    timezone: str


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Attach UTC to a naive value read back from SQLite; convert aware values."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_zone(value: datetime, zone: str) -> datetime:
    return as_utc(value).astimezone(ZoneInfo(zone))


def zone_of(park: HasTimezone | None = None) -> str:
    """The zone a park's days are counted in: its own, else ``PARK_TIMEZONE``."""
    if park is not None and park.timezone:
        return park.timezone
    if has_app_context():
        return current_app.config.get("PARK_TIMEZONE") or DEFAULT_ZONE
    return DEFAULT_ZONE


def today_in(park: HasTimezone | None = None, *, now: datetime | None = None) -> date:
    """The date in ``park``'s zone at ``now`` (default: this instant); without a park, in
    the default zone. A Shanghai day starts eight hours before UTC's."""
    return to_zone(now or utcnow(), zone_of(park)).date()
