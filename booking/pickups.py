"""Authorised pick-up persons: who may collect the child (or elderly relative) a childcare
or elder-care booking serves. Captured when booking, checked here (a name, a relation and a
mobile number ``phonenumbers`` accepts, stored as E.164), kept encrypted with the booking,
and shown to the provider's staff on the day's list.

Childcare that hands children over only to authorised persons (``requires_authorised_pickup``
in its details, the default) needs at least one; elder care takes them when given; other
services take none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

import phonenumbers
from flask_babel import gettext as _

from booking.errors import InvalidPickup, PickupRequired
from booking.models import Booking, BookingPickup
from core.db import db
from providers.models import ProviderCategory, Service

MAX_PICKUPS = 3
NAME_MAX, RELATION_MAX = 60, 30


def takes_pickups(service: Service) -> bool:
    return service.category in (ProviderCategory.CHILDCARE, ProviderCategory.ELDERCARE)


def needs_pickup(service: Service) -> bool:
    return (service.category is ProviderCategory.CHILDCARE
            and bool((service.details or {}).get("requires_authorised_pickup", True)))


def normalise_phone(value: str) -> str | None:
    try:
        number = phonenumbers.parse((value or "").strip(), "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check_pickups(service: Service, people: Iterable[Mapping[str, str]]) -> list[dict]:
    """The pick-up persons given, normalised (blank rows left out). Raises PickupRequired
    when the service needs one and none is given, InvalidPickup (with the fields at fault)
    for a missing name or relation, a number that is not a valid mobile, too many persons,
    or persons given for a service that takes none."""
    rows = [{k: (str(p.get(k) or "")).strip() for k in ("name", "relation", "phone")}
            for p in people]
    rows = [r for r in rows if any(r.values())]
    if rows and not takes_pickups(service):
        raise InvalidPickup(_("This service does not take pick-up persons."))
    if len(rows) > MAX_PICKUPS:
        raise InvalidPickup(_("Name at most %(count)s pick-up persons.", count=MAX_PICKUPS))
    fields: dict[str, str] = {}
    result = []
    for index, row in enumerate(rows):
        if not row["name"] or len(row["name"]) > NAME_MAX:
            fields[f"pickups.{index}.name"] = _("Give the pick-up person's name.")
        if not row["relation"] or len(row["relation"]) > RELATION_MAX:
            fields[f"pickups.{index}.relation"] = _("Say how they are related (e.g. "
                                                    "grandmother).")
        phone = normalise_phone(row["phone"])
        if phone is None:
            fields[f"pickups.{index}.phone"] = _("Enter a valid mobile number.")
        result.append({"name": row["name"], "relation": row["relation"], "phone": phone})
    if fields:
        raise InvalidPickup(fields=fields)
    if not result and needs_pickup(service):
        raise PickupRequired()
    return result


def attach_pickups(booking: Booking, people: list[dict], *, now: datetime) -> None:
    """Keep the checked pick-up persons with the booking."""
    if not people:
        return
    for person in people:
        booking.pickups.append(BookingPickup(data=dict(person), created_at=now))
    db.session.flush()


def phone_for_display(e164: str) -> str:
    """A stored number the way people read it (national format for Chinese numbers)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    kind = (phonenumbers.PhoneNumberFormat.NATIONAL if number.country_code == 86
            else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, kind)
