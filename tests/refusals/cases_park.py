"""The park package's refusals.

The world's published event has two sessions; the employee is registered for the first
(``world.registration_id``) and holds a place of a paid event."""

from __future__ import annotations

from core.accounts.models import User
from core.clock import utcnow
from core.db import db
from park import registration, services
from park.models import EventSession, Registration
from tests.authz.harness import World
from tests.refusals.harness import refusal


def _user(w: World, actor: str) -> User:
    return db.session.get(User, w.users[actor].id)


def registration_cancelled(w: World) -> None:
    registration.cancel_registration(db.session.get(Registration, w.registration_id),
                                     actor=_user(w, "employee"), now=utcnow())


def open_session_cancelled(w: World) -> None:
    services.cancel_session(db.session.get(EventSession, w.park_open_session_id),
                            actor=_user(w, "committee"), reason="", now=utcnow())


REFUSALS = [
    refusal("POST", "/registrations/<int:registration_id>/cancel", "employee", 302,
            "already cancelled", arrange=registration_cancelled),
    refusal("POST", "/api/v1/registrations/<int:registration_id>/cancel", "employee", 409,
            "already cancelled", arrange=registration_cancelled, body=lambda w: {}),
    refusal("POST", "/registrations/<int:registration_id>/accept", "employee", 302,
            "nothing is on offer"),
    refusal("POST", "/api/v1/sessions/<int:session_id>/registrations", "employee", 409,
            "already registered for this session",
            path=lambda w: f"/api/v1/sessions/{w.park_session_id}/registrations",
            body=lambda w: {}),
    refusal("POST", "/api/v1/parks/<int:park_id>/events", "committee", 422,
            "registration closes before it opens",
            body=lambda w: {"title_zh": "讲座", "title_en": "Talk", "kind": "talk",
                            "registration_opens_at": "2026-01-02T00:00:00+08:00",
                            "registration_closes_at": "2026-01-01T00:00:00+08:00"}),
    refusal("PATCH", "/api/v1/events/<int:event_id>", "committee", 409,
            "the price changes only while a draft (the title sent with it is not saved)",
            path=lambda w: f"/api/v1/events/{w.park_event_id}",
            body=lambda w: {"title_en": "Renamed", "price_minor": 100}),
    refusal("POST", "/api/v1/parks/<int:park_id>/announcements", "committee", 422,
            "about an event that is not the park's",
            body=lambda w: {"title": "x", "body": "y", "event_id": 2**31 - 1}),
    refusal("POST", "/api/v1/sessions/<int:session_id>/cancel", "committee", 409,
            "already cancelled", arrange=open_session_cancelled,
            body=lambda w: {"reason": "again"}),
]

CANNOT_REFUSE: dict[tuple[str, str], str] = {
    ("POST", "/park/events/<int:event_id>/cover/remove"):
        "removing a cover that is not there is not an error; only authorisation refuses",
    ("DELETE", "/api/v1/events/<int:event_id>/cover"):
        "removing a cover that is not there is not an error; only authorisation refuses",
}
