"""Writing and searching the audit log.

``record`` is what other code calls (``audit.record("budget.transfer", actor=..., ...)``);
most entries are written by the hooks in ``core.audit.hooks`` without the acting code
knowing. Where the request came from (address, user agent) is filled in by the origin
provider the web layer installs, so that services never touch the request.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context
from sqlalchemy import Select, delete, select, text

from core.accounts.models import User
from core.audit.models import PRUNE_SETTING, AuditEvent
from core.clock import utcnow
from core.db import db, rows_affected

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Origin:
    actor_id: int | None = None
    actor_role: str | None = None
    ip: str | None = None
    user_agent: str | None = None


_NO_ORIGIN = Origin()
_ORIGIN_KEY = "core.audit.origin_provider"


def set_origin_provider(app: Flask, provider: Callable[[], Origin]) -> None:
    """The web layer tells the app's log who is acting and from where."""
    app.extensions[_ORIGIN_KEY] = provider


def current_origin() -> Origin:
    """Who is acting, as the app's web layer says; nobody outside an app (a script)."""
    provider: Callable[[], Origin] | None = (
        current_app.extensions.get(_ORIGIN_KEY) if has_app_context() else None)
    return provider() if provider is not None else _NO_ORIGIN


_MAX_TEXT = 200


def clean_details(details: dict[str, Any] | None) -> dict[str, Any]:
    """Only short scalar values (and lists of them): ids, codes, counts. Anything else is
    dropped, so that nothing large or nested (such as a record's contents) gets in."""
    clean: dict[str, Any] = {}
    for key, value in (details or {}).items():
        if isinstance(value, bool | int | None):
            clean[str(key)] = value
        elif isinstance(value, str):
            clean[str(key)] = value[:_MAX_TEXT]
        elif isinstance(value, list | tuple) and all(isinstance(v, str | int) for v in value):
            clean[str(key)] = [v[:_MAX_TEXT] if isinstance(v, str) else v for v in value][:20]
    return clean


def event_row(action: str, *, actor: User | int | None = None, target_type: str | None = None,
              target_id: object | None = None, subject_user_id: int | None = None,
              details: dict[str, Any] | None = None, now: datetime | None = None,
              origin: Origin | None = None) -> dict[str, Any]:
    """The column values of one entry (for bulk inserts from the flush hook)."""
    origin = origin or current_origin()
    actor_id = actor if isinstance(actor, int) or actor is None else actor.id
    return {
        "occurred_at": now or utcnow(),
        "actor_id": actor_id if actor_id is not None else origin.actor_id,
        "actor_role": origin.actor_role if actor_id in (None, origin.actor_id) else None,
        "action": action[:64],
        "target_type": target_type,
        "target_id": None if target_id is None else str(target_id)[:64],
        "subject_user_id": subject_user_id,
        "ip": origin.ip,
        "user_agent": origin.user_agent,
        "details": clean_details(details),
    }


def record(action: str, **kwargs: Any) -> AuditEvent:
    """Add one entry to the current transaction (see ``event_row`` for the arguments)."""
    event = AuditEvent(**event_row(action, **kwargs))
    db.session.add(event)
    return event


# -- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    actor_id: int | None = None
    action: str | None = None  #: a code, or its prefix ending in "." (``auth.``)
    target_type: str | None = None
    target_id: str | None = None
    subject_user_id: int | None = None
    on_or_after: date | None = None  #: dates in the park's zone
    on_or_before: date | None = None


#: Dates outside these are clamped: the log has nothing from before, and the far ends of the
#: calendar cannot be turned into times in every zone.
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)


def _clamp(day: date | None) -> date | None:
    return None if day is None else min(max(day, EARLIEST), LATEST)


def _text(value: str | None) -> str | None:
    """Without NUL characters, which PostgreSQL refuses in text."""
    return None if value is None else value.replace("\x00", "")


def search(query: AuditFilter, *, zone: str) -> Select[Any]:
    """Newest first. Dates are whole days in ``zone``."""
    query = replace(query, on_or_after=_clamp(query.on_or_after),
                    on_or_before=_clamp(query.on_or_before), action=_text(query.action),
                    target_type=_text(query.target_type), target_id=_text(query.target_id))
    statement = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(),
                                            AuditEvent.id.desc())
    if query.actor_id is not None:
        statement = statement.where(AuditEvent.actor_id == query.actor_id)
    if query.action:
        if query.action.endswith("."):
            statement = statement.where(AuditEvent.action.startswith(query.action,
                                                                     autoescape=True))
        else:
            statement = statement.where(AuditEvent.action == query.action)
    if query.target_type:
        statement = statement.where(AuditEvent.target_type == query.target_type)
    if query.target_id:
        statement = statement.where(AuditEvent.target_id == query.target_id)
    if query.subject_user_id is not None:
        statement = statement.where(AuditEvent.subject_user_id == query.subject_user_id)
    tz = ZoneInfo(zone)
    if query.on_or_after:
        start = datetime.combine(query.on_or_after, time.min, tzinfo=tz)
        statement = statement.where(AuditEvent.occurred_at >= start)
    if query.on_or_before:
        end = datetime.combine(query.on_or_before + timedelta(days=1), time.min, tzinfo=tz)
        statement = statement.where(AuditEvent.occurred_at < end)
    return statement


def about_owner(user: User) -> Select[Any]:
    """What the owner may see: entries about their own account and data."""
    return search(AuditFilter(subject_user_id=user.id), zone="UTC")


# -- retention ----------------------------------------------------------------------------

#: China's Cybersecurity Law (art. 21) asks for network logs to be kept at least six months:
#: the retention command refuses anything shorter.
MIN_RETENTION_DAYS = 180
DEFAULT_RETENTION_DAYS = 400


class RetentionTooShort(ValueError):
    """Asked to prune entries younger than ``MIN_RETENTION_DAYS``."""


class ArchiveIncomplete(RuntimeError):
    """The entries to delete are not the ones archived: nothing is deleted."""


def archive_line(event: AuditEvent) -> str:
    """One entry as a line of JSON: every column, times in ISO 8601 UTC."""
    return json.dumps({
        "id": event.id, "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id, "actor_role": event.actor_role, "action": event.action,
        "target_type": event.target_type, "target_id": event.target_id,
        "subject_user_id": event.subject_user_id, "ip": event.ip,
        "user_agent": event.user_agent, "details": event.details or {}},
        ensure_ascii=False, sort_keys=True)


def prune(*, older_than_days: int, now: datetime,
          archive: Callable[[str], object] | None = None) -> int:
    """Delete the entries older than ``older_than_days`` and record, in the same
    transaction, that it was done and how many went (``audit.pruned``). Returns how many.
    With ``archive``, each entry is first handed to it as a line of JSON (oldest first), and
    nothing is deleted unless every deleted entry was archived.

    This is the one deliberate exception to the log being append-only. On PostgreSQL the
    trigger lets a DELETE through only while the transaction-local setting
    ``parkwell.audit_prune`` is ``on``: it is set (``SET LOCAL``) just before this one
    statement and turned off again just after, so nothing else in the transaction can
    delete, and it ends with the transaction whatever happens. The caller commits. Raises
    RetentionTooShort."""
    if older_than_days < MIN_RETENTION_DAYS:
        raise RetentionTooShort(f"entries must be kept at least {MIN_RETENTION_DAYS} days")
    before = now - timedelta(days=older_than_days)
    archived = 0
    if archive is not None:
        for event in db.session.scalars(select(AuditEvent).where(AuditEvent.occurred_at < before)
                                        .order_by(AuditEvent.id)
                                        .execution_options(yield_per=1000)):
            archive(archive_line(event) + "\n")
            archived += 1
    on_postgres = db.session.get_bind().dialect.name == "postgresql"
    allow = text("SELECT set_config(:name, :value, true)")  # true: SET LOCAL
    if on_postgres:
        db.session.execute(allow, {"name": PRUNE_SETTING, "value": "on"})
    count = rows_affected(db.session.execute(
        delete(AuditEvent).where(AuditEvent.occurred_at < before)
        .execution_options(synchronize_session=False)))
    if on_postgres:
        db.session.execute(allow, {"name": PRUNE_SETTING, "value": "off"})
    if archive is not None and archived != count:
        raise ArchiveIncomplete(f"archived {archived} entries but would delete {count}")
    record("audit.pruned", target_type="audit_log", now=now,
           details={"count": count, "older_than_days": older_than_days,
                    "before": before.isoformat(), "archived": archive is not None})
    log.info("audit log: pruned %s entries older than %s days (before %s)", count,
             older_than_days, before.isoformat())
    return count
