"""``Idempotency-Key`` for writes (bookings, park registrations): the same key and body
return the first answer; the same key with a different body is refused with 409.

The key is inserted first, in the request's own transaction (in a savepoint). A parallel
retry with the same key then waits on the unique index until the first request commits,
fails to insert, and replays the stored answer: at most one of them does the work. A write
that fails (a 4xx) rolls back with its key, so that the client may retry it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from core.accounts.models import User
from core.api.errors import IdempotencyConflict, InvalidIdempotencyKey
from core.api.models import IdempotencyRecord
from core.db import db, rows_affected
from core.jobs import periodic

MAX_KEY_LENGTH = 100
#: How long a key is remembered (clients retry within minutes; a day is generous).
KEEP_FOR = timedelta(days=1)


def fingerprint(operation: str, body: object) -> str:
    canonical = json.dumps({"op": operation, "body": body}, sort_keys=True, default=str,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidIdempotencyKey()
    return key


def run_once(user: User, key: str | None, *, operation: str, body: object, now: datetime,
             action: Callable[[], tuple[int, dict[str, Any]]]) -> tuple[int, dict[str, Any]]:
    """Run ``action`` (which returns a status and a JSON payload) once per key.
    Raises IdempotencyConflict, InvalidIdempotencyKey."""
    if key is None:
        return action()
    key = check_key(key)
    digest = fingerprint(operation, body)
    record = IdempotencyRecord(user_id=user.id, key=key, fingerprint=digest, created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        first = db.session.scalar(select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user.id, IdempotencyRecord.key == key))
        if first is None or first.fingerprint != digest or first.status_code is None:
            raise IdempotencyConflict() from None
        return first.status_code, dict(first.response or {})
    status, payload = action()
    record.status_code, record.response = status, payload
    db.session.flush()
    return status, payload


def init_app(app: Flask) -> None:
    """Keys are forgotten after a day, by the worker in every round."""
    periodic.register(app, "prune_idempotency_keys", lambda now: prune(now=now))


def prune(*, now: datetime) -> int:
    """Forget keys older than ``KEEP_FOR``. Returns how many."""
    result = db.session.execute(delete(IdempotencyRecord).where(
        IdempotencyRecord.created_at < now - KEEP_FOR))
    return rows_affected(result)
