"""The booking package's refusals.

The world's employee holds ``world.booking``, has a series, and waits for a place that
someone else holds (``world.waitlist_entry``)."""

from __future__ import annotations

from sqlalchemy import select

from booking import services
from booking.models import Booking, BookingStatus, WaitlistEntry, WaitlistStatus
from core.clock import utcnow
from core.db import db
from tests.authz.harness import World
from tests.booking.factories import slot_at
from tests.refusals.harness import refusal


def offer_whose_place_is_gone(w: World) -> None:
    """The holder of the place the employee waits for cancels, so the employee is offered
    it (a held booking); then the place is taken by someone else before they accept (a
    second live booking at the same time, as a race or a phone booking would leave)."""
    entry = db.session.get(WaitlistEntry, w.waitlist_entry.id)
    held = db.session.scalar(select(Booking).where(
        Booking.service_id == entry.service_id, Booking.starts_at == entry.starts_at,
        Booking.status.in_((BookingStatus.HELD, BookingStatus.CONFIRMED)),
        Booking.client_id != entry.client_id))
    services.cancel_booking(held, actor=held.client, now=utcnow())
    db.session.flush()
    db.session.refresh(entry)
    assert entry.status is WaitlistStatus.OFFERED
    offered = entry.offer_booking
    db.session.add(Booking(**{
        c.name: getattr(offered, c.name) for c in Booking.__table__.columns
        if c.name not in ("id", "status", "client_id", "hold_expires_at")},
        client_id=held.client_id, status=BookingStatus.CONFIRMED))
    db.session.flush()


def waitlist_left(w: World) -> None:
    db.session.get(WaitlistEntry, w.waitlist_entry.id).status = WaitlistStatus.LEFT


def _series_with_a_taken_occurrence(w: World) -> dict:
    """A free time, then the time someone else holds: all or nothing refuses both."""
    now = utcnow()
    return {"practitioner_id": w.booking.practitioner_id,
            "starts": [slot_at(now, 5, 12).isoformat(), slot_at(now, 8, 12).isoformat()]}


REFUSALS = [
    refusal("POST", "/waitlist/<int:entry_id>/accept", "employee", 302,
            "nothing is on offer yet"),
    refusal("POST", "/waitlist/<int:entry_id>/accept", "employee", 302,
            "the offered place was taken meanwhile (the offer stays open, its hold kept)",
            arrange=offer_whose_place_is_gone),
    refusal("POST", "/api/v1/waitlist/<int:entry_id>/accept", "employee", 409,
            "the offered place was taken meanwhile", arrange=offer_whose_place_is_gone,
            body=lambda w: {}),
    refusal("POST", "/waitlist/<int:entry_id>/leave", "employee", 302,
            "already left", arrange=waitlist_left),
    refusal("POST", "/api/v1/waitlist/<int:entry_id>/leave", "employee", 409,
            "already left", arrange=waitlist_left, body=lambda w: {}),
    refusal("POST", "/services/<int:service_id>/series", "employee", 302,
            "nothing chosen", body=lambda w: {}),
    refusal("POST", "/services/<int:service_id>/series", "employee", 302,
            "one occurrence is taken: all or nothing, so none is held",
            path=lambda w: f"/services/{w.booking.service_id}/series",
            body=_series_with_a_taken_occurrence),
    refusal("POST", "/api/v1/series/<int:series_id>/cancel", "employee", 422,
            "a reason longer than 500 characters", body=lambda w: {"reason": "x" * 501}),
    refusal("POST", "/bookings/<int:booking_id>/share", "employee", 422,
            "not a field this booking may share", body=lambda w: {"share": "salary"}),
    refusal("POST", "/api/v1/bookings/<int:booking_id>/share", "employee", 422,
            "not a field this booking may share", body=lambda w: {"share": ["salary"]}),
]

CANNOT_REFUSE: dict[tuple[str, str], str] = {
    ("POST", "/bookings/calendar-feed"): "always issues a new address (replacing the old)",
    ("POST", "/bookings/calendar-feed/revoke"): "revoking no address is not an error",
    ("POST", "/api/v1/me/calendar-feed"): "always issues a new address (replacing the old)",
    ("DELETE", "/api/v1/me/calendar-feed"): "revoking no address is not an error",
    ("POST", "/series/<int:series_id>/cancel"):
        "cancels what has not started; only authorisation refuses it (the matrix's 404)",
}
