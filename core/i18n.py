"""Languages and formatting: which locale a request speaks, and money, dates and times
formatted by Babel for that locale in the park's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel.lists import format_list as babel_format_list
from babel.numbers import format_currency
from babel.numbers import format_decimal as babel_format_decimal
from babel.numbers import format_percent as babel_format_percent
from flask import current_app, g, has_request_context, request, session
from flask_babel import format_date as babel_format_date
from flask_babel import get_locale, get_timezone
from flask_login import current_user

from core.clock import today_in, zone_of
from core.config import SUPPORTED_LOCALES
from core.money import Money

#: Accept-Language tags we understand, mapped to our locales.
_ACCEPT_MAP = {"zh": "zh_CN", "zh_CN": "zh_CN", "zh-CN": "zh_CN", "zh-Hans": "zh_CN",
               "zh-Hans-CN": "zh_CN", "en": "en", "en-US": "en", "en-GB": "en"}


def select_locale() -> str:
    """The user's own setting, then the session's choice, then Accept-Language, then the
    park's default."""
    default: str = current_app.config["DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    user = g.get("api_user") or (current_user if current_user.is_authenticated else None)
    if user is not None and user.locale in SUPPORTED_LOCALES:
        return str(user.locale)
    chosen = session.get("locale")
    if chosen in SUPPORTED_LOCALES:
        return str(chosen)
    best = request.accept_languages.best_match(list(_ACCEPT_MAP))
    if best:
        return _ACCEPT_MAP[best]
    return default


def select_timezone() -> str:
    zone: str = zone_of()
    return zone


def current_locale_code() -> str:
    locale = get_locale()
    return "zh_CN" if locale is not None and locale.language == "zh" else "en"


def park_today() -> date:
    """Kept for callers not yet moved: ``core.clock.today_in()`` is the one "today"."""
    return today_in()


def format_money(money: Money | int | Decimal, currency: str = "CNY") -> str:
    """¥1,234.50 in Chinese, CN¥1,234.50 in English."""
    if not isinstance(money, Money):
        money = Money(int(money), currency)
    return format_currency(Decimal(money.major_decimal), money.currency,
                           locale=str(get_locale() or "zh_CN"))


def format_list(items: list[str]) -> str:
    """Items joined as the reader's locale joins them (读取和写入 / Read and Write)."""
    return babel_format_list(items, locale=_locale_str())


def format_day(value: date | str, fmt: str = "medium") -> str:
    """A calendar date in the user's locale (2027年1月1日 / Jan 1, 2027), never ISO (a
    date kept as ISO text in a JSON column is read first)."""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return babel_format_date(value, fmt)


#: Named widths a date may be shown in; a time of day is always the locale's short form.
_WIDTHS = ("short", "medium", "long", "full")


def _locale_str() -> str:
    return str(get_locale() or "zh_CN")


def _zone(zone: str | None) -> tzinfo | None:
    return ZoneInfo(zone) if zone else get_timezone()


def format_when(value: datetime, fmt: str = "medium", *, zone: str | None = None) -> str:
    """A UTC timestamp shown in the park's zone (or ``zone``), in the user's locale.

    A named width sizes the date only; the time is always hours and minutes, because
    Babel's own medium-and-wider times add seconds and a zone name ("中国标准时间
    13:00:00") that nobody books by. Any other ``fmt`` is a Babel pattern."""
    locale = _locale_str()
    tzinfo = _zone(zone)
    if fmt not in _WIDTHS:
        return babel_dates.format_datetime(value, fmt, tzinfo=tzinfo, locale=locale)
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(tzinfo)
    day = babel_dates.format_date(local.date(), fmt, locale=locale)
    clock = babel_dates.format_time(local.time(), "short", locale=locale)
    pattern = babel_dates.get_datetime_format("short" if fmt == "short" else "medium",
                                              locale=locale)
    return str(pattern).replace("{1}", day).replace("{0}", clock)


def format_clock(value: datetime, *, zone: str | None = None) -> str:
    """Only the time of day of a UTC timestamp, in the park's zone (13:00 / 1:00 PM)."""
    return babel_dates.format_time(value, "short", tzinfo=_zone(zone), locale=_locale_str())


def format_period(key: str) -> str:
    """A budget period or month key in words: 2026-12 → 2026年12月 / Dec 2026, 2026-Q4 →
    2026年第4季度 / Q4 2026, 2026 stays a year. Anything else is shown as it is."""
    locale = _locale_str()
    year, _sep, rest = key.partition("-")
    if not year.isdigit():
        return key
    if rest.startswith("Q") and rest[1:].isdigit() and 1 <= int(rest[1:]) <= 4:
        first = date(int(year), 3 * int(rest[1:]) - 2, 1)
        return babel_dates.format_skeleton("yQQQ", first, locale=locale)
    if rest.isdigit() and 1 <= int(rest) <= 12:
        return babel_dates.format_skeleton("yMMM", date(int(year), int(rest), 1), locale=locale)
    return key


def format_number(value: int | float | Decimal) -> str:
    """A count or measure with the locale's grouping (1,234 / 1,234.5)."""
    return babel_format_decimal(value, locale=_locale_str())


def format_share(value: float | Decimal, *, digits: int = 0) -> str:
    """A fraction (0.25) as the locale writes a percentage (25%)."""
    pattern = "#,##0%" if digits == 0 else "#,##0." + "0" * digits + "%"
    return babel_format_percent(value, pattern, locale=_locale_str())
