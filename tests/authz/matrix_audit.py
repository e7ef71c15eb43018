"""The audit log's routes in the authorisation matrix (platform admins search everything;
everyone signed in sees the part about themselves), and health data with unmistakable values
for the matrix's exposure check: ``test_matrix`` asserts that no page or API answer shows any
of ``HEALTH_MARKERS`` to anyone but their owner."""

from __future__ import annotations

from datetime import date, timedelta

from core.clock import utcnow
from health import services
from tests.authz.harness import RouteCase, World, signed_in

LOGIN = 302

#: Values (as they would be written out) of health data the employee shares with nobody.
#: Numbers of 60 and more with a decimal, so that no clock time ("…:59.87…") can look like them.
HEALTH_MARKERS = ("166.6", "77.7", "Zephyrine")


def build_world(world: World, make) -> None:
    owner = world.users["employee"]
    now = utcnow()
    services.record_checkup(owner, measured_on=date(2026, 9, 30), source="",
                            readings={"height": (166.6, "cm"), "weight": (77.7, "kg")},
                            now=now - timedelta(days=2))
    services.add_dependant(owner, name="Zephyrine", birth_date=date(1951, 4, 4),
                           relation="parent", needs=["eldercare"], now=now)


ROUTES = [
    RouteCase("GET", "/admin/audit", lambda w: "/admin/audit",
              signed_in(403, anonymous=LOGIN, platform_admin=200)),
    RouteCase("GET", "/account/activity", lambda w: "/account/activity",
              signed_in(200, anonymous=LOGIN)),
    RouteCase("GET", "/api/v1/audit-events", lambda w: "/api/v1/audit-events",
              signed_in(403, anonymous=401, platform_admin=200)),
    RouteCase("GET", "/api/v1/me/audit-events", lambda w: "/api/v1/me/audit-events",
              signed_in(200, anonymous=401)),
]
