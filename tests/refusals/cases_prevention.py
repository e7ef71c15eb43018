"""The prevention package's refusals.

The world's enterprise runs an open check-up campaign; the employee has booked a check-up
in it and consented to receive the results."""

from __future__ import annotations

from datetime import timedelta

from booking import services as booking_services
from core.accounts.models import User
from core.clock import utcnow
from core.db import db
from core.i18n import park_today
from prevention import services
from prevention.models import Campaign, CampaignCheckup, CampaignPackage
from tests.authz.harness import World
from tests.authz.matrix_prevention import _campaign_body
from tests.refusals.harness import refusal


def campaign_closed(w: World) -> None:
    services.close_campaign(db.session.get(Campaign, w.campaign_id),
                            actor=db.session.get(User, w.users["enterprise_admin"].id))


def results_received(w: World) -> None:
    db.session.get(CampaignCheckup, w.campaign_checkup_id).results_received_at = utcnow()


def checkup_cancelled_and_package_unaffordable(w: World) -> None:
    """The employee cancelled their check-up, and the package now costs more than the
    programme holds: booking again holds a time and writes the check-up before the payment
    from the enterprise's pot is refused."""
    checkup = db.session.get(CampaignCheckup, w.campaign_checkup_id)
    booking_services.cancel_booking(checkup.booking,
                                    actor=db.session.get(User, w.users["employee"].id),
                                    now=utcnow())
    db.session.get(CampaignPackage, w.campaign_package_id).price_minor = 5_000_000


def _ends_before_it_starts(w: World) -> dict:
    body = _campaign_body(w)
    body["ends_on"] = (park_today() - timedelta(days=1)).isoformat()
    return body


REFUSALS = [
    refusal("POST", "/me/checkups/campaigns/<int:campaign_id>/book", "employee", 409,
            "the enterprise's pot cannot pay: no time held, no check-up written",
            arrange=checkup_cancelled_and_package_unaffordable,
            body=lambda w: {"package_id": str(w.campaign_package_id), "dependant_id": "0",
                            "slot": f"{w.prevention_practitioner_id}|{w.campaign_other_slot}"}),
    refusal("POST", "/api/v1/me/checkup-campaigns/<int:campaign_id>/bookings", "employee",
            409, "the enterprise's pot cannot pay: no time held, no check-up written",
            arrange=checkup_cancelled_and_package_unaffordable,
            body=lambda w: {"package_id": w.campaign_package_id,
                            "practitioner_id": w.prevention_practitioner_id,
                            "starts_at": w.campaign_other_slot}),
    refusal("POST", "/campaigns/<int:campaign_id>/nudge", "enterprise_admin", 409,
            "the campaign is closed", arrange=campaign_closed, body=lambda w: {}),
    refusal("POST", "/api/v1/campaigns/<int:campaign_id>/nudges", "enterprise_admin", 409,
            "the campaign is closed", arrange=campaign_closed, body=lambda w: {}),
    refusal("POST", "/me/checkups/<int:checkup_id>/consent", "employee", 409,
            "the results are in already", arrange=results_received, body=lambda w: {}),
    refusal("PUT", "/api/v1/me/checkups/<int:checkup_id>/consent", "employee", 409,
            "the results are in already", arrange=results_received,
            body=lambda w: {"results_consent": False}),
    refusal("POST", "/api/v1/enterprises/<int:enterprise_id>/campaigns", "enterprise_admin",
            422, "it ends before it starts", body=_ends_before_it_starts),
]

CANNOT_REFUSE: dict[tuple[str, str], str] = {
    ("POST", "/campaigns/<int:campaign_id>/close"):
        "closing a closed campaign changes nothing; only authorisation refuses it",
    ("POST", "/api/v1/campaigns/<int:campaign_id>/close"):
        "closing a closed campaign changes nothing; only authorisation refuses it",
}
