"""Who a booking is for, in words: the family member's name and age (marked "for
<employee>'s child") or the employee themselves, with the authorised pick-up persons. What
the provider's day list, the employee's booking lists and the API show."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from booking.models import Booking
from booking.pickups import phone_for_display
from core.clock import to_zone
from health.models import Relation

_FOR = {
    Relation.CHILD: lambda who: _("for %(employee)s's child", employee=who),
    Relation.PARENT: lambda who: _("for %(employee)s's parent", employee=who),
    Relation.PARENT_IN_LAW: lambda who: _("for %(employee)s's parent-in-law", employee=who),
    Relation.SPOUSE: lambda who: _("for %(employee)s's spouse", employee=who),
}


@dataclass(frozen=True)
class Pickup:
    name: str
    relation: str
    phone: str  #: as people read it


@dataclass(frozen=True)
class Attendee:
    name: str
    is_family_member: bool
    relation: str | None  #: Relation value, for a family member
    age_years: int | None  #: on the booking's day, for a family member
    age_text: str | None  #: "5 years", "20 months"
    for_text: str | None  #: "for 陈小雨's child"
    pickups: tuple[Pickup, ...]


def age_words(months: int) -> str:
    if months < 36:
        return _("%(num)s months", num=months)
    return _("%(num)s years", num=months // 12)


def attendee_of(booking: Booking) -> Attendee:
    pickups = tuple(Pickup(p.name, p.relation, phone_for_display(p.phone))
                    for p in booking.pickups)
    member = booking.dependant
    if member is None:
        return Attendee(booking.client.display_name, False, None, None, None, None, pickups)
    day = to_zone(booking.starts_at, booking.provider.park.timezone).date()
    born = member.birth_date
    months = (day.year - born.year) * 12 + day.month - born.month - (day.day < born.day)
    return Attendee(member.name, True, member.relation.value, months // 12,
                    age_words(months), _FOR[member.relation](booking.client.display_name),
                    pickups)
