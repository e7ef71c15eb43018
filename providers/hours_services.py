"""Use-cases of the weekly-hours editor: read a practitioner's rules and date overrides as
ranges per weekday, and replace them in one go. The rules stay RRULEs underneath (see
``providers.weekly_hours``). A refused save raises before anything is written."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from babel.dates import format_date, get_day_names
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from core.accounts.models import User
from core.db import db
from core.i18n import current_locale_code
from core.policy import Action, require
from providers import schedule, weekly_hours
from providers.errors import InvalidRule
from providers.models import AvailabilityRule, ExceptionKind, Practitioner, ScheduleException
from providers.queries import rules_of
from providers.schemas import WEEKDAY_KEYS, OverrideData, TimeRangeData, WeeklyHoursData
from providers.services import check_timezone, practitioner_services, rules_overlap
from providers.weekly_hours import Range

#: How far ahead a date override may be set.
OVERRIDE_HORIZON_DAYS = 400


def weekday_name(weekday: int) -> str:
    """Monday (0) to Sunday (6), in the reader's language (星期一)."""
    return get_day_names("wide", locale=get_locale() or "en")[weekday]


def _hm(value: time) -> str:
    return f"{value:%H:%M}"


def kept_explanation(reason: str) -> str:
    messages = {
        "interval": _("It repeats every few weeks, which the weekly editor cannot show."),
        "ends": _("It stops on a date or after a number of times, which the weekly editor "
                  "cannot show."),
        "later_start": _("It starts on a later date; it shows here once that date comes."),
        "other_zone": _("It is in another time zone than the rest of the week."),
        "unreadable": _("The weekly editor cannot read this rule."),
    }
    return messages.get(reason, messages["unreadable"])


def read_hours(practitioner: Practitioner, *, today: date) -> weekly_hours.WeeklyHours:
    return weekly_hours.read_rules(rules_of(practitioner),
                                   default_zone=practitioner.provider.park.timezone,
                                   today=today)


def _range_problem(key: str, weekday: int, item: Range | None) -> str:
    day = weekday_name(weekday)
    if key == "too_many" or item is None:
        return _("%(day)s: at most %(n)s time ranges a day.", day=day,
                 n=weekly_hours.MAX_RANGES_PER_DAY)
    values = {"day": day, "start": _hm(item.start), "end": _hm(item.end)}
    if key == "minutes":
        return _("%(day)s %(start)s–%(end)s: give times in whole minutes.", **values)
    if key == "overlap":
        return _("%(day)s %(start)s–%(end)s overlaps another range of the same day.",
                 **values)
    return _("%(day)s %(start)s–%(end)s: the end must be after the start.", **values)


def _ranges(items: list[TimeRangeData]) -> list[Range]:
    return [Range(item.start, item.end) for item in items]


def replace_weekly_hours(practitioner: Practitioner, data: WeeklyHoursData, *, actor: User,
                         now: datetime, today: date) -> weekly_hours.WeeklyHours:
    """Replace the weekly rules the editor shows (rules it cannot show are kept) and, when
    ``data.overrides`` is given, the date overrides from ``today`` on. Every problem is
    found before anything is written. Raises NotFound, Forbidden, UnknownTimezone,
    InvalidRule (fields ``<weekday>.<n>`` or ``overrides.<n>``, messages naming the day and
    range)."""
    require(actor, Action.MANAGE_SCHEDULE, practitioner)
    timezone = check_timezone(data.timezone, default=practitioner.provider.park.timezone)
    days = [_ranges(getattr(data.days, key)) for key in WEEKDAY_KEYS]
    errors: dict[str, str] = {}
    for weekday, index, key in weekly_hours.problems(days):
        item = days[weekday][index] if index < len(days[weekday]) else None
        errors.setdefault(f"{WEEKDAY_KEYS[weekday]}.{index}", _range_problem(key, weekday,
                                                                            item))
    current = read_hours(practitioner, today=today)
    starts_on = current.starts_on or today
    if not errors:
        errors.update(_fit_problems(practitioner, days))
        errors.update(_kept_overlaps(days, current.kept, starts_on=starts_on,
                                     timezone=timezone))
    if data.overrides is not None:
        errors.update(_override_problems(data.overrides, today=today))
    if errors:
        raise InvalidRule(fields=errors)

    replaced = set(current.replaces)
    for rule in db.session.scalars(select(AvailabilityRule).where(
            AvailabilityRule.practitioner_id == practitioner.id)):
        if rule.id in replaced:
            db.session.delete(rule)
    db.session.flush()
    for rrule, start, end in weekly_hours.to_rules(days):
        db.session.add(AvailabilityRule(practitioner=practitioner, rrule=rrule,
                                        starts_on=starts_on, start_time=start, end_time=end,
                                        timezone=timezone, created_at=now))
    if data.overrides is not None:
        _replace_overrides(practitioner, data.overrides, timezone=timezone, now=now,
                           today=today)
    db.session.flush()
    return read_hours(practitioner, today=today)


def _fit_problems(practitioner: Practitioner, days: list[list[Range]]) -> dict[str, str]:
    longest = max(practitioner_services(practitioner), key=lambda s: s.block_minutes,
                  default=None)
    errors: dict[str, str] = {}
    if longest is None:
        return errors
    for weekday, ranges in enumerate(days):
        for index, item in enumerate(ranges):
            minutes = (item.end.hour * 60 + item.end.minute
                       - item.start.hour * 60 - item.start.minute)
            if minutes < longest.block_minutes:
                errors[f"{WEEKDAY_KEYS[weekday]}.{index}"] = _(
                    "%(day)s %(start)s–%(end)s is shorter than %(service)s (%(minutes)s "
                    "minutes with buffers).", day=weekday_name(weekday), start=_hm(item.start),
                    end=_hm(item.end), service=longest.title(current_locale_code()),
                    minutes=longest.block_minutes)
    return errors


def _kept_overlaps(days: list[list[Range]], kept: list[weekly_hours.KeptRule], *,
                   starts_on: date, timezone: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not kept:
        return errors
    others = [schedule.Rule(k.rrule, k.starts_on, k.start_time, k.end_time, k.timezone)
              for k in kept if k.reason != "unreadable"]
    for weekday, ranges in enumerate(days):
        for index, item in enumerate(ranges):
            mine = schedule.Rule(f"FREQ=WEEKLY;BYDAY={weekly_hours.WEEKDAY_CODES[weekday]}",
                                 starts_on, item.start, item.end, timezone)
            for other in others:
                if rules_overlap(mine, other):
                    errors[f"{WEEKDAY_KEYS[weekday]}.{index}"] = _(
                        "%(day)s %(start)s–%(end)s overlaps hours kept from before "
                        "(%(other_start)s–%(other_end)s).", day=weekday_name(weekday),
                        start=_hm(item.start), end=_hm(item.end),
                        other_start=_hm(other.start_time), other_end=_hm(other.end_time))
                    break
    return errors


def _override_problems(overrides: list[OverrideData], *, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    seen: set[tuple[date, str]] = set()
    for index, item in enumerate(overrides):
        key = f"overrides.{index}"
        shown = format_date(item.day, "full", locale=get_locale() or "en")
        if not today <= item.day <= today + timedelta(days=OVERRIDE_HORIZON_DAYS):
            errors[key] = _("%(date)s: choose a date from today up to %(n)s days ahead.",
                            date=shown, n=OVERRIDE_HORIZON_DAYS)
        elif (item.day, item.kind) in seen:
            errors[key] = _("%(date)s is given twice.", date=shown)
        elif item.kind == "off" and item.ranges:
            errors[key] = _("%(date)s: a day off has no time ranges.", date=shown)
        elif item.kind != "off" and not item.ranges:
            errors[key] = _("%(date)s: give at least one time range.", date=shown)
        else:
            ranges = _ranges(item.ranges)
            for _weekday, at, problem in weekly_hours.problems([ranges]):
                bad = ranges[at] if at < len(ranges) else None
                errors[key] = _("%(date)s %(start)s–%(end)s: the end must be after the start "
                                "and ranges must not overlap.", date=shown,
                                start=_hm(bad.start) if bad else "",
                                end=_hm(bad.end) if bad else "") if problem != "too_many" \
                    else _("%(date)s: at most %(n)s time ranges a day.", date=shown,
                           n=weekly_hours.MAX_RANGES_PER_DAY)
                break
        seen.add((item.day, item.kind))
    return errors


def _wanted(overrides: list[OverrideData]):
    for item in overrides:
        if item.kind in ("off", "hours"):
            yield (ExceptionKind.CLOSED, item.day, None, None), item.note
        for r in item.ranges:
            kind = ExceptionKind.CLOSED if item.kind == "closed" else ExceptionKind.EXTRA
            yield (kind, item.day, r.start, r.end), item.note


def _replace_overrides(practitioner: Practitioner, overrides: list[OverrideData], *,
                       timezone: str, now: datetime, today: date) -> None:
    """Withdraw (kept, cancelled, so that feeds cancel them) what is no longer wanted and
    add what is new; what is unchanged stays as it is."""
    wanted = dict(_wanted(overrides))
    for exc in active_overrides(practitioner, today=today):
        key = (exc.kind, exc.happens_on, exc.start_time, exc.end_time)
        if key in wanted:
            del wanted[key]
        else:
            exc.cancelled_at = now
            exc.sequence += 1
            exc.updated_at = now
    for (kind, day, start, end), note in wanted.items():
        db.session.add(ScheduleException(
            practitioner=practitioner, kind=kind, happens_on=day, start_time=start,
            end_time=end, timezone=timezone, note=note, sequence=0, created_at=now,
            updated_at=now))


def active_overrides(practitioner: Practitioner, *, today: date) -> list[ScheduleException]:
    return list(db.session.scalars(select(ScheduleException).where(
        ScheduleException.practitioner_id == practitioner.id,
        ScheduleException.cancelled_at.is_(None),
        ScheduleException.happens_on >= today).order_by(
        ScheduleException.happens_on, ScheduleException.start_time, ScheduleException.id)))


def read_overrides(practitioner: Practitioner, *, today: date) -> list[OverrideData]:
    """The active exceptions from ``today`` on, as the editor's overrides."""
    by_day: dict[date, list[ScheduleException]] = {}
    for exc in active_overrides(practitioner, today=today):
        by_day.setdefault(exc.happens_on, []).append(exc)
    result = []
    for day, items in by_day.items():
        whole = [e for e in items if e.kind is ExceptionKind.CLOSED and e.start_time is None]
        extra = [TimeRangeData(start=e.start_time, end=e.end_time) for e in items
                 if e.kind is ExceptionKind.EXTRA and e.start_time is not None]
        closed = [TimeRangeData(start=e.start_time, end=e.end_time) for e in items
                  if e.kind is ExceptionKind.CLOSED and e.start_time is not None]
        note = next((e.note for e in items if e.note), "")
        if whole:
            result.append(OverrideData(day=day, kind="hours" if extra else "off",
                                       ranges=extra, note=note))
        elif extra:
            result.append(OverrideData(day=day, kind="extra", ranges=extra, note=note))
        if closed:
            result.append(OverrideData(day=day, kind="closed", ranges=closed, note=note))
    return result
