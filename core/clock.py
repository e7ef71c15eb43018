"""The one source of the current time. Always aware, always UTC.

Services take ``now`` as an argument; only the edges (views, CLI, jobs) call ``utcnow``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Attach UTC to a naive value read back from SQLite; convert aware values."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_zone(value: datetime, zone: str) -> datetime:
    return as_utc(value).astimezone(ZoneInfo(zone))
