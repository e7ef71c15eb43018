"""Health routes in the authorisation matrix. A health profile is its owner's alone:
employees reach only their own records (another's are not found), every other role is
refused (enterprise admins and platform admins included), and provider staff read only
what a client shared with their own organisation."""

from __future__ import annotations

from datetime import date, timedelta

from core.clock import utcnow
from health import services, sharing
from tests.authz.harness import RouteCase, World, everyone

LOGIN_REDIRECT = 302


def build_world(world: World, make) -> None:
    owner = world.users["employee"]
    now = utcnow()
    world.health_checkup = services.record_checkup(
        owner, measured_on=date(2026, 10, 12), source="",
        readings={"systolic": (145, None), "diastolic": (95, None)}, now=now - timedelta(
            days=1))
    world.health_dependant = services.add_dependant(
        owner, name="小明", birth_date=date(2019, 6, 1), relation="child",
        needs=["childcare"], now=now)
    world.health_consent = sharing.share_for_days(
        owner, provider_id=world.provider.id, fields=["blood_pressure"], days=7, now=now)


def own(status: int, *, anonymous: int = LOGIN_REDIRECT, other: int | None = None) -> dict:
    """The owner (and any employee on their own profile) gets ``status``; every other role
    is refused with 403."""
    return everyone(403, anonymous=anonymous, employee=status,
                    other_employee=status if other is None else other)


def api_own(status: int, *, other: int | None = None) -> dict:
    return own(status, anonymous=401, other=other)


def provider_read(status: int) -> dict:
    return everyone(404, anonymous=LOGIN_REDIRECT, provider_owner=status,
                    provider_staff=status, platform_admin=403)


H = "/me/health"
A = "/api/v1/me/health"
CHECKUP_BODY = {"measured_on": "2026-10-12", "readings": {"weight": {"value": 70}}}
IMPORT_BODY = {"format": "json",
               "content": '{"checkups": [{"measured_on": "2026-01-01", "weight": 70}]}'}
DEPENDANT_BODY = {"name": "Grandma", "birth_date": "1948-02-01", "relation": "parent"}

ROUTES = [
    # -- pages
    RouteCase("GET", f"{H}/", lambda w: f"{H}/", own(200)),
    RouteCase("GET", f"{H}/profile", lambda w: f"{H}/profile", own(200)),
    RouteCase("POST", f"{H}/profile", lambda w: f"{H}/profile", own(302), body=lambda w: {}),
    RouteCase("GET", f"{H}/checkups", lambda w: f"{H}/checkups", own(200)),
    RouteCase("POST", f"{H}/checkups", lambda w: f"{H}/checkups", own(400),
              body=lambda w: {}),
    RouteCase("POST", f"{H}/checkups/<int:checkup_id>/delete",
              lambda w: f"{H}/checkups/{w.health_checkup.id}/delete", own(302, other=404),
              body=lambda w: {}),
    RouteCase("GET", f"{H}/checkups/import", lambda w: f"{H}/checkups/import", own(200)),
    RouteCase("POST", f"{H}/checkups/import", lambda w: f"{H}/checkups/import", own(400),
              body=lambda w: {}),
    RouteCase("GET", f"{H}/questionnaires/<kind>", lambda w: f"{H}/questionnaires/phq9",
              own(200)),
    RouteCase("POST", f"{H}/questionnaires/<kind>", lambda w: f"{H}/questionnaires/phq9",
              own(422), body=lambda w: {}),
    RouteCase("GET", f"{H}/dependants", lambda w: f"{H}/dependants", own(200)),
    RouteCase("POST", f"{H}/dependants", lambda w: f"{H}/dependants", own(400),
              body=lambda w: {}),
    RouteCase("POST", f"{H}/dependants/<int:dependant_id>/delete",
              lambda w: f"{H}/dependants/{w.health_dependant.id}/delete",
              own(302, other=404), body=lambda w: {}),
    RouteCase("GET", f"{H}/recommendations", lambda w: f"{H}/recommendations", own(200)),
    RouteCase("GET", f"{H}/sharing", lambda w: f"{H}/sharing", own(200)),
    RouteCase("POST", f"{H}/sharing", lambda w: f"{H}/sharing", own(400), body=lambda w: {}),
    RouteCase("POST", f"{H}/sharing/<int:consent_id>/revoke",
              lambda w: f"{H}/sharing/{w.health_consent.id}/revoke", own(302, other=404),
              body=lambda w: {}),
    RouteCase("GET", f"{H}/export", lambda w: f"{H}/export", own(200)),
    RouteCase("GET", f"{H}/delete", lambda w: f"{H}/delete", own(200)),
    RouteCase("POST", f"{H}/delete", lambda w: f"{H}/delete", own(400), body=lambda w: {}),
    # -- the provider's read
    RouteCase("GET", "/providers/<int:provider_id>/health-clients",
              lambda w: f"/providers/{w.provider.id}/health-clients", provider_read(200)),
    RouteCase("GET", "/providers/<int:provider_id>/health-clients/<int:user_id>",
              lambda w: f"/providers/{w.provider.id}/health-clients/"
                        f"{w.users['employee'].id}", provider_read(200),
              note="the employee shares blood pressure with world.provider"),
    # -- API
    RouteCase("GET", "/api/v1/providers/<int:provider_id>/health-clients",
              lambda w: f"/api/v1/providers/{w.provider.id}/health-clients",
              provider_read(200) | {"anonymous": 401}),
    RouteCase("GET", "/api/v1/providers/<int:provider_id>/health-clients/<int:user_id>",
              lambda w: f"/api/v1/providers/{w.provider.id}/health-clients/"
                        f"{w.users['employee'].id}", provider_read(200) | {"anonymous": 401}),
    RouteCase("GET", f"{A}/profile", lambda w: f"{A}/profile", api_own(200)),
    RouteCase("PUT", f"{A}/profile", lambda w: f"{A}/profile", api_own(200),
              body=lambda w: {}),
    RouteCase("DELETE", f"{A}/profile", lambda w: f"{A}/profile", api_own(204)),
    RouteCase("GET", f"{A}/checkups", lambda w: f"{A}/checkups", api_own(200)),
    RouteCase("POST", f"{A}/checkups", lambda w: f"{A}/checkups", api_own(201),
              body=lambda w: CHECKUP_BODY),
    RouteCase("POST", f"{A}/checkups/import", lambda w: f"{A}/checkups/import", api_own(201),
              body=lambda w: IMPORT_BODY),
    RouteCase("DELETE", f"{A}/checkups/<int:checkup_id>",
              lambda w: f"{A}/checkups/{w.health_checkup.id}", api_own(204, other=404)),
    RouteCase("GET", f"{A}/questionnaires", lambda w: f"{A}/questionnaires", api_own(200)),
    RouteCase("GET", f"{A}/questionnaires/<kind>", lambda w: f"{A}/questionnaires/isi",
              api_own(200)),
    RouteCase("POST", f"{A}/questionnaires", lambda w: f"{A}/questionnaires", api_own(201),
              body=lambda w: {"kind": "gad7", "answers": [0] * 7}),
    RouteCase("GET", f"{A}/flags", lambda w: f"{A}/flags", api_own(200)),
    RouteCase("GET", f"{A}/recommendations", lambda w: f"{A}/recommendations", api_own(200)),
    RouteCase("GET", f"{A}/dependants", lambda w: f"{A}/dependants", api_own(200)),
    RouteCase("POST", f"{A}/dependants", lambda w: f"{A}/dependants", api_own(201),
              body=lambda w: DEPENDANT_BODY),
    RouteCase("DELETE", f"{A}/dependants/<int:dependant_id>",
              lambda w: f"{A}/dependants/{w.health_dependant.id}", api_own(204, other=404)),
    RouteCase("GET", f"{A}/consents", lambda w: f"{A}/consents", api_own(200)),
    RouteCase("POST", f"{A}/consents", lambda w: f"{A}/consents", api_own(201),
              body=lambda w: {"provider_id": w.provider.id, "fields": ["body"], "days": 7}),
    RouteCase("POST", f"{A}/consents/<int:consent_id>/revoke",
              lambda w: f"{A}/consents/{w.health_consent.id}/revoke", api_own(200, other=404)),
    RouteCase("GET", f"{A}/access-log", lambda w: f"{A}/access-log", api_own(200)),
    RouteCase("GET", f"{A}/export", lambda w: f"{A}/export", api_own(200)),
]
