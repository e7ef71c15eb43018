"""The marketplace's refusals: reviews. The world's employee attended a booking they may
review (``world.reviewable``) and reviewed another (``world.review``)."""

from __future__ import annotations

from tests.refusals.harness import refusal

REFUSALS = [
    refusal("POST", "/bookings/<int:booking_id>/review", "employee", 409,
            "not attended (yet)", path=lambda w: f"/bookings/{w.booking.id}/review",
            body=lambda w: {"stars": "5", "text": "很好"}),
    refusal("POST", "/api/v1/bookings/<int:booking_id>/review", "employee", 409,
            "not attended (yet)", path=lambda w: f"/api/v1/bookings/{w.booking.id}/review",
            body=lambda w: {"stars": 5, "text": "好"}),
    refusal("POST", "/reviews/<int:review_id>/reply", "provider_owner", 302, "an empty reply",
            body=lambda w: {"text": ""}),
    refusal("POST", "/api/v1/reviews/<int:review_id>/reply", "provider_owner", 422,
            "an empty reply", body=lambda w: {"text": ""}),
    refusal("POST", "/reviews/<int:review_id>/hide", "committee", 302, "no reason",
            body=lambda w: {"reason": ""}),
    refusal("POST", "/api/v1/reviews/<int:review_id>/hide", "committee", 422, "no reason",
            body=lambda w: {"reason": ""}),
]

CANNOT_REFUSE: dict[tuple[str, str], str] = {}
