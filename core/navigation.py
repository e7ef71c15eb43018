"""The navigation each role sees, as data.

Two layers:
- ``TABS``: each role's three to five main places, the bottom tab bar on a phone and the top
  navigation on a wide screen. Defined here, in one table, so that the whole shell can be
  read (and tested) in one place. Endpoints are names, so core imports no outer package.
- ``add_nav``: every other place, which packages add in their ``init_app``; the "me" tab lists
  them, one tap away. Kept per app (``app.extensions``), filled as the app is created.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l

# The extractor knows ``pgettext(context, message)``; the tab's "Me" is not the "me" of
# "for whom" (本人), so it needs a context of its own. Lazy all the same.
from flask_babel import lazy_pgettext as pgettext

from core.accounts.models import Membership, ProviderLevel, Role

UrlArgs = Callable[[Membership], dict[str, Any]]


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: object  #: a lazy string
    url_args: UrlArgs | None = None
    owners_only: bool = False
    order: int = 100


@dataclass(frozen=True)
class Tab:
    """One place in the tab bar: an icon (``static/icons.svg``) and a short label."""

    endpoint: str
    label: object  #: a lazy string, two characters in Chinese
    icon: str
    url_args: UrlArgs | None = None
    #: Other endpoints (or blueprint prefixes ending in ".") under this tab.
    also: tuple[str, ...] = ()

    def matches(self, endpoint: str, *, exactly: bool) -> bool:
        if exactly:
            return endpoint == self.endpoint or endpoint in self.also
        return any(e.endswith(".") and endpoint.startswith(e) for e in self.also)


def _provider(m: Membership) -> dict[str, Any]:
    return {"provider_id": m.provider_id}


def _enterprise(m: Membership) -> dict[str, Any]:
    return {"enterprise_id": m.enterprise_id}


def _park(m: Membership) -> dict[str, Any]:
    return {"park_id": m.park_id}


HOME = Tab("marketplace.home", _l("Home"), "home")
ME = Tab("marketplace.me", pgettext("tab", "Me"), "user",
         also=("accounts.account", "accounts.api_tokens", "audit.my_activity"))

#: Each role's main places, in the order shown. Physicians are provider staff: their
#: patients are a tab of their own.
TABS: dict[Role, tuple[Tab, ...]] = {
    Role.EMPLOYEE: (
        HOME,
        Tab("marketplace.catalogue_page", _l("Services"), "grid",
            also=("marketplace.service_page", "marketplace.provider_page", "booking.book",
                  "booking_series.")),
        Tab("booking.my_bookings", _l("Bookings"), "calendar",
            also=("booking.", "marketplace.review_booking", "benefits.pay_booking")),
        Tab("health.overview", _l("Health"), "heart", also=("health.", "prevention.", "care.")),
        ME,
    ),
    Role.PROVIDER_STAFF: (
        Tab("providers.dashboard", _l("Today"), "home", url_args=_provider,
            also=("providers.",)),
        Tab("booking.provider_bookings", _l("Bookings"), "calendar", url_args=_provider),
        Tab("care.patients", _l("Patients"), "heart", url_args=_provider),
        ME,
    ),
    Role.COMMITTEE_MEMBER: (
        HOME,
        Tab("park.manage_events", _l("Events"), "calendar", url_args=_park, also=("park.",)),
        Tab("providers.review_queue", pgettext("tab", "Review"), "check", also=("providers.",)),
        ME,
    ),
    Role.ENTERPRISE_ADMIN: (
        HOME,
        Tab("benefits.roster_page", _l("Roster"), "users", url_args=_enterprise),
        Tab("benefits.programmes", _l("Budgets"), "wallet", url_args=_enterprise),
        Tab("prevention.campaigns", pgettext("tab", "Check-ups"), "heart", url_args=_enterprise),
        ME,
    ),
    Role.PLATFORM_ADMIN: (
        HOME,
        Tab("providers.review_queue", pgettext("tab", "Review"), "check"),
        Tab("holidays.calendar_page", _l("Holidays"), "calendar"),
        Tab("audit.search_page", _l("Audit"), "list"),
        ME,
    ),
}

#: Signed in without a role: home and me.
NO_ROLE_TABS = (HOME, ME)

EXTENSION = "parkwell.navigation"


def nav_entries(app: Flask | None = None) -> dict[Role, list[NavEntry]]:
    """``app``'s places per role (the current app's when not given), in their order."""
    entries: dict[Role, list[NavEntry]] = (app or current_app).extensions.setdefault(
        EXTENSION, {})
    return entries


def add_nav(app: Flask, role: Role, entry: NavEntry) -> None:
    """Add a place for ``role`` (adding an endpoint again replaces it)."""
    registered = nav_entries(app)
    entries = [e for e in registered.get(role, []) if e.endpoint != entry.endpoint]
    entries.append(entry)
    registered[role] = sorted(entries, key=lambda e: e.order)


def nav_for(membership: Membership | None) -> list[tuple[NavEntry, dict[str, Any]]]:
    """Every place of the role (the tabs' places too), with its URL arguments."""
    if membership is None:
        return []
    result = []
    for entry in nav_entries().get(membership.role, []):
        if entry.owners_only and membership.provider_level is not ProviderLevel.OWNER:
            continue
        result.append((entry, entry.url_args(membership) if entry.url_args else {}))
    return result


def tabs_for(membership: Membership | None) -> list[tuple[Tab, dict[str, Any]]]:
    """The tab bar of the role, with each tab's URL arguments."""
    tabs = NO_ROLE_TABS if membership is None else TABS.get(membership.role, NO_ROLE_TABS)
    return [(tab, tab.url_args(membership) if tab.url_args and membership else {})
            for tab in tabs]


def more_for(membership: Membership | None) -> list[tuple[NavEntry, dict[str, Any]]]:
    """The places that are not tabs: listed on the "me" page."""
    tab_endpoints = {tab.endpoint for tab, _ in tabs_for(membership)}
    return [(entry, args) for entry, args in nav_for(membership)
            if entry.endpoint not in tab_endpoints]


def current_tab(tabs: list[tuple[Tab, dict[str, Any]]], endpoint: str | None) -> Tab | None:
    """The tab the page belongs to: one naming the endpoint, else one naming its blueprint."""
    if not endpoint:
        return None
    for exactly in (True, False):
        for tab, _args in tabs:
            if tab.matches(endpoint, exactly=exactly):
                return tab
    return None
