"""What each concurrent client does: one booking attempt in its own session and transaction.

Kept apart from the test modules so that a spawned process imports only the app (not the
test factories, whose import hashes a password), and starts in about a second.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from booking import services
from booking.errors import SlotFull
from core.accounts.models import User
from core.clock import utcnow
from core.db import db
from marketplace import create_app
from providers.models import Service


def attempt(service_id: int, practitioner_id: int, starts_at: datetime, user_id: int) -> str:
    """One booking attempt in the caller's app context: "booked", "full" or "error: ..."."""
    try:
        service = db.session.get(Service, service_id)
        user = db.session.get(User, user_id)
        services.hold_slot(service, practitioner_id=practitioner_id, starts_at=starts_at,
                           actor=user, now=utcnow())
        db.session.commit()
        return "booked"
    except SlotFull:
        db.session.rollback()
        return "full"
    except Exception as exc:  # reported, so that the test shows what went wrong
        db.session.rollback()
        return f"error: {exc!r}"
    finally:
        db.session.remove()


def process_worker(config: dict, service_id: int, practitioner_id: int, starts_at: str,
                   user_ids: list[int], threads: int, start, queue) -> None:
    """A separate process with its own app and engine, attempting with a few threads."""
    app = create_app(config)
    when = datetime.fromisoformat(starts_at)
    start.wait(timeout=30)

    def run(user_id: int) -> str:
        with app.app_context():
            return attempt(service_id, practitioner_id, when, user_id)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(run, user_ids))
    with app.app_context():
        db.engine.dispose()
    queue.put(results)
    queue.close()
    queue.join_thread()
    # The work is done and reported: skip the interpreter's slow teardown of the app.
    os._exit(0)
