"""Text prevention adds to the booking engine's messages: a campaign check-up's preparation
(fasting, what to bring) in its confirmation and reminders, in the recipient's language."""

from __future__ import annotations

from flask_babel import gettext as _

from booking.models import Booking
from prevention.services import checkup_of_booking


def preparation_extra(booking: Booking, locale: str) -> str:
    checkup = checkup_of_booking(booking)
    if checkup is None:
        return ""
    campaign = checkup.campaign
    return "\n".join([
        _("Your package: %(package)s", package=checkup.package.name(locale)),
        _("How to prepare:"),
        campaign.preparation(locale)])
