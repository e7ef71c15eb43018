"""The platform admin keeps the park's holiday calendar: a year's holidays and make-up
working days (调休) entered from the State Council's notice, replacing what the library says
for that year, or removed again to fall back on it (``providers.holidays`` reads them)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete

from core.accounts.models import User
from core.audit.services import record
from core.db import db
from core.policy import Action, require
from providers.errors import InvalidHolidayNotice
from providers.holidays import forget_operator_years
from providers.models import HolidayDay, HolidayKind, HolidayYear

#: Words for "a day off" and "a day worked" in a notice line (Chinese as the notice writes
#: them, English for the API's and a foreign operator's sake).
_KIND_WORDS = {"休": HolidayKind.HOLIDAY, "假": HolidayKind.HOLIDAY, "放假": HolidayKind.HOLIDAY,
               "holiday": HolidayKind.HOLIDAY, "off": HolidayKind.HOLIDAY,
               "班": HolidayKind.MAKEUP_WORKDAY, "上班": HolidayKind.MAKEUP_WORKDAY,
               "workday": HolidayKind.MAKEUP_WORKDAY, "work": HolidayKind.MAKEUP_WORKDAY}
_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\s*(?:~|\.\.|至|–|—)\s*(\d{4}-\d{2}-\d{2}))?"
                   r"\s+(\S+)\s*(.*)$")
MAX_NOTICE_CHARS = 5000
MAX_NAME_CHARS = 80


@dataclass(frozen=True)
class NoticeDay:
    day: date
    kind: HolidayKind
    name: str


def parse_notice(year: int, text: str) -> list[NoticeDay]:
    """A notice, one line per holiday or make-up day (``2027-02-06~2027-02-12 休 春节``,
    ``2027-02-14 班 春节调休``), as days. Raises InvalidHolidayNotice naming the line."""
    if len(text) > MAX_NOTICE_CHARS:
        raise InvalidHolidayNotice(fields={"notice": _(
            "The notice is too long (at most %(count)s characters).", count=MAX_NOTICE_CHARS)})
    days: dict[date, NoticeDay] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        found = _LINE.match(line)
        kind = _KIND_WORDS.get(found.group(3).lower()) if found else None
        if found is None or kind is None:
            raise _bad_line(number, _("write a date or a range, then 休 or 班, then a name"))
        try:
            first = date.fromisoformat(found.group(1))
            last = date.fromisoformat(found.group(2) or found.group(1))
        except ValueError:
            raise _bad_line(number, _("this date does not exist")) from None
        if first > last or (last - first).days > 31:
            raise _bad_line(number, _("a range runs forwards and lasts at most a month"))
        if first.year != year or last.year != year:
            raise _bad_line(number, _("every day must fall in %(year)s", year=year))
        name = found.group(4).strip()[:MAX_NAME_CHARS]
        day = first
        while day <= last:
            if kind is HolidayKind.MAKEUP_WORKDAY and day.weekday() < 5:
                raise _bad_line(number, _("a make-up working day is a Saturday or a Sunday"))
            if day in days:
                raise _bad_line(number, _("%(day)s is listed twice", day=day.isoformat()))
            days[day] = NoticeDay(day, kind, name)
            day += timedelta(days=1)
    if not any(d.kind is HolidayKind.HOLIDAY for d in days.values()):
        raise InvalidHolidayNotice(fields={"notice": _(
            "The notice lists no holiday: every year has at least New Year's Day.")})
    return sorted(days.values(), key=lambda d: d.day)


def save_year(year: int, days: list[NoticeDay], *, notice: str, actor: User,
              now: datetime) -> HolidayYear:
    """Replace the operator's calendar for ``year`` with ``days``. Raises Forbidden."""
    require(actor, Action.MANAGE_HOLIDAYS)
    entry = db.session.get(HolidayYear, year)
    if entry is None:
        entry = HolidayYear(year=year)
        db.session.add(entry)
    else:
        db.session.execute(delete(HolidayDay).where(HolidayDay.year == year))
    entry.notice, entry.updated_by_id, entry.updated_at = notice[:MAX_NOTICE_CHARS], actor.id, now
    db.session.flush()
    db.session.add_all(HolidayDay(day=d.day, year=year, kind=d.kind, name=d.name) for d in days)
    db.session.flush()
    db.session.expire(entry, ["days"])
    record("holidays.saved", actor=actor, target_type="holiday_year", target_id=year,
           details={"days": len(days)})
    db.session.flush()
    forget_operator_years()
    return entry


def remove_year(year: int, *, actor: User) -> None:
    """Drop the operator's calendar for ``year``: the library's applies again, if it knows
    the year. Raises Forbidden."""
    require(actor, Action.MANAGE_HOLIDAYS)
    entry = db.session.get(HolidayYear, year)
    if entry is not None:
        db.session.delete(entry)
        record("holidays.removed", actor=actor, target_type="holiday_year", target_id=year)
        db.session.flush()
    forget_operator_years()


def _bad_line(number: int, why: str) -> InvalidHolidayNotice:
    return InvalidHolidayNotice(fields={"notice": _("Line %(number)s: %(why)s.",
                                                    number=number, why=why)})
