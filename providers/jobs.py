"""The providers' periodic jobs, run by the worker (``core.jobs.periodic``): licence expiry
(reminders 30 days ahead, delisting on expiry) and the busy-time sync of subscribed
practitioner calendars. ``flask providers-daily`` and ``flask providers-sync-calendars``
run the same jobs by hand."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from core.jobs import periodic
from providers import feeds, verification


def licence_expiry(now: datetime) -> int:
    counts = verification.expire_credentials(now=now)
    return counts["reminded"] + counts["expired"]


def calendar_sync(now: datetime) -> int:
    return feeds.sync_busy_calendars(now=now)["synced"]


def init_app(app: Flask) -> None:
    periodic.register(app, "licence_expiry", licence_expiry,
                      setting="JOB_LICENCE_EXPIRY_SECONDS", default_seconds=3600)
    periodic.register(app, "calendar_sync", calendar_sync,
                      setting="JOB_CALENDAR_SYNC_SECONDS", default_seconds=900)
