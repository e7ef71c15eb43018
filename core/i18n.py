"""Languages and formatting: which locale a request speaks, and money, dates and times
formatted by Babel for that locale in the park's time zone."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.numbers import format_currency
from flask import current_app, g, has_request_context, request, session
from flask_babel import format_date as babel_format_date
from flask_babel import format_datetime as babel_format_datetime
from flask_babel import get_locale
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
    if not has_request_context():
        return current_app.config["DEFAULT_LOCALE"]
    user = g.get("api_user") or (current_user if current_user.is_authenticated else None)
    if user is not None and user.locale in SUPPORTED_LOCALES:
        return user.locale
    chosen = session.get("locale")
    if chosen in SUPPORTED_LOCALES:
        return chosen
    best = request.accept_languages.best_match(list(_ACCEPT_MAP))
    if best:
        return _ACCEPT_MAP[best]
    return current_app.config["DEFAULT_LOCALE"]


def select_timezone() -> str:
    return zone_of()


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


def format_day(value: date, fmt: str = "medium") -> str:
    """A calendar date in the user's locale (2027年1月1日 / Jan 1, 2027), never ISO."""
    return babel_format_date(value, fmt)


def format_when(value: datetime, fmt: str = "medium") -> str:
    """A UTC timestamp shown in the park's zone, in the user's locale."""
    return babel_format_datetime(value, fmt)
