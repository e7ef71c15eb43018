"""The health package's refusals.

The world's employee has a check-up, a dependant, a consent for the world's provider, and a
care agreement in force with a plan, a home measurement and an alert (``matrix_care``)."""

from __future__ import annotations

from booking.models import Booking
from core.accounts.models import User
from core.clock import utcnow
from core.db import db
from health import sharing
from health.models import Consent
from tests.authz.harness import World
from tests.refusals.harness import refusal

H = "/me/health"
A = "/api/v1/me/health"


def booking_for_the_dependant(w: World) -> None:
    """A booking is for the employee's dependant: their records cannot go while it is."""
    db.session.get(Booking, w.booking.id).dependant_id = w.health_dependant.id


def consent_revoked(w: World) -> None:
    consent = db.session.get(Consent, w.health_consent.id)
    sharing.revoke_consent(db.session.get(User, consent.user_id), consent_id=consent.id,
                           now=utcnow())


REFUSALS = [
    # Deleting the profile tells the care package first (which deletes the plan,
    # measurements, messages and alerts); the refusal must take all of that back.
    refusal("POST", f"{H}/delete", "employee", 302,
            "a booking is for the dependant: nothing deleted, care data included",
            arrange=booking_for_the_dependant, body=lambda w: {"confirm": "y"}),
    refusal("DELETE", f"{A}/profile", "employee", 409,
            "a booking is for the dependant: nothing deleted, care data included",
            arrange=booking_for_the_dependant),
    refusal("POST", f"{H}/dependants/<int:dependant_id>/delete", "employee", 302,
            "a booking is for the dependant", arrange=booking_for_the_dependant),
    refusal("DELETE", f"{A}/dependants/<int:dependant_id>", "employee", 409,
            "a booking is for the dependant", arrange=booking_for_the_dependant),
    refusal("POST", f"{H}/profile", "employee", 422, "a birth year out of range",
            body=lambda w: {"birth_year": "1800"}),
    refusal("PUT", f"{A}/profile", "employee", 422, "a birth year out of range",
            body=lambda w: {"birth_year": 1800}),
    refusal("POST", f"{A}/checkups", "employee", 422, "a reading no body has",
            body=lambda w: {"measured_on": "2026-10-12",
                            "readings": {"weight": {"value": 9000}}}),
    refusal("POST", f"{A}/checkups/import", "employee", 422, "not JSON",
            body=lambda w: {"format": "json", "content": "{not json"}),
    refusal("POST", f"{A}/questionnaires", "employee", 422, "answers missing",
            body=lambda w: {"kind": "gad7", "answers": [0, 1]}),
    refusal("POST", f"{A}/dependants", "employee", 422, "born in the future",
            body=lambda w: {"name": "Grandma", "birth_date": "2999-02-01",
                            "relation": "parent"}),
    refusal("POST", f"{A}/consents", "employee", 422, "shared for no days",
            body=lambda w: {"provider_id": w.provider.id, "fields": ["body"], "days": 0}),
    refusal("POST", f"{A}/consents/<int:consent_id>/revoke", "employee", 409,
            "already revoked", arrange=consent_revoked),
    refusal("POST", f"{H}/sharing/<int:consent_id>/revoke", "employee", 409,
            "already revoked (the error page)", arrange=consent_revoked),
]

CANNOT_REFUSE: dict[tuple[str, str], str] = {
    ("POST", f"{H}/checkups/<int:checkup_id>/delete"):
        "deleting one's own check-up; only authorisation refuses it (the matrix's 403/404)",
    ("DELETE", f"{A}/checkups/<int:checkup_id>"):
        "deleting one's own check-up; only authorisation refuses it (the matrix's 403/404)",
}
